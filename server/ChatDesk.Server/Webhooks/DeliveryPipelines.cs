using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Timeout;

namespace ChatDesk.Server.Webhooks;

/// <summary>The result of one try: sent, or why not and whether trying again may help.</summary>
public sealed record AttemptResult(bool Succeeded, bool Retryable, int? StatusCode, TimeSpan? RetryAfter, string? Error)
{
    public static AttemptResult Success(int? statusCode) => new(true, false, statusCode, null, null);
    public static AttemptResult Transient(int? statusCode, string error, TimeSpan? retryAfter = null) => new(false, true, statusCode, retryAfter, error);
    public static AttemptResult Permanent(int? statusCode, string error) => new(false, false, statusCode, null, error);
}

/// <summary>A delivery's tries so far (resumed from its row) and how each retry is made durable.</summary>
public sealed class DeliveryProgress(int attempts, Func<DeliveryProgress, TimeSpan, string?, ValueTask> beforeRetry)
{
    /// <summary>Tries made, in earlier processes too. An attempt refused by an open circuit counts.</summary>
    public int Attempts { get; set; } = attempts;

    public Func<DeliveryProgress, TimeSpan, string?, ValueTask> BeforeRetry { get; } = beforeRetry;
}

/// <summary>
/// One Polly pipeline per endpoint (a webhook target's origin, the SMTP server): retry with exponential back-off and
/// jitter, or the receiver's Retry-After, on transient failures (5xx, 429, 408, connection failures, timeouts, an open
/// circuit), around a circuit breaker of that endpoint's own, around a timeout per try. Real time paces the retries
/// and the circuit (they wait for the network, not for anything the injected clock measures); the row records each
/// retry (<see cref="DeliveryProgress.BeforeRetry"/>) so that a node that dies leaves the count for the next.
/// </summary>
public sealed class DeliveryPipelines(OutboxOptions options, OutboxOutcomes outcomes)
{
    public static readonly ResiliencePropertyKey<DeliveryProgress> ProgressKey = new("chatdesk.outbox.progress");

    private readonly ResiliencePipelineRegistry<string> registry = new();

    public ResiliencePipeline<AttemptResult> For(string channel, string endpoint) =>
        registry.GetOrAddPipeline<AttemptResult>($"{channel} {endpoint}", builder => builder
            .AddRetry(new RetryStrategyOptions<AttemptResult>
            {
                // Bounded by the delivery's own count (it may resume in another process), not by this number.
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ValueTask.FromResult(
                    IsTransient(args.Outcome) && args.Context.Properties.GetValue(ProgressKey, null!).Attempts < options.MaxAttempts),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(RetryDelays.Next(
                    args.Context.Properties.GetValue(ProgressKey, null!).Attempts, RetryAfter(args.Outcome), options, Random.Shared.NextDouble())),
                OnRetry = args =>
                {
                    var progress = args.Context.Properties.GetValue(ProgressKey, null!);
                    if (args.Outcome.Exception is BrokenCircuitException)
                        progress.Attempts++;
                    outcomes.Record(channel, endpoint, OutboxOutcome.Retrying);
                    return progress.BeforeRetry(progress, args.RetryDelay, Describe(args.Outcome));
                },
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<AttemptResult>
            {
                FailureRatio = options.CircuitFailureRatio,
                MinimumThroughput = options.CircuitMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(options.CircuitSamplingSeconds),
                BreakDuration = TimeSpan.FromSeconds(options.CircuitBreakSeconds),
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome)),
                OnOpened = _ =>
                {
                    outcomes.Record(channel, endpoint, OutboxOutcome.CircuitOpened);
                    return default;
                },
                OnClosed = _ =>
                {
                    outcomes.Record(channel, endpoint, OutboxOutcome.CircuitClosed);
                    return default;
                },
            })
            .AddTimeout(options.AttemptTimeout));

    private static bool IsTransient(Outcome<AttemptResult> outcome) =>
        outcome.Exception is TimeoutRejectedException or BrokenCircuitException || outcome.Result is { Retryable: true };

    // A retry timed to the very end of the break can reach the circuit a moment early (its timer and the circuit's
    // clock differ by a few milliseconds) and be refused once more, spending an attempt.
    private static readonly TimeSpan AfterBreakMargin = TimeSpan.FromMilliseconds(100);

    private static TimeSpan? RetryAfter(Outcome<AttemptResult> outcome) =>
        outcome.Exception is BrokenCircuitException { RetryAfter: { } breakLeft } ? breakLeft + AfterBreakMargin : outcome.Result?.RetryAfter;

    public static string? Describe(Outcome<AttemptResult> outcome) => outcome.Exception switch
    {
        TimeoutRejectedException t => $"No answer within {t.Timeout.TotalSeconds:0.#} s (timed out).",
        BrokenCircuitException => "Not sent: the endpoint failed repeatedly, so its circuit is open for a while.",
        { } e => e.Message,
        null => outcome.Result?.Error,
    };
}
