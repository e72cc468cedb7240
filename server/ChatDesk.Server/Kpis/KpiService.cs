using System.Globalization;
using System.Text.Json;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

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
/// Loads what the KPIs need from the event log (conversations requested in the period, their events,
/// visitors' next conversations, operators' presence) and computes them with <see cref="KpiCalculator"/>.
/// </summary>
public sealed class KpiService(ChatDeskDbContext db, TimeProvider clock)
{
    public const int MaxDays = 400;

    private sealed record Scope(
        KpiSettings Settings, DateOnly From, DateOnly To, TimeZoneInfo Zone, DateTimeOffset Start, DateTimeOffset End, Guid? SkillId, string? OperatorId,
        List<ConversationFacts> Facts, Dictionary<Guid, DateTimeOffset> NextRequest, List<StaffedInterval> Staffed,
        Dictionary<Guid, (string VisitorName, string? Topic)> Labels, Dictionary<string, string> OperatorNames);

    public async Task<KpiReport> ReportAsync(KpiQuery query, string userId, bool seesTeam, CancellationToken cancellationToken = default)
    {
        var scope = await LoadAsync(query, seesTeam ? query.Operator : userId, cancellationToken);
        var now = clock.UtcNowForStorage();
        var settings = scope.Settings;
        var operatorIds = scope.OperatorId is { } only ? [only]
            : scope.Facts.SelectMany(f => f.Operators).Concat(scope.Staffed.Select(s => s.OperatorId)).Distinct().ToList();
        var operators = operatorIds
            .Select(id => new OperatorKpis(id, scope.OperatorNames.GetValueOrDefault(id, id),
                KpiCalculator.Operator(id, scope.Facts, scope.NextRequest, scope.Staffed, scope.Start, scope.End, settings, now)))
            .OrderBy(o => o.DisplayName, StringComparer.CurrentCulture).ToList();
        var team = seesTeam ? KpiCalculator.Team(scope.Facts, scope.NextRequest, scope.Staffed, scope.Start, scope.End, settings, now) : null;
        return new KpiReport(scope.From.ToString("O"), scope.To.ToString("O"), scope.Zone.Id, team, operators);
    }

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

    public async Task<IReadOnlyList<TrendPoint>> TrendAsync(KpiQuery query, string kpi, string interval, string? operatorId, CancellationToken cancellationToken = default)
    {
        if (!Selectors.TryGetValue(kpi, out var select))
            throw new KpiQueryException($"Unknown KPI '{kpi}'. Known: {string.Join(", ", Selectors.Keys)}.");
        if (interval is not ("day" or "week"))
            throw new KpiQueryException("The interval is day or week.");
        var scope = await LoadAsync(query, operatorId, cancellationToken);
        var settings = scope.Settings;
        var now = clock.UtcNowForStorage();
        var points = new List<TrendPoint>();
        var day = interval == "week" ? scope.From.AddDays(-(((int)scope.From.DayOfWeek + 6) % 7)) : scope.From;
        while (day <= scope.To)
        {
            var next = day.AddDays(interval == "week" ? 7 : 1);
            var (start, end) = (LocalMidnight(day, scope.Zone), LocalMidnight(next, scope.Zone));
            var facts = scope.Facts.Where(f => f.RequestedAt >= start && f.RequestedAt < end).ToList();
            var staffed = scope.Staffed.Select(s => s with { From = s.From < start ? start : s.From, To = s.To > end ? end : s.To }).Where(s => s.To > s.From).ToList();
            var set = scope.OperatorId is { } op
                ? KpiCalculator.Operator(op, facts, scope.NextRequest, staffed, start, end, settings, now)
                : KpiCalculator.Team(facts, scope.NextRequest, staffed, start, end, settings, now);
            points.Add(new TrendPoint(day.ToString("O"), select(set)));
            day = next;
        }
        return points;
    }

    public async Task<IReadOnlyList<HeatCell>> HeatmapAsync(KpiQuery query, string? operatorId, CancellationToken cancellationToken = default)
    {
        var scope = await LoadAsync(query, operatorId, cancellationToken);
        return scope.Facts
            .Select(f => TimeZoneInfo.ConvertTime(f.RequestedAt, scope.Zone))
            .GroupBy(t => ((int)t.DayOfWeek + 6) % 7 * 24 + t.Hour)
            .Select(g => new HeatCell(g.Key / 24, g.Key % 24, g.Count()))
            .OrderBy(c => c.Weekday).ThenBy(c => c.Hour).ToList();
    }

    public async Task<IReadOnlyList<ConversationRow>> ConversationsAsync(KpiQuery query, string? operatorId, CancellationToken cancellationToken = default)
    {
        var scope = await LoadAsync(query, operatorId, cancellationToken);
        var settings = scope.Settings;
        var now = clock.UtcNowForStorage();
        return scope.Facts
            .Where(f => scope.OperatorId is null || f.Operators.Contains(scope.OperatorId))
            .Select(f =>
            {
                string? fcr = null;
                if (f.Answered && f.EndedAt is { } end)
                {
                    var windowEnd = end + settings.FcrRepeatWindow;
                    var repeated = scope.NextRequest.TryGetValue(f.ConversationId, out var next) && next <= windowEnd;
                    fcr = !f.Resolved || repeated ? "no" : now < windowEnd ? "provisional" : "yes";
                }
                var (name, topic) = scope.Labels[f.ConversationId];
                return new ConversationRow(
                    f.ConversationId, f.RequestedAt, name, topic, f.OwnerAtEnd is { } o ? scope.OperatorNames.GetValueOrDefault(o, o) : null,
                    f.Answered ? "answered" : f.Abandoned ? (KpiCalculator.IsShortAbandon(f, settings) ? "short_abandoned" : "abandoned") : f.Missed ? "missed" : "open",
                    f.AssignedAt is { } a ? (a - f.RequestedAt).TotalSeconds : null,
                    f.FirstResponseAt is { } r ? (r - f.RequestedAt).TotalSeconds : null,
                    f.EndedAt is not null && f.WrappedUpAt is not null ? KpiCalculator.HandleTime(f, settings, null) : null,
                    f.EndedAt is not null && f.WrappedUpAt is not null ? KpiCalculator.AfterChatWork(f, settings) : null,
                    f.Transfers, f.Disposition, f.Survey?.Csat, f.Survey?.Nps, f.Survey?.Ces, f.Survey?.Resolved, fcr);
            })
            .OrderBy(r => r.RequestedAt).ToList();
    }

    private async Task<Scope> LoadAsync(KpiQuery query, string? operatorId, CancellationToken cancellationToken)
    {
        var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Key == (query.Site ?? "demo"), cancellationToken)
            ?? throw new KpiQueryException($"Unknown site '{query.Site}'.");
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(site.TimeZone, out var z) ? z : TimeZoneInfo.Utc;
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(clock.GetUtcNow(), zone).DateTime);
        var from = ParseDate(query.From, "from") ?? today;
        var to = ParseDate(query.To, "to") ?? from;
        if (to < from)
            throw new KpiQueryException("The period ends before it starts.");
        if (to.DayNumber - from.DayNumber >= MaxDays)
            throw new KpiQueryException($"Choose a period of at most {MaxDays} days.");
        var start = LocalMidnight(from, zone);
        var end = LocalMidnight(to.AddDays(1), zone);

        Guid? skillId = null;
        if (!string.IsNullOrWhiteSpace(query.Skill))
            skillId = await db.Skills.Where(s => s.Key == query.Skill).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(cancellationToken)
                ?? throw new KpiQueryException($"Unknown skill '{query.Skill}'.");
        if (!string.IsNullOrWhiteSpace(operatorId) && !await db.Users.AnyAsync(u => u.Id == operatorId, cancellationToken))
            throw new KpiQueryException($"Unknown operator '{operatorId}'.");

        var conversations = await db.Conversations.AsNoTracking()
            .Where(c => c.SiteId == site.Id && c.RequestedAt >= start && c.RequestedAt < end && (skillId == null || c.SkillId == skillId))
            .Select(c => new { c.Id, c.VisitorId, c.SkillId, c.VisitorName, c.TopicKey })
            .ToListAsync(cancellationToken);
        var ids = conversations.Select(c => c.Id).ToList();
        var events = (await db.Events.AsNoTracking().Where(e => e.ConversationId != null && ids.Contains(e.ConversationId.Value)).ToListAsync(cancellationToken))
            .ToLookup(e => e.ConversationId!.Value);
        var facts = conversations.Select(c => ConversationFacts.From(c.Id, c.VisitorId, c.SkillId, events[c.Id])).ToList();

        var visitors = conversations.Select(c => c.VisitorId).Distinct().ToList();
        var visits = await db.Conversations.AsNoTracking().Where(c => visitors.Contains(c.VisitorId))
            .Select(c => new { c.VisitorId, c.RequestedAt }).ToListAsync(cancellationToken);
        var visitsByVisitor = visits.ToLookup(v => v.VisitorId, v => v.RequestedAt);
        var nextRequest = new Dictionary<Guid, DateTimeOffset>();
        foreach (var f in facts.Where(f => f.EndedAt is not null))
            if (visitsByVisitor[f.VisitorId].Where(t => t > f.EndedAt!.Value).Order().FirstOrDefault() is var next && next != default)
                nextRequest[f.ConversationId] = next;

        var staffed = await StaffedAsync(start, end, cancellationToken);
        var names = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        var settings = new KpiSettings(TimeSpan.FromHours(site.FcrRepeatWindowHours), site.ServiceLevelSeconds, site.ShortAbandonSeconds, site.WrapUpTimeoutSeconds);
        return new Scope(settings, from, to, zone, start, end, skillId, string.IsNullOrWhiteSpace(operatorId) ? null : operatorId,
            facts, nextRequest, staffed, conversations.ToDictionary(c => c.Id, c => (c.VisitorName, c.TopicKey)), names);
    }

    /// <summary>Online or away time per operator from operator.status_changed events, clipped to the period (and to now).</summary>
    private async Task<List<StaffedInterval>> StaffedAsync(DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var until = end < clock.UtcNowForStorage() ? end : clock.UtcNowForStorage();
        var changes = await db.Events.AsNoTracking()
            .Where(e => e.Type == EventTypes.OperatorStatusChanged && e.OccurredAt < until)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
            .Select(e => new { e.OperatorId, e.OccurredAt, e.Data })
            .ToListAsync(cancellationToken);
        var intervals = new List<StaffedInterval>();
        foreach (var op in changes.GroupBy(c => c.OperatorId!))
        {
            DateTimeOffset? since = null;
            foreach (var change in op)
            {
                var status = JsonDocument.Parse(change.Data).RootElement.GetProperty("status").GetString();
                var staffedNow = status is Routing.OperatorStatus.Online or Routing.OperatorStatus.Away;
                if (staffedNow && since is null)
                    since = change.OccurredAt;
                else if (!staffedNow && since is not null)
                {
                    Add(op.Key, since.Value, change.OccurredAt);
                    since = null;
                }
            }
            if (since is not null)
                Add(op.Key, since.Value, until);
        }
        return intervals;

        void Add(string operatorId, DateTimeOffset from, DateTimeOffset to)
        {
            var clippedFrom = from < start ? start : from;
            var clippedTo = to > until ? until : to;
            if (clippedTo > clippedFrom)
                intervals.Add(new StaffedInterval(operatorId, clippedFrom, clippedTo));
        }
    }

    private static DateOnly? ParseDate(string? value, string name) =>
        string.IsNullOrWhiteSpace(value) ? null
        : DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date) ? date
        : throw new KpiQueryException($"'{name}' must be a date like 2026-11-01.");

    private static DateTimeOffset LocalMidnight(DateOnly date, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(TimeOnly.MinValue);
        return new DateTimeOffset(local, zone.GetUtcOffset(local)).ToUniversalTime();
    }
}
