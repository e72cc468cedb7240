namespace ChatDesk.Server.Webhooks;

/// <summary>When to try a delivery again: the receiver's Retry-After when it gave one, else exponential back-off with jitter.</summary>
public static class RetryDelays
{
    /// <param name="attempt">Tries made so far (1 after the first).</param>
    /// <param name="jitter">A number in [0, 1): the delay is spread over 75 % to 125 % of the exponential step.</param>
    public static TimeSpan Next(int attempt, TimeSpan? retryAfter, OutboxOptions options, double jitter)
    {
        if (retryAfter is { } asked)
            return TimeSpan.FromSeconds(Math.Clamp(asked.TotalSeconds, 0, options.MaxRetryAfterSeconds));
        var exponential = options.BaseDelayMilliseconds * Math.Pow(2, Math.Clamp(attempt - 1, 0, 30));
        var spread = exponential * (0.75 + jitter / 2);
        return TimeSpan.FromMilliseconds(Math.Min(spread, options.MaxDelaySeconds * 1000.0));
    }

    /// <summary>A Retry-After header: seconds, or an HTTP date (relative to now).</summary>
    public static TimeSpan? FromHeader(System.Net.Http.Headers.RetryConditionHeaderValue? header, DateTimeOffset now) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
        _ => null,
    };
}
