using System.Globalization;
using System.Text.Json.Serialization;

namespace ChatDesk.Server.Routing;

/// <summary>
/// When a site takes chats: per weekday a list of "HH:mm-HH:mm" ranges in the site's time zone.
/// A day without ranges is closed. Stored as JSON on the site; null means always open.
/// </summary>
public sealed record BusinessHours(string TimeZone, IReadOnlyDictionary<DayOfWeek, IReadOnlyList<string>> Days)
{
    [JsonIgnore]
    public IEnumerable<string> Problems
    {
        get
        {
            if (!TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
                yield return $"Unknown time zone '{TimeZone}'.";
            foreach (var range in Days.Values.SelectMany(r => r))
                if (ParseRange(range) is null)
                    yield return $"'{range}' is not a range like 09:00-18:00.";
        }
    }

    public bool IsOpen(DateTimeOffset utcNow)
    {
        var local = TimeZoneInfo.ConvertTime(utcNow, TimeZoneInfo.FindSystemTimeZoneById(TimeZone));
        if (!Days.TryGetValue(local.DayOfWeek, out var ranges))
            return false;
        var time = TimeOnly.FromDateTime(local.DateTime);
        return ranges.Select(ParseRange).Any(r => r is { } range && time >= range.Start && time < range.End);
    }

    private static (TimeOnly Start, TimeOnly End)? ParseRange(string range)
    {
        var parts = range.Split('-');
        return parts.Length == 2
            && TimeOnly.TryParseExact(parts[0].Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
            && TimeOnly.TryParseExact(parts[1].Trim(), "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)
            && start < end
            ? (start, end) : null;
    }
}
