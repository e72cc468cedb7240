using ChatDesk.Server.Routing;

namespace ChatDesk.Tests.Routing;

public sealed class BusinessHoursTests
{
    private static readonly BusinessHours Paris = new("Europe/Paris", new Dictionary<DayOfWeek, IReadOnlyList<string>>
    {
        [DayOfWeek.Monday] = ["09:00-12:30", "14:00-18:00"],
        [DayOfWeek.Saturday] = ["10:00-13:00"],
    });

    [Theory]
    [InlineData("2026-11-23T08:00:00Z", true)]   // Monday 09:00 in Paris (UTC+1)
    [InlineData("2026-11-23T07:59:59Z", false)]  // 08:59:59
    [InlineData("2026-11-23T11:30:00Z", false)]  // 12:30, lunch
    [InlineData("2026-11-23T16:59:00Z", true)]   // 17:59
    [InlineData("2026-11-23T17:00:00Z", false)]  // 18:00, closed
    [InlineData("2026-11-24T10:00:00Z", false)]  // Tuesday: no hours
    [InlineData("2026-06-27T08:30:00Z", true)]   // Saturday 10:30 in summer time (UTC+2)
    public void Open_only_within_the_days_ranges_in_the_sites_time_zone(string utc, bool open) =>
        Assert.Equal(open, Paris.IsOpen(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Bad_zones_and_ranges_are_reported()
    {
        var bad = new BusinessHours("Mars/Olympus", new Dictionary<DayOfWeek, IReadOnlyList<string>> { [DayOfWeek.Monday] = ["18:00-09:00", "9h-5h"] });
        Assert.Equal(3, bad.Problems.Count());
        Assert.Empty(Paris.Problems);
    }
}
