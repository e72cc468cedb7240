using ChatDesk.Server.Data;
using ChatDesk.Server.Identity;

namespace ChatDesk.Server.Chats;

/// <summary>
/// Carries typing drafts, the busiest traffic of all (every visitor, several times a second), with no
/// database write: who sees them comes from <see cref="TypingAudiences"/>, and each draft is a push to those
/// operators (their own node's connections, or the backplane). Drafts are never stored.
/// </summary>
public sealed class TypingRelay(TypingAudiences audiences, PushBus bus, TimeProvider clock)
{
    public const int MaxDraftLength = 1000;

    public async Task VisitorTypingAsync(VisitorIdentity visitor, string? draft, CancellationToken cancellationToken)
    {
        // Stamped on arrival: the console keeps the newest draft by this time.
        var receivedAt = clock.UtcNowForStorage();
        var audience = await audiences.GetAsync(visitor).WaitAsync(cancellationToken);
        if (audience is null || audience.OperatorIds.Count == 0)
            return;

        var text = draft ?? "";
        var shown = audience.Preview ? (text.Length > MaxDraftLength ? text[^MaxDraftLength..] : text) : (text.Length == 0 ? "" : null);
        var notice = new VisitorTypingNotice(audience.ConversationId, shown, receivedAt);
        // A draft that does not get through is replaced by the next keystroke's.
        await bus.PublishAsync(audience.OperatorIds.Select(id => Push.ToOperator(id, nameof(IOperatorClient.VisitorTyping), notice)).ToList());
    }
}
