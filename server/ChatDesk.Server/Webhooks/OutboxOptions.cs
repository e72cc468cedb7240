namespace ChatDesk.Server.Webhooks;

/// <summary>
/// How the outbox is delivered (<c>ChatDesk:Outbox:*</c>) and where webhooks may go (<c>ChatDesk:Webhooks:*</c>).
/// The same Polly policy serves webhooks and e-mail.
/// </summary>
public sealed record OutboxOptions
{
    /// <summary>Off: this node queues but sends nothing (another node does).</summary>
    public bool Dispatch { get; init; } = true;
    public int Concurrency { get; init; } = 64;
    public int PollMilliseconds { get; init; } = 100;

    /// <summary>Tries per delivery, the first included, before it is marked failed (replayable from the console).</summary>
    public int MaxAttempts { get; init; } = 8;
    public int BaseDelayMilliseconds { get; init; } = 1000;
    public int MaxDelaySeconds { get; init; } = 60;

    /// <summary>A Retry-After longer than this is shortened to it.</summary>
    public int MaxRetryAfterSeconds { get; init; } = 300;
    public int AttemptTimeoutSeconds { get; init; } = 10;

    /// <summary>Per endpoint: the circuit opens when this share of the calls in the sampling window fail, once there were enough.</summary>
    public double CircuitFailureRatio { get; init; } = 0.5;
    public int CircuitMinimumThroughput { get; init; } = 10;
    public int CircuitSamplingSeconds { get; init; } = 30;
    public int CircuitBreakSeconds { get; init; } = 30;

    /// <summary>Webhook targets on loopback, link-local or private addresses are refused unless this is on (tests, on-premise receivers).</summary>
    public bool AllowPrivateTargets { get; init; }

    /// <summary>Days delivered and failed rows are kept (the console shows recent deliveries), whatever a site's retention; pending rows stay.</summary>
    public int KeepDays { get; init; } = 30;

    public TimeSpan AttemptTimeout => TimeSpan.FromSeconds(AttemptTimeoutSeconds);

    /// <summary>How long a claimed row stays with its node before another may take it (the node died).</summary>
    public TimeSpan Lease => AttemptTimeout + TimeSpan.FromSeconds(30);

    public static OutboxOptions From(IConfiguration configuration)
    {
        var options = configuration.GetSection("ChatDesk:Outbox").Get<OutboxOptions>() ?? new OutboxOptions();
        return options with { AllowPrivateTargets = configuration.GetValue("ChatDesk:Webhooks:AllowPrivateTargets", false) };
    }
}
