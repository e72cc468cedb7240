namespace ChatDesk.Server.Data;

public static class ClockExtensions
{
    /// <summary>
    /// The current UTC time at PostgreSQL's precision (microseconds), so a timestamp handed to a
    /// client is exactly the one stored.
    /// </summary>
    public static DateTimeOffset UtcNowForStorage(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}
