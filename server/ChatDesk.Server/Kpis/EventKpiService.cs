using ChatDesk.Server.Data;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Kpis;

/// <summary>
/// KPIs straight from the event log: loads every event of the period's conversations and computes
/// them with <see cref="KpiCalculator"/>: the reference that the derived rows (<see cref="KpiService"/>, which
/// the API serves) are held equal to by KpiDerivedTests. Too slow for long periods; not used by the API.
/// </summary>
public sealed class EventKpiService(ChatDeskDbContext db, TimeProvider clock)
{
    private sealed record Loaded(
        KpiScope Scope, List<ConversationFacts> Facts, List<ConversationFacts> BusyFacts, Dictionary<Guid, DateTimeOffset> NextRequest,
        List<StaffedInterval> Staffed, Dictionary<Guid, (string VisitorName, string? Topic)> Labels, Dictionary<string, string> OperatorNames);

    public async Task<KpiReport> ReportAsync(KpiQuery query, string userId, bool seesTeam, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadAsync(query, seesTeam ? query.Operator : userId, cancellationToken);
        var (scope, now) = (loaded.Scope, clock.UtcNowForStorage());
        var operatorIds = scope.OperatorId is { } only ? [only]
            : loaded.Facts.SelectMany(f => f.Operators).Concat(loaded.Staffed.Select(s => s.OperatorId)).Distinct().ToList();
        var operators = operatorIds
            .Select(id => new OperatorKpis(id, loaded.OperatorNames.GetValueOrDefault(id, id),
                KpiCalculator.Operator(id, loaded.Facts, loaded.NextRequest, loaded.BusyFacts, loaded.Staffed, scope.Start, scope.End, scope.Settings, now)))
            .OrderBy(o => o.DisplayName, StringComparer.CurrentCulture).ToList();
        var team = seesTeam ? KpiCalculator.Team(loaded.Facts, loaded.NextRequest, loaded.BusyFacts, loaded.Staffed, scope.Start, scope.End, scope.Settings, now) : null;
        return new KpiReport(scope.From.ToString("O"), scope.To.ToString("O"), scope.Zone.Id, team, operators);
    }

    public async Task<IReadOnlyList<TrendPoint>> TrendAsync(KpiQuery query, string kpi, string interval, string? operatorId, CancellationToken cancellationToken = default)
    {
        KpiScope.CheckTrend(kpi, interval);
        var loaded = await LoadAsync(query, operatorId, cancellationToken);
        var (scope, now) = (loaded.Scope, clock.UtcNowForStorage());
        var points = new List<TrendPoint>();
        foreach (var (day, next) in scope.Buckets(interval))
        {
            var (start, end) = scope.Span(day, next);
            var facts = loaded.Facts.Where(f => f.RequestedAt >= start && f.RequestedAt < end).ToList();
            var staffed = KpiScope.Clip(loaded.Staffed, start, end);
            var set = scope.OperatorId is { } op
                ? KpiCalculator.Operator(op, facts, loaded.NextRequest, loaded.BusyFacts, staffed, start, end, scope.Settings, now)
                : KpiCalculator.Team(facts, loaded.NextRequest, loaded.BusyFacts, staffed, start, end, scope.Settings, now);
            points.Add(new TrendPoint(day.ToString("O"), KpiScope.Selectors[kpi](set)));
        }
        return points;
    }

    public async Task<IReadOnlyList<HeatCell>> HeatmapAsync(KpiQuery query, string? operatorId, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadAsync(query, operatorId, cancellationToken);
        return loaded.Facts
            .Where(f => loaded.Scope.OperatorId is null || f.Operators.Contains(loaded.Scope.OperatorId))
            .Select(f => TimeZoneInfo.ConvertTime(f.RequestedAt, loaded.Scope.Zone))
            .GroupBy(t => ((int)t.DayOfWeek + 6) % 7 * 24 + t.Hour)
            .Select(g => new HeatCell(g.Key / 24, g.Key % 24, g.Count()))
            .OrderBy(c => c.Weekday).ThenBy(c => c.Hour).ToList();
    }

    /// <summary>Every conversation of the period (those the operator took part in, with an operator filter), by request time.</summary>
    public async Task<IReadOnlyList<ConversationRow>> ConversationsAsync(KpiQuery query, string? operatorId, CancellationToken cancellationToken = default)
    {
        var loaded = await LoadAsync(query, operatorId, cancellationToken);
        var (scope, now) = (loaded.Scope, clock.UtcNowForStorage());
        var settings = scope.Settings;
        return loaded.Facts
            .Where(f => scope.OperatorId is null || f.Operators.Contains(scope.OperatorId))
            .Select(f =>
            {
                var (name, topic) = loaded.Labels[f.ConversationId];
                var handled = f.EndedAt is not null && f.WrappedUpAt is not null;
                return new ConversationRow(
                    f.ConversationId, f.RequestedAt, name, topic, f.OwnerAtEnd is { } o ? loaded.OperatorNames.GetValueOrDefault(o, o) : null,
                    KpiScope.Outcome(f.Answered, f.Abandoned, KpiCalculator.IsShortAbandon(f, settings), f.Missed),
                    f.AssignedAt is { } a ? (a - f.RequestedAt).TotalSeconds : null,
                    f.FirstResponseAt is { } r ? (r - f.RequestedAt).TotalSeconds : null,
                    handled ? KpiCalculator.HandleTime(f, settings, null) : null,
                    handled ? KpiCalculator.AfterChatWork(f, settings) : null,
                    f.Transfers, f.Disposition, f.Survey?.Csat, f.Survey?.Nps, f.Survey?.Ces, f.Survey?.Resolved,
                    KpiScope.FcrStatus(f.Answered, f.Resolved, f.EndedAt, loaded.NextRequest.TryGetValue(f.ConversationId, out var next) ? next : null, settings, now));
            })
            .OrderBy(r => r.RequestedAt).ToList();
    }

    private async Task<Loaded> LoadAsync(KpiQuery query, string? operatorId, CancellationToken cancellationToken)
    {
        var scope = await KpiScope.ResolveAsync(db, clock, query, operatorId, cancellationToken);
        var (start, end, skillId) = (scope.Start, scope.End, scope.SkillId);

        // The period's conversations, and those requested earlier whose busy time may reach into it.
        var conversations = await db.Conversations.AsNoTracking()
            .Where(c => c.SiteId == scope.SiteId && c.RequestedAt < end && (skillId == null || c.SkillId == skillId)
                && (c.RequestedAt >= start || c.EndedAt == null || (c.WrapUpCompletedAt ?? c.EndedAt) > start))
            .Select(c => new { c.Id, c.VisitorId, c.SkillId, c.VisitorName, c.TopicKey, c.RequestedAt })
            .ToListAsync(cancellationToken);
        var ids = conversations.Select(c => c.Id).ToList();
        var events = (await db.Events.AsNoTracking().Where(e => e.ConversationId != null && ids.Contains(e.ConversationId.Value)).ToListAsync(cancellationToken))
            .ToLookup(e => e.ConversationId!.Value);
        var busyFacts = conversations.Select(c => ConversationFacts.From(c.Id, c.VisitorId, c.SkillId, events[c.Id])).ToList();
        var facts = busyFacts.Where(f => f.RequestedAt >= start).ToList();

        var visitors = facts.Select(c => c.VisitorId).Distinct().ToList();
        var visits = await db.Conversations.AsNoTracking().Where(c => visitors.Contains(c.VisitorId))
            .Select(c => new { c.VisitorId, c.RequestedAt }).ToListAsync(cancellationToken);
        var visitsByVisitor = visits.ToLookup(v => v.VisitorId, v => v.RequestedAt);
        var nextRequest = new Dictionary<Guid, DateTimeOffset>();
        foreach (var f in facts.Where(f => f.EndedAt is not null))
            if (visitsByVisitor[f.VisitorId].Where(t => t > f.EndedAt!.Value).Order().FirstOrDefault() is var next && next != default)
                nextRequest[f.ConversationId] = next;

        var staffed = await scope.StaffedAsync(db, clock.UtcNowForStorage(), cancellationToken);
        var names = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        return new Loaded(scope, facts, busyFacts, nextRequest, staffed,
            conversations.Where(c => c.RequestedAt >= start).ToDictionary(c => c.Id, c => (c.VisitorName, c.TopicKey)), names);
    }
}
