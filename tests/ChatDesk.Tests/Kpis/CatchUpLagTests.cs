using ChatDesk.Server.Kpis;

namespace ChatDesk.Tests.Kpis;

public sealed class CatchUpLagTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_empty_queue_is_no_lag()
    {
        var lag = new CatchUpLag();
        Assert.Equal(TimeSpan.Zero, lag.Observe(T0, null, null));
    }

    [Fact]
    public void The_lag_is_the_age_of_the_first_reading_that_saw_the_oldest_pending_change()
    {
        var lag = new CatchUpLag();
        Assert.Equal(TimeSpan.Zero, lag.Observe(T0, 1, 10)); // changes 1..10 queued, first seen now
        Assert.Equal(TimeSpan.FromSeconds(5), lag.Observe(T0.AddSeconds(5), 4, 20)); // change 4 was there at T0
        // Up to 10 projected: 11 was first seen at T0+5.
        Assert.Equal(TimeSpan.FromSeconds(5), lag.Observe(T0.AddSeconds(10), 11, 30));
        // Everything seen before is projected: the oldest pending change is newer than the last reading.
        Assert.Equal(TimeSpan.Zero, lag.Observe(T0.AddSeconds(15), 31, 35));
        Assert.Equal(TimeSpan.Zero, lag.Observe(T0.AddSeconds(20), null, null));
        Assert.Equal(TimeSpan.Zero, lag.Observe(T0.AddSeconds(25), 40, 40));
    }

    [Fact]
    public void A_projection_that_is_stuck_shows_a_growing_lag()
    {
        var lag = new CatchUpLag();
        lag.Observe(T0, 7, 7);
        for (var i = 1; i <= 12; i++)
            Assert.Equal(TimeSpan.FromSeconds(5 * i), lag.Observe(T0.AddSeconds(5 * i), 7, 7 + i));
    }
}
