using System.Threading.Channels;
using ChatDesk.Server.Data;
using ChatDesk.Server.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace ChatDesk.Server.Chats;

/// <summary>
/// Carries typing drafts, the busiest traffic of all (every visitor, several times a second), with no
/// database write: who is in a visitor's chat, and on which nodes they are connected, is cached for a
/// second; operators connected only to this node get the draft directly, others through drafts from
/// all visitors pushed together every few milliseconds in one notification round trip. Drafts are never stored.
/// </summary>
public sealed class TypingRelay(
    IServiceScopeFactory scopes, IMemoryCache cache, PushBus bus, IHubContext<OperatorHub, IOperatorClient> operators,
    Routing.ServerNode node, TimeProvider clock, ILogger<TypingRelay> logger)
    : BackgroundService
{
    public const int MaxDraftLength = 1000;
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan FlushEvery = TimeSpan.FromMilliseconds(15);
    private readonly Channel<Push> pending = Channel.CreateUnbounded<Push>(new UnboundedChannelOptions { SingleReader = true });

    /// <param name="LocalOnly">Operators whose every console connection is on this node: delivered here, no notification needed.</param>
    private sealed record Audience(Guid ConversationId, IReadOnlyList<string> OperatorIds, IReadOnlySet<string> LocalOnly, bool Preview);

    public async Task VisitorTypingAsync(VisitorIdentity visitor, string? draft, CancellationToken cancellationToken)
    {
        // Stamped on arrival: the console keeps the newest draft by this time.
        var receivedAt = clock.UtcNowForStorage();
        // One lookup per visitor at a time, shared by the keystrokes that arrive meanwhile.
        var lookup = cache.GetOrCreate($"typing:{visitor.VisitorId}", entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return new Lazy<Task<Audience?>>(() => LoadAudienceAsync(visitor));
        })!;
        Audience? audience;
        try
        {
            audience = await lookup.Value.WaitAsync(cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            cache.Remove($"typing:{visitor.VisitorId}"); // do not keep a failed lookup for a second
            throw;
        }
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

    private async Task<Audience?> LoadAudienceAsync(VisitorIdentity visitor)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDeskDbContext>();
        var open = await db.Conversations.OfVisitorLatestFirst(visitor)
            .Where(c => c.Status != ConversationStatus.Ended)
            .Select(c => new { c.Id, c.OperatorId, Preview = db.Sites.Where(s => s.Id == c.SiteId).Select(s => s.TypingPreview).First() })
            .FirstOrDefaultAsync();
        if (open is null)
            return null;
        var invited = await db.ConversationParticipants.Where(p => p.ConversationId == open.Id && p.LeftAt == null).Select(p => p.OperatorId).ToListAsync();
        List<string> operatorIds = open.OperatorId is null ? invited : [open.OperatorId, .. invited];
        var nodes = await db.OperatorConnections.Where(c => operatorIds.Contains(c.OperatorId)).Select(c => new { c.OperatorId, c.NodeId }).ToListAsync();
        var localOnly = nodes.GroupBy(n => n.OperatorId).Where(g => g.All(n => n.NodeId == node.Id)).Select(g => g.Key).ToHashSet();
        return new Audience(open.Id, operatorIds, localOnly, open.Preview);
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
