using System.Threading.RateLimiting;

namespace ChatDesk.Server.RateLimits;

/// <summary>
/// A token bucket: up to <see cref="Burst"/> calls at once, refilled at <see cref="PerMinute"/> calls a minute.
/// </summary>
public sealed class RateRule
{
    public int Burst { get; set; }
    public int PerMinute { get; set; }

    public RateRule() { }

    public RateRule(int burst, int perMinute) => (Burst, PerMinute) = (burst, perMinute);

    public TokenBucketRateLimiterOptions ToLimiterOptions()
    {
        // Refill in steps of at least 100 ms (the partitioned limiters' replenishing tick) so high rates stay exact.
        var perMinute = Math.Max(1, PerMinute);
        var period = TimeSpan.FromMilliseconds(Math.Max(100, 60_000.0 / perMinute));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, Burst),
            TokensPerPeriod = Math.Max(1, (int)Math.Round(perMinute * period.TotalMinutes)),
            ReplenishmentPeriod = period,
            QueueLimit = 0, // a limited call is refused at once, never held
            AutoReplenishment = true,
        };
    }
}

/// <summary>
/// Abuse limits, under <c>ChatDesk:RateLimits:*</c> (e.g. <c>ChatDesk:RateLimits:VisitorMessages:Burst</c>).
/// They are kept in memory by each node: behind a load balancer a client gets at most N times a limit.
/// The defaults stay clear of real use and of the load benchmarks (1000 visitors from one address, typing
/// every 300 ms, 500 messages a second in total), which is why the per-address ones are high.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "ChatDesk:RateLimits";

    public RateRule WidgetSessionsPerIp { get; set; } = new(2000, 600);
    /// <summary>
    /// Visitor hub connections (the negotiation and the transport each count): a widget reconnects now and then,
    /// a script that gets itself disconnected on purpose (e.g. by oversize messages) does not come straight back.
    /// </summary>
    public RateRule VisitorConnections { get; set; } = new(20, 30);
    public RateRule LoginsPerIp { get; set; } = new(100, 100);
    public RateRule LoginsPerAccount { get; set; } = new(30, 30);
    public RateRule VisitorUploads { get; set; } = new(20, 20);
    public RateRule OperatorUploads { get; set; } = new(60, 60);
    public RateRule StartChatPerVisitor { get; set; } = new(10, 10);
    public RateRule StartChatPerSite { get; set; } = new(3000, 6000);
    public RateRule StartChatPerIp { get; set; } = new(2000, 3000);
    public RateRule VisitorMessages { get; set; } = new(10, 60);
    public RateRule OperatorMessages { get; set; } = new(100, 3000);
    public RateRule VisitorTyping { get; set; } = new(20, 600);
    public RateRule OperatorTyping { get; set; } = new(40, 1200);
    public RateRule OfflineMessagesPerVisitor { get; set; } = new(5, 5);
    public RateRule OfflineMessagesPerIp { get; set; } = new(50, 50);
    public RateRule TranscriptEmailsPerVisitor { get; set; } = new(3, 3);
    public RateRule TranscriptEmailsPerIp { get; set; } = new(30, 30);
}
