using ChatDesk.Server.Data;
using ChatDesk.Server.Routing;
using Npgsql;
using NpgsqlTypes;
using Polly;

namespace ChatDesk.Server.Webhooks;

/// <summary>
/// Sends the outbox, on every node. Due rows are claimed with <c>FOR UPDATE SKIP LOCKED</c> and leased (their
/// next_attempt_at moved past the try), so each row is sent by one node; a node that dies leaves its rows to be
/// claimed again when their lease ends, with their attempt count. Each row goes through its endpoint's pipeline
/// (<see cref="DeliveryPipelines"/>); its outcome is written to the row and reported to <see cref="OutboxOutcomes"/>.
/// </summary>
public sealed class OutboxDispatcher(
    NpgsqlDataSource dataSource, DatabaseRetry databaseRetry, IEnumerable<IOutboxSender> senders, DeliveryPipelines pipelines,
    OutboxOutcomes outcomes, OutboxOptions options, ServerNode node, TimeProvider clock, ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private const string ClaimSql = """
        UPDATE outbox o SET next_attempt_at = $2, claimed_by = $3
        FROM (SELECT id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1
              ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) due
        WHERE o.id = due.id
        RETURNING o.id, o.channel, o.kind, o.attempts, o.payload, o.created_at,
                  (SELECT s.url FROM webhook_subscriptions s WHERE s.id = o.subscription_id),
                  (SELECT s.secret FROM webhook_subscriptions s WHERE s.id = o.subscription_id)
        """;

    private const int MaxErrorChars = 500;

    private readonly Dictionary<string, IOutboxSender> sendersByChannel = senders.ToDictionary(s => s.Channel);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Dispatch)
            return;
        var slots = new SemaphoreSlim(options.Concurrency);
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, options.PollMilliseconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var free = slots.CurrentCount;
                if (free == 0)
                {
                    await slots.WaitAsync(stoppingToken); // one finished
                    slots.Release();
                    continue;
                }
                var claimed = await ClaimAsync(free);
                foreach (var item in claimed)
                {
                    await slots.WaitAsync(stoppingToken);
                    _ = Task.Run(async () =>
                    {
                        try
                        {
                            await DeliverAsync(item, stoppingToken);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    }, CancellationToken.None);
                }
                if (claimed.Count < free)
                    await Task.Delay(poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Claiming outbox rows failed; trying again shortly");
                await Task.Delay(poll * 5, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        // Let running deliveries record their state (they stop at their next await).
        for (var i = 0; i < options.Concurrency; i++)
            await slots.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private async Task<List<ClaimedItem>> ClaimAsync(int limit)
    {
        var now = clock.GetUtcNow();
        return await databaseRetry.ExecuteAsync(async () =>
        {
            await using var command = dataSource.CreateCommand(ClaimSql);
            command.Parameters.Add(new NpgsqlParameter { Value = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = now + options.Lease, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            command.Parameters.Add(new NpgsqlParameter { Value = node.Id, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
            await using var reader = await command.ExecuteReaderAsync();
            var items = new List<ClaimedItem>();
            while (await reader.ReadAsync())
                items.Add(new ClaimedItem(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetInt32(3), reader.GetString(4),
                    reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
            return items;
        }, () => { });
    }

    private async Task DeliverAsync(ClaimedItem item, CancellationToken stoppingToken)
    {
        if (!sendersByChannel.TryGetValue(item.Channel, out var sender))
        {
            await CompleteAsync(item.Id, OutboxStatus.Failed, item.Attempts, null, $"Nothing sends the channel '{item.Channel}' on this server.", null);
            return;
        }
        var endpoint = sender.Endpoint(item);
        var progress = new DeliveryProgress(item.Attempts, (p, delay, error) => new ValueTask(RecordRetryAsync(item.Id, p.Attempts, delay, error)));
        var context = ResilienceContextPool.Shared.Get(stoppingToken);
        context.Properties.Set(DeliveryPipelines.ProgressKey, progress);
        long started = 0;
        try
        {
            var outcome = await pipelines.For(item.Channel, endpoint).ExecuteOutcomeAsync(async (ctx, state) =>
            {
                state.Attempts++;
                started = clock.GetTimestamp();
                try
                {
                    return Outcome.FromResult(await sender.SendAsync(item, state.Attempts, ctx.CancellationToken));
                }
                catch (OperationCanceledException e)
                {
                    return Outcome.FromException<AttemptResult>(e);
                }
            }, context, progress);
            if (outcome.Exception is OperationCanceledException && stoppingToken.IsCancellationRequested)
            {
                await ReleaseAsync(item.Id, progress.Attempts); // shutting down: another node (or this one, restarted) sends it
                return;
            }
            var latency = (int)clock.GetElapsedTime(started).TotalMilliseconds;
            if (outcome.Result is { Succeeded: true } success)
            {
                await CompleteAsync(item.Id, OutboxStatus.Delivered, progress.Attempts, success.StatusCode, null, latency);
                outcomes.Record(item.Channel, endpoint, OutboxOutcome.Delivered);
            }
            else
            {
                await CompleteAsync(item.Id, OutboxStatus.Failed, progress.Attempts, outcome.Result?.StatusCode, DeliveryPipelines.Describe(outcome), latency);
                outcomes.Record(item.Channel, endpoint, OutboxOutcome.Failed);
            }
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            // The database failed past its retries: the lease ends and the row is claimed again.
            logger.LogWarning(e, "Recording the outcome of outbox row {Id} failed", item.Id);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task RecordRetryAsync(Guid id, int attempts, TimeSpan delay, string? error) =>
        ExecuteAsync("UPDATE outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1 AND status = 'pending'",
            id, attempts, clock.GetUtcNow() + delay + options.Lease, Truncate(error));

    private Task ReleaseAsync(Guid id, int attempts) =>
        ExecuteAsync("UPDATE outbox SET attempts = $2, next_attempt_at = $3, claimed_by = NULL WHERE id = $1 AND status = 'pending'",
            id, attempts, clock.GetUtcNow());

    private Task CompleteAsync(Guid id, string status, int attempts, int? statusCode, string? error, int? latencyMs) =>
        ExecuteAsync("""
            UPDATE outbox SET status = $2, attempts = $3, last_status_code = $4, last_error = $5, latency_ms = $6, completed_at = $7,
                -- A sent e-mail's addresses and text are personal data that nothing needs any more.
                payload = CASE WHEN channel = 'email' AND $2 = 'delivered' THEN '' ELSE payload END
            WHERE id = $1 AND status = 'pending'
            """, id, status, attempts, statusCode, Truncate(error), latencyMs, clock.GetUtcNow());

    private async Task ExecuteAsync(string sql, params object?[] values)
    {
        await databaseRetry.ExecuteAsync(async () =>
        {
            await using var command = dataSource.CreateCommand(sql);
            foreach (var value in values)
                command.Parameters.Add(value switch
                {
                    null => new NpgsqlParameter { Value = DBNull.Value },
                    DateTimeOffset time => new NpgsqlParameter { Value = time, NpgsqlDbType = NpgsqlDbType.TimestampTz },
                    _ => new NpgsqlParameter { Value = value },
                });
            return await command.ExecuteNonQueryAsync();
        }, () => { });
    }

    private static string? Truncate(string? error) => error is { Length: > MaxErrorChars } ? error[..(MaxErrorChars - 1)] + "…" : error;
}
