namespace ChatDesk.Server.Kpis;

/// <summary>
/// Busy time for utilization (../shared/kpis.md): time with at least one assigned conversation or one in
/// after-chat work, per operator, as the union of their busy spans clipped to a period.
/// </summary>
public static class BusyTime
{
    /// <summary>A conversation's busy spans: each operator's engaged intervals and the owner's (capped) after-chat work.</summary>
    public static IEnumerable<EngagedInterval> Spans(ConversationFacts f, KpiSettings settings) =>
        f.OwnerAtEnd is { } owner && f.EndedAt is { } end && f.WrappedUpAt is not null
            ? f.Intervals.Append(new EngagedInterval(owner, end, end.AddSeconds(KpiCalculator.AfterChatWork(f, settings))))
            : f.Intervals;

    /// <summary>Per operator, the union of the spans clipped to [from, to).</summary>
    public static List<EngagedInterval> Union(IEnumerable<EngagedInterval> spans, DateTimeOffset from, DateTimeOffset to)
    {
        var merged = new List<EngagedInterval>();
        var clipped = spans.Select(s => s with { From = s.From > from ? s.From : from, To = s.To < to ? s.To : to }).Where(s => s.To > s.From);
        foreach (var group in clipped.GroupBy(s => s.OperatorId))
        {
            EngagedInterval? open = null;
            foreach (var span in group.OrderBy(s => s.From))
            {
                if (open is null || span.From > open.To)
                {
                    if (open is not null)
                        merged.Add(open);
                    open = span;
                }
                else if (span.To > open.To)
                    open = open with { To = span.To };
            }
            if (open is not null)
                merged.Add(open);
        }
        return merged;
    }

    public static double UnionSeconds(IEnumerable<EngagedInterval> spans, DateTimeOffset from, DateTimeOffset to) =>
        Union(spans, from, to).Sum(s => s.Seconds);
}

/// <summary>One operator's busy span on a conversation of a skill (null: none), as stored for the daily union.</summary>
public sealed record SkilledSpan(Guid? SkillId, DateTimeOffset From, DateTimeOffset To);

public static class BusyDays
{
    /// <summary>
    /// One operator's busy seconds per local day, for every skill together (<see cref="KpiBusyDayRow.AllSkills"/>) and per
    /// skill: the union of the spans clipped to each day. Only days in <paramref name="days"/> when given.
    /// </summary>
    public static IEnumerable<(DateOnly Day, Guid SkillKey, double Seconds)> Of(IReadOnlyList<SkilledSpan> spans, TimeZoneInfo zone, IReadOnlySet<DateOnly>? days = null)
    {
        var byDay = new Dictionary<DateOnly, List<SkilledSpan>>();
        foreach (var span in spans)
            for (var day = KpiScope.LocalDay(span.From, zone); KpiScope.LocalMidnight(day, zone) < span.To; day = day.AddDays(1))
                if (days is null || days.Contains(day))
                    (byDay.TryGetValue(day, out var list) ? list : byDay[day] = []).Add(span);
        foreach (var (day, daySpans) in byDay)
        {
            var (start, end) = (KpiScope.LocalMidnight(day, zone), KpiScope.LocalMidnight(day.AddDays(1), zone));
            foreach (var group in daySpans.GroupBy(s => s.SkillId).Select(g => (Key: g.Key, Spans: g.AsEnumerable()))
                .Prepend((Key: (Guid?)KpiBusyDayRow.AllSkills, Spans: daySpans)))
            {
                if (group.Key is not { } key)
                    continue;
                var seconds = BusyTime.UnionSeconds(group.Spans.Select(s => new EngagedInterval("", s.From, s.To)), start, end);
                if (seconds > 0)
                    yield return (day, key, seconds);
            }
        }
    }

    /// <summary>The local days a span touches.</summary>
    public static IEnumerable<DateOnly> Touched(DateTimeOffset from, DateTimeOffset to, TimeZoneInfo zone)
    {
        for (var day = KpiScope.LocalDay(from, zone); KpiScope.LocalMidnight(day, zone) < to || day == KpiScope.LocalDay(from, zone); day = day.AddDays(1))
            yield return day;
    }
}
