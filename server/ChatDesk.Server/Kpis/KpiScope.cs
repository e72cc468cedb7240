using System.Globalization;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChatDesk.Server.Kpis;

public sealed record KpiQuery(string? Site, string? From, string? To, string? Skill, string? Operator);

public sealed record OperatorKpis(string OperatorId, string DisplayName, KpiSet Kpis);

public sealed record KpiReport(string From, string To, string TimeZone, KpiSet? Team, IReadOnlyList<OperatorKpis> Operators);

public sealed record TrendPoint(string Start, double? Value);

public sealed record HeatCell(int Weekday, int Hour, int Requested);

public sealed record ConversationRow(
    Guid ConversationId, DateTimeOffset RequestedAt, string VisitorName, string? Topic, string? Owner, string Outcome,
    double? Wait, double? Frt, double? HandleTime, double? Acw, int Transfers, string? Disposition,
    int? Csat, int? Nps, int? Ces, bool? Resolved, string? Fcr);

/// <summary>A refused KPI request (bad dates, unknown filter): the message is shown to the manager.</summary>
public sealed class KpiQueryException(string message) : Exception(message);

/// <summary>
/// A validated KPI request: the site and its settings, whole local days from..to as the UTC span
/// [Start, End), and the skill and operator filters.
/// </summary>
public sealed record KpiScope(
    Guid SiteId, string SiteKey, KpiSettings Settings, DateOnly From, DateOnly To, TimeZoneInfo Zone, DateTimeOffset Start, DateTimeOffset End,
    Guid? SkillId, string? OperatorId)
{
    public const int MaxDays = 400;

    /// <summary>The KPI names a trend can follow, and how to read each from a KPI set.</summary>
    public static readonly IReadOnlyDictionary<string, Func<KpiSet, double?>> Selectors = new Dictionary<string, Func<KpiSet, double?>>
    {
        ["frt.mean"] = k => k.Frt.Mean, ["frt.median"] = k => k.Frt.Median, ["frt.p90"] = k => k.Frt.P90,
        ["asa.mean"] = k => k.Asa.Mean, ["aht.mean"] = k => k.Aht.Mean, ["acw.mean"] = k => k.Acw.Mean,
        ["abandonmentRate"] = k => k.AbandonmentRate, ["serviceLevel"] = k => k.ServiceLevel, ["resolutionRate"] = k => k.ResolutionRate,
        ["fcr.rate"] = k => k.Fcr.Rate, ["transferRate"] = k => k.TransferRate, ["utilization"] = k => k.Utilization,
        ["concurrency"] = k => k.Concurrency, ["csat.rate"] = k => k.Csat.Rate, ["csat.mean"] = k => k.Csat.Mean, ["nps"] = k => k.Nps,
        ["ces"] = k => k.Ces, ["surveyResponseRate"] = k => k.SurveyResponseRate, ["volume.requested"] = k => k.Volume.Requested,
    };

    public static async Task<KpiScope> ResolveAsync(ChatDeskDbContext db, TimeProvider clock, KpiQuery query, string? operatorId, CancellationToken cancellationToken)
    {
        var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Key == (query.Site ?? "demo"), cancellationToken)
            ?? throw new KpiQueryException($"Unknown site '{query.Site}'.");
        var zone = ZoneOf(site.TimeZone);
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
        var from = ParseDate(query.From, "from") ?? today;
        var to = ParseDate(query.To, "to") ?? from;
        if (to < from)
            throw new KpiQueryException("The period ends before it starts.");
        if (to.DayNumber - from.DayNumber >= MaxDays)
            throw new KpiQueryException($"Choose a period of at most {MaxDays} days.");

        Guid? skillId = null;
        if (!string.IsNullOrWhiteSpace(query.Skill))
            skillId = await db.Skills.Where(s => s.Key == query.Skill).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(cancellationToken)
                ?? throw new KpiQueryException($"Unknown skill '{query.Skill}'.");
        if (!string.IsNullOrWhiteSpace(operatorId) && !await db.Users.AnyAsync(u => u.Id == operatorId, cancellationToken))
            throw new KpiQueryException($"Unknown operator '{operatorId}'.");

        var settings = KpiSettings.Of(site);
        return new KpiScope(site.Id, site.Key, settings, from, to, zone, LocalMidnight(from, zone), LocalMidnight(to.AddDays(1), zone),
            skillId, string.IsNullOrWhiteSpace(operatorId) ? null : operatorId);
    }

    public static TimeZoneInfo ZoneOf(string timeZone) => TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    public static DateTimeOffset LocalMidnight(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }

    public static DateOnly LocalDay(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    /// <summary>The trend's buckets: each day, or each week from its Monday, as [first day, next bucket's first day).</summary>
    public IEnumerable<(DateOnly Day, DateOnly Next)> Buckets(string interval)
    {
        var day = interval == "week" ? From.AddDays(-(((int)From.DayOfWeek + 6) % 7)) : From;
        while (day <= To)
        {
            var next = day.AddDays(interval == "week" ? 7 : 1);
            yield return (day, next);
            day = next;
        }
    }

    /// <summary>The part of a bucket inside the period, as a UTC span.</summary>
    public (DateTimeOffset Start, DateTimeOffset End) Span(DateOnly day, DateOnly next) =>
        (day < From ? Start : LocalMidnight(day, Zone), next > To ? End : LocalMidnight(next, Zone));

    public static void CheckTrend(string kpi, string interval)
    {
        if (!Selectors.ContainsKey(kpi))
            throw new KpiQueryException($"Unknown KPI '{kpi}'. Known: {string.Join(", ", Selectors.Keys)}.");
        if (interval is not ("day" or "week"))
            throw new KpiQueryException("The interval is day or week.");
    }

    public static string Outcome(bool answered, bool abandoned, bool shortAbandoned, bool missed) =>
        answered ? "answered" : abandoned ? (shortAbandoned ? "short_abandoned" : "abandoned") : missed ? "missed" : "open";

    /// <summary>A conversation's FCR status: null until answered and ended; provisional while its repeat window is open.</summary>
    public static string? FcrStatus(bool answered, bool resolved, DateTimeOffset? endedAt, DateTimeOffset? nextRequestAt, KpiSettings settings, DateTimeOffset now)
    {
        if (!answered || endedAt is not { } end)
            return null;
        var windowEnd = end + settings.FcrRepeatWindow;
        return !resolved || nextRequestAt <= windowEnd ? "no" : now < windowEnd ? "provisional" : "yes";
    }

    /// <summary>
    /// Online or away time per operator from operator.status_changed events, clipped to the period and to
    /// now: each status holds from its event to the operator's next one.
    /// </summary>
    public async Task<List<StaffedInterval>> StaffedAsync(ChatDeskDbContext db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var until = End < now ? End : now;
        var intervals = new List<StaffedInterval>();
        if (until <= Start)
            return intervals;
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        // The status each operator had when the period started (their last change before it), then the changes inside it.
        await using var command = new NpgsqlCommand("""
            WITH changes AS (
                SELECT e.operator_id, e.occurred_at, e.id, e.data->>'status' AS status
                FROM users u CROSS JOIN LATERAL (
                    SELECT operator_id, occurred_at, id, data FROM events
                    WHERE type = 'operator.status_changed' AND operator_id = u.id AND occurred_at < $1
                    ORDER BY occurred_at DESC, id DESC LIMIT 1) e
                UNION ALL
                SELECT operator_id, occurred_at, id, data->>'status' FROM events
                WHERE type = 'operator.status_changed' AND operator_id IS NOT NULL AND occurred_at >= $1 AND occurred_at < $2)
            SELECT operator_id, greatest(occurred_at, $1), least(coalesce(to_at, $2), $2) FROM (
                SELECT c.*, lead(occurred_at) OVER (PARTITION BY operator_id ORDER BY occurred_at, id) AS to_at FROM changes c) s
            WHERE status IN ('online', 'away') AND coalesce(to_at, $2) > $1
            """, connection);
        command.Parameters.AddWithValue(Start);
        command.Parameters.AddWithValue(until);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (from, to) = (reader.GetFieldValue<DateTimeOffset>(1), reader.GetFieldValue<DateTimeOffset>(2));
            if (to > from)
                intervals.Add(new StaffedInterval(reader.GetString(0), from, to));
        }
        return intervals;
    }

    public static List<StaffedInterval> Clip(IEnumerable<StaffedInterval> staffed, DateTimeOffset start, DateTimeOffset end) =>
        staffed.Select(s => s with { From = s.From < start ? start : s.From, To = s.To > end ? end : s.To }).Where(s => s.To > s.From).ToList();

    private static DateOnly? ParseDate(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw new KpiQueryException($"'{name}' must be a date like 2026-11-01.");
}
