using System.Threading.Channels;
using ChatDesk.Server.Identity;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;

namespace ChatDesk.Server.Chats;

public sealed record TypingAudience(Guid ConversationId, IReadOnlyList<string> OperatorIds, bool Preview);

/// <summary>
/// Who sees a visitor's typing: the operators in the visitor's open chat, cached for a second. Lookups
/// wait in one queue and are answered for every visitor in it with one query, so when hundreds of
/// visitors start typing at once the database sees a few queries instead of hundreds, and the pool
/// is never exhausted by typing.
/// </summary>
public sealed class TypingAudiences(NpgsqlDataSource dataSource, IMemoryCache cache, ILogger<TypingAudiences> logger)
    : BackgroundService
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(1);
    private const int MaxBatch = 1000;

    private sealed record Lookup(VisitorIdentity Visitor, TaskCompletionSource<TypingAudience?> Audience);

    private readonly Channel<Lookup> lookups = Channel.CreateUnbounded<Lookup>(new UnboundedChannelOptions { SingleReader = true });

    public Task<TypingAudience?> GetAsync(VisitorIdentity visitor)
    {
        var key = CacheKey(visitor);
        if (cache.TryGetValue(key, out Task<TypingAudience?>? known))
            return known!;
        // Keystrokes arriving while the lookup runs share it.
        var lookup = new Lookup(visitor, new TaskCompletionSource<TypingAudience?>(TaskCreationOptions.RunContinuationsAsynchronously));
        cache.Set(key, lookup.Audience.Task, CacheFor);
        lookups.Writer.TryWrite(lookup);
        return lookup.Audience.Task;
    }

    private static string CacheKey(VisitorIdentity visitor) => $"typing:{visitor.VisitorId}:{visitor.SiteId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<Lookup>();
        while (await lookups.Reader.WaitToReadAsync(stoppingToken))
        {
            // Everything that queued while the previous query ran goes into this one.
            while (batch.Count < MaxBatch && lookups.Reader.TryRead(out var lookup))
                batch.Add(lookup);
            try
            {
                var audiences = await LoadAsync(batch.Select(l => l.Visitor).Distinct().ToList(), stoppingToken);
                foreach (var lookup in batch)
                    lookup.Audience.TrySetResult(audiences.GetValueOrDefault(lookup.Visitor));
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Could not look up who sees the typing of {Count} visitors", batch.Count);
                foreach (var lookup in batch)
                {
                    cache.Remove(CacheKey(lookup.Visitor)); // do not keep a failed lookup for a second
                    lookup.Audience.TrySetException(e);
                }
            }
            batch.Clear();
        }
    }

    private async Task<Dictionary<VisitorIdentity, TypingAudience>> LoadAsync(List<VisitorIdentity> visitors, CancellationToken cancellationToken)
    {
        // Each visitor's latest open conversation on their site, with its owner and the invited operators still in it.
        const string audienceSql = """
            SELECT v.visitor_id, v.site_id, c.id, s.typing_preview,
                   ARRAY(SELECT DISTINCT a.operator_id FROM unnest(array_prepend(c.operator_id,
                           ARRAY(SELECT p.operator_id FROM conversation_participants p WHERE p.conversation_id = c.id AND p.left_at IS NULL))) a(operator_id)
                         WHERE a.operator_id IS NOT NULL) AS operator_ids
            FROM unnest($1::uuid[], $2::uuid[]) AS v(visitor_id, site_id)
            CROSS JOIN LATERAL (
                SELECT c.id, c.operator_id FROM conversations c
                WHERE c.visitor_id = v.visitor_id AND c.site_id = v.site_id AND c.status <> 'ended'
                ORDER BY c.requested_at DESC, c.id DESC LIMIT 1) c
            JOIN sites s ON s.id = v.site_id
            """;
        var found = new Dictionary<VisitorIdentity, TypingAudience>();
        await using var command = dataSource.CreateCommand(audienceSql);
        command.Parameters.Add(new NpgsqlParameter { Value = visitors.Select(v => v.VisitorId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = visitors.Select(v => v.SiteId).ToArray() });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            found[new VisitorIdentity(reader.GetGuid(0), reader.GetGuid(1))] = new TypingAudience(reader.GetGuid(2), reader.GetFieldValue<string[]>(4), reader.GetBoolean(3));
        return found;
    }
}
