using System.Threading.Channels;
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
        FROM (SELECT id, subscription_id FROM outbox WHERE status = 'pending' AND next_attempt_at <= $1
              ORDER BY next_attempt_at LIMIT $4 FOR UPDATE SKIP LOCKED) due
        LEFT JOIN webhook_subscriptions s ON s.id = due.subscription_id
        WHERE o.id = due.id
        RETURNING o.id, o.channel, o.kind, o.attempts, o.payload, o.created_at, s.url, s.secret, NOT s.enabled
        """;

    /// <summary>The error of a row whose subscription was disabled before it was sent (a replay sends it once re-enabled).</summary>
    public const string SubscriptionDisabled = "Not sent: the subscription was disabled.";

    private const int MaxErrorChars = 500;
    private const int MaxCompletionsPerWrite = 256;

    // Outcomes are written together, one statement per round trip: at hundreds of deliveries a second, one commit each
    // would be the bottleneck. A row whose outcome was not written when its node died is sent again when its lease
    // ends (receivers de-duplicate on the id).
    private const string CompleteSql = """
        UPDATE outbox o SET status = v.status, attempts = v.attempts, last_status_code = v.code, last_error = v.error,
            latency_ms = v.latency, completed_at = v.at,
            -- A sent e-mail's addresses and text are personal data that nothing needs any more.
            payload = CASE WHEN o.channel = 'email' AND v.status = 'delivered' THEN '' ELSE o.payload END
        FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[], $6::int[], $7::timestamptz[])
            AS v(id, status, attempts, code, error, latency, at)
        WHERE o.id = v.id AND o.status = 'pending'
        """;

    private sealed record Completion(Guid Id, string Status, int Attempts, int? StatusCode, string? Error, int? LatencyMs, DateTimeOffset At);

    private readonly Channel<Completion> completions = Channel.CreateUnbounded<Completion>(new UnboundedChannelOptions { SingleReader = true });

    private readonly Dictionary<string, IOutboxSender> sendersByChannel = senders.ToDictionary(s => s.Channel);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Dispatch)
            return;
        var slots = new SemaphoreSlim(options.Concurrency);
        var poll = TimeSpan.FromMilliseconds(Math.Max(10, options.PollMilliseconds));
        // While busy, claim in batches of at least this many rather than one row per finished delivery.
        var minClaim = Math.Max(1, options.Concurrency / 4);
        var writer = Task.Run(WriteCompletionsAsync, CancellationToken.None);
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
                if (free < minClaim)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(5), stoppingToken); // a few more finish
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
        // Let running deliveries record their state (they stop at their next await), then write the last outcomes.
        for (var i = 0; i < options.Concurrency; i++)
            await slots.WaitAsync(TimeSpan.FromSeconds(5));
        completions.Writer.TryComplete();
        await writer;
    }

    private async Task WriteCompletionsAsync()
    {
        var batch = new List<Completion>(MaxCompletionsPerWrite);
        while (await completions.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxCompletionsPerWrite && completions.Reader.TryRead(out var completion))
                batch.Add(completion);
            try
            {
                await databaseRetry.ExecuteAsync(async () =>
                {
                    await using var command = dataSource.CreateCommand(CompleteSql);
                    command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. batch.Select(c => c.Id)] });
                    command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. batch.Select(c => c.Status)] });
                    command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. batch.Select(c => c.Attempts)] });
                    command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. batch.Select(c => c.StatusCode)] });
                    command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = [.. batch.Select(c => c.Error)] });
                    command.Parameters.Add(new NpgsqlParameter<int?[]> { TypedValue = [.. batch.Select(c => c.LatencyMs)] });
                    command.Parameters.Add(new NpgsqlParameter<DateTimeOffset[]> { TypedValue = [.. batch.Select(c => c.At)] });
                    return await command.ExecuteNonQueryAsync();
                }, () => { });
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Recording {Count} outbox outcomes failed; those rows are sent again when their lease ends", batch.Count);
            }
            batch.Clear();
        }
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
                    reader.GetFieldValue<DateTimeOffset>(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                    !reader.IsDBNull(8) && reader.GetBoolean(8)));
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
        if (item.SubscriptionDisabled)
        {
            // Disabled while the row waited (the admin endpoint fails the waiting rows; this covers a row claimed meanwhile).
            await CompleteAsync(item.Id, OutboxStatus.Failed, item.Attempts, null, SubscriptionDisabled, null);
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
                // A retry, after its back-off: the row may have been withdrawn meanwhile (its subscription disabled, its
                // visitor erased).
                if (state.Attempts > item.Attempts && !await IsPendingAsync(item.Id))
                    return Outcome.FromException<AttemptResult>(new DeliveryWithdrawnException());
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
            if (outcome.Exception is DeliveryWithdrawnException)
                return; // whoever withdrew it completed the row
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

    private async Task<bool> IsPendingAsync(Guid id) => await databaseRetry.ExecuteAsync(async () =>
    {
        await using var command = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM outbox WHERE id = $1 AND status = 'pending')");
        command.Parameters.Add(new NpgsqlParameter { Value = id, NpgsqlDbType = NpgsqlDbType.Uuid });
        return (bool)(await command.ExecuteScalarAsync())!;
    }, () => { });

    private sealed class DeliveryWithdrawnException() : Exception("The row is no longer pending.");

    private Task RecordRetryAsync(Guid id, int attempts, TimeSpan delay, string? error) =>
        ExecuteAsync("UPDATE outbox SET attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $1 AND status = 'pending'",
            id, attempts, clock.GetUtcNow() + delay + options.Lease, Truncate(error));

    private Task ReleaseAsync(Guid id, int attempts) =>
        ExecuteAsync("UPDATE outbox SET attempts = $2, next_attempt_at = $3, claimed_by = NULL WHERE id = $1 AND status = 'pending'",
            id, attempts, clock.GetUtcNow());

    private Task CompleteAsync(Guid id, string status, int attempts, int? statusCode, string? error, int? latencyMs)
    {
        completions.Writer.TryWrite(new Completion(id, status, attempts, statusCode, Truncate(error), latencyMs, clock.GetUtcNow()));
        return Task.CompletedTask;
    }

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
