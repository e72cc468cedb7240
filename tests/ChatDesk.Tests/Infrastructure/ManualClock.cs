namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// A clock the test moves by hand. It starts at the real current time so that cookies the browser
/// keeps (whose expiry the server computes from this clock) stay valid.
/// </summary>
public sealed class ManualClock : TimeProvider
{
    private readonly Lock gate = new();
    private DateTimeOffset now = WholeSeconds(TimeProvider.System.GetUtcNow());

    public override DateTimeOffset GetUtcNow()
    {
        lock (gate) return now;
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset time) => time.AddTicks(-(time.Ticks % TimeSpan.TicksPerSecond));

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (gate) now += by;
    }
}
