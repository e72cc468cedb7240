using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Webhooks;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Privacy;

/// <summary>
/// Applies each site's retention period: the personal data of conversations that ended longer ago than the
/// site keeps them is erased (their KPI facts stay), and so are older offline messages and outbox rows (webhook
/// deliveries and e-mails, whatever their status). Nodes take turns under an advisory lock; a conversation is
/// erased once (it is marked). Apart from that, delivered or failed outbox rows go after <c>ChatDesk:Outbox:KeepDays</c>.
/// </summary>
public sealed class RetentionService(ChatDeskDbContext db, PersonalDataEraser eraser, EventLog events, OutboxOptions outboxOptions, TimeProvider clock)
{
    private const int BatchSize = 200;
    private const int TrimBatchSize = 1000;

    /// <returns>How many conversations were erased.</returns>
    public async Task<int> ApplyAsync(CancellationToken ct = default)
    {
        var total = 0;
        var now = clock.UtcNowForStorage();
        var sites = await db.Sites.AsNoTracking().Where(s => s.RetentionDays != null).Select(s => new { s.Id, s.Key, s.Name, s.RetentionDays }).ToListAsync(ct);
        foreach (var site in sites)
        {
            var cutoff = now - TimeSpan.FromDays(site.RetentionDays!.Value);
            while (true)
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                if (!await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock(hashtext('chatdesk.retention')) AS \"Value\"").SingleAsync(ct))
                    return total; // another node is at it
                var ids = await db.Conversations
                    .Where(c => c.SiteId == site.Id && c.Status == Chats.ConversationStatus.Ended && c.RedactedAt == null && c.EndedAt < cutoff)
                    .OrderBy(c => c.EndedAt).Select(c => c.Id).Take(BatchSize).ToListAsync(ct);
                var offline = await db.OfflineMessages.Where(o => o.SiteId == site.Id && o.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
                var outbox = await db.Database.ExecuteSqlInterpolatedAsync($"""
                    DELETE FROM outbox WHERE id IN
                        (SELECT id FROM outbox WHERE site_id = {site.Id} AND created_at < {cutoff} ORDER BY created_at LIMIT {BatchSize})
                    """, ct);
                if (ids.Count == 0 && offline == 0 && outbox == 0)
                    break;
                var (counts, fileIds) = await eraser.EraseAsync(ids, ct);
                // Each batch is audited in the transaction that erases it.
                events.AppendAdminEvent(db, AdminEventTypes.RetentionApplied, null, new AuditTarget("site", site.Key, site.Name), null,
                    new { retentionDays = site.RetentionDays, counts.Conversations, counts.Messages, counts.Files, offlineMessages = offline, outboxRows = counts.OutboxRows + outbox });
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                await eraser.DeleteFileBytesAsync(fileIds);
                total += counts.Conversations;
                if (ids.Count < BatchSize && outbox < BatchSize)
                    break;
            }
        }
        return total;
    }

    /// <summary>
    /// Deletes delivered and failed outbox rows completed more than KeepDays ago, whatever the sites keep: the
    /// console shows only recent deliveries and the table must not grow for ever. Pending rows are never touched.
    /// No lock: two nodes deleting the same old rows do no harm.
    /// </summary>
    /// <returns>How many rows were deleted.</returns>
    public async Task<int> TrimCompletedOutboxAsync(CancellationToken ct = default)
    {
        var cutoff = clock.UtcNowForStorage() - TimeSpan.FromDays(Math.Max(1, outboxOptions.KeepDays));
        var total = 0;
        while (true)
        {
            var deleted = await db.Database.ExecuteSqlInterpolatedAsync($"""
                DELETE FROM outbox WHERE id IN
                    (SELECT id FROM outbox WHERE status <> 'pending' AND completed_at < {cutoff} ORDER BY completed_at LIMIT {TrimBatchSize})
                """, ct);
            total += deleted;
            if (deleted < TrimBatchSize)
                return total;
        }
    }
}

/// <summary>Applies retention periodically on every node (the service itself lets one node work at a time).</summary>
public sealed class RetentionSweeper(IServiceScopeFactory scopes, IConfiguration configuration, ILogger<RetentionSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(Math.Max(1, configuration.GetValue("ChatDesk:Privacy:RetentionSweepMinutes", 60))));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var erased = await scope.ServiceProvider.GetRequiredService<RetentionService>().ApplyAsync(stoppingToken);
                if (erased > 0)
                    logger.LogInformation("Retention erased the personal data of {Count} conversations", erased);
                var trimmed = await scope.ServiceProvider.GetRequiredService<RetentionService>().TrimCompletedOutboxAsync(stoppingToken);
                if (trimmed > 0)
                    logger.LogInformation("Deleted {Count} completed outbox rows older than ChatDesk:Outbox:KeepDays", trimmed);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Retention sweep failed");
            }
        }
    }
}
