using ChatDesk.Server.Routing;

namespace ChatDesk.Tests.Routing;

public sealed class WaitEstimatorTests
{
    [Fact]
    public void The_wait_is_the_position_divided_by_the_recent_assignment_rate()
    {
        // 30 assignments in 30 minutes = one a minute: third in line waits about three minutes.
        Assert.Equal(TimeSpan.FromMinutes(3), WaitEstimator.Estimate(3, 30, TimeSpan.FromMinutes(30)));
        Assert.Equal(TimeSpan.FromSeconds(20), WaitEstimator.Estimate(1, 90, TimeSpan.FromMinutes(30)));
    }

    [Fact]
    public void Too_little_data_gives_no_number()
    {
        Assert.Null(WaitEstimator.Estimate(1, WaitEstimator.MinimumAssignments - 1, TimeSpan.FromMinutes(30)));
        Assert.Null(WaitEstimator.Estimate(0, 100, TimeSpan.FromMinutes(30)));
        Assert.NotNull(WaitEstimator.Estimate(1, WaitEstimator.MinimumAssignments, TimeSpan.FromMinutes(30)));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(59, 1)]
    [InlineData(60, 1)]
    [InlineData(61, 2)]
    [InlineData(600, 10)]
    public void Minutes_round_up_and_are_at_least_one(int seconds, int minutes) =>
        Assert.Equal(minutes, WaitEstimator.Minutes(TimeSpan.FromSeconds(seconds)));
}
