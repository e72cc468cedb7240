using System.Threading.Channels;
using ChatDesk.Server.Data;
using ChatDesk.Server.Identity;
using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Chats;

/// <summary>
/// Carries typing drafts, the busiest traffic of all (every visitor, several times a second), with no
/// database write: who sees them comes from <see cref="TypingAudiences"/>; operators connected only to
/// this node get the draft directly, others through drafts from all visitors pushed together every few
/// milliseconds in one notification round trip. Drafts are never stored.
/// </summary>
public sealed class TypingRelay(
    TypingAudiences audiences, PushBus bus, IHubContext<OperatorHub, IOperatorClient> operators, TimeProvider clock, ILogger<TypingRelay> logger)
    : BackgroundService
{
    public const int MaxDraftLength = 1000;
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(15);
    private readonly Channel<Push> pending = Channel.CreateUnbounded<Push>(new UnboundedChannelOptions { SingleReader = true });

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
        foreach (var operatorId in audience.OperatorIds)
        {
            if (audience.LocalOnly.Contains(operatorId))
                await operators.Clients.User(operatorId).VisitorTyping(notice);
            else
                pending.Writer.TryWrite(Push.ToOperator(operatorId, nameof(IOperatorClient.VisitorTyping), notice));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Push>();
        while (await pending.Reader.WaitToReadAsync(stoppingToken))
        {
            await Task.Delay(FlushEvery, stoppingToken); // let a burst gather
            while (pending.Reader.TryRead(out var push))
                batch.Add(push);
            try
            {
                await bus.PublishAsync(batch);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A lost draft is replaced by the next keystroke's; never let one failure stop the relay.
                logger.LogWarning(e, "Could not relay {Count} typing drafts", batch.Count);
            }
            batch.Clear();
        }
    }
}
