using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using Polly;
using Polly.Retry;

namespace ChatDesk.Server.Data;

/// <summary>
/// The database went away for a moment (a restart, a failover, a cut connection in the pool). Such a failure is
/// retried by a bounded Polly pipeline, only around calls that are safe to run again: reads, and operations made
/// idempotent by the caller's own id (a message's client id). Past the retries, the caller gets a clear,
/// retryable error and keeps what they typed.
/// </summary>
public sealed class DatabaseRetry
{
    public const string UnavailableMessage = "ChatDesk cannot reach its database right now. Nothing you typed is lost: try again in a moment.";

    // Real time paces the retries: they wait for the network, not for anything the injected clock measures.
    private readonly ResiliencePipeline pipeline = new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<Exception>(IsTransient),
            MaxRetryAttempts = 3,
            Delay = TimeSpan.FromMilliseconds(100), // 100, 200, 400 ms with jitter: about 0.7 s before giving up
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
        })
        .Build();

    public static bool IsTransient(Exception? e) => e switch
    {
        null => false,
        PostgresException p => p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState is "57P01" or "57P02" or "57P03",
        NpgsqlException n => n.IsTransient,
        TimeoutException => true,
        DbUpdateException or InvalidOperationException or AggregateException => IsTransient(e.InnerException),
        _ => false,
    };

    /// <param name="beforeRetry">Undoes what the failed attempt left behind (e.g. a unit of work's tracked changes).</param>
    public ValueTask<T> ExecuteAsync<T>(Func<ValueTask<T>> operation, Action beforeRetry) =>
        pipeline.ExecuteAsync(async (attempt, _) =>
        {
            if (attempt.Value++ > 0)
                beforeRetry();
            return await operation();
        }, new StrongBox<int>(), CancellationToken.None);
}
