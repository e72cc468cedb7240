namespace ChatDesk.Server.Kpis;

/// <summary>The site's KPI settings (../shared/kpis.md): repeat window, service-level and short-abandon thresholds, wrap-up timeout.</summary>
public sealed record KpiSettings(TimeSpan FcrRepeatWindow, double ServiceLevelSeconds, double ShortAbandonSeconds, double WrapUpTimeoutSeconds)
{
    public static KpiSettings Of(Widget.Site site) =>
        new(TimeSpan.FromHours(site.FcrRepeatWindowHours), site.ServiceLevelSeconds, site.ShortAbandonSeconds, site.WrapUpTimeoutSeconds);
}

public sealed record FcrFigure(double? Rate, int Provisional, int Conversations);

public sealed record CsatFigure(double? Rate, double? Mean);

public sealed record Volume(int Requested, int Answered, int Abandoned, int ShortAbandoned, int Missed);

public sealed record KpiSet(
    Stat Frt, Stat Asa, Stat Ata, Stat Aht, Stat Acw, Stat ResolutionTime,
    double? AbandonmentRate, double? ServiceLevel, double? ResolutionRate, FcrFigure Fcr, double? CustomerFcr,
    double? TransferRate, double? Utilization, double? Concurrency, CsatFigure Csat, double? Nps, double? Ces,
    double? SurveyResponseRate, Volume Volume);

/// <summary>A span of time an operator was online or away.</summary>
public sealed record StaffedInterval(string OperatorId, DateTimeOffset From, DateTimeOffset To);

/// <summary>
/// Every KPI of ../shared/kpis.md from per-conversation facts: pure, so the definitions are tested by
/// hand-computed scenarios. Team figures are computed over all conversations, never averaged from
/// operators; an empty population gives null ("no data"), never 0.
/// </summary>
public static class KpiCalculator
{
    /// <param name="facts">Conversations requested in the period (and matching the skill filter).</param>
    /// <param name="nextRequestAfterEnd">Per conversation, when the same visitor next started one after it ended.</param>
    /// <param name="busyFacts">Conversations (same site and skill filter) whose busy spans may fall inside the period,
    /// whenever they were requested: utilization takes the part of each span inside the period.</param>
    /// <param name="staffed">Operators' online/away intervals, already clipped to the period.</param>
    public static KpiSet Team(
        IReadOnlyList<ConversationFacts> facts, IReadOnlyDictionary<Guid, DateTimeOffset> nextRequestAfterEnd, IReadOnlyList<ConversationFacts> busyFacts,
        IReadOnlyList<StaffedInterval> staffed, DateTimeOffset periodStart, DateTimeOffset periodEnd, KpiSettings settings, DateTimeOffset now)
    {
        var answered = facts.Where(f => f.Answered).ToList();
        var abandoned = facts.Where(f => f.Abandoned).ToList();
        var shortAbandoned = abandoned.Where(f => IsShortAbandon(f, settings)).ToList();
        var countedAbandoned = abandoned.Count - shortAbandoned.Count;
        var handled = answered.Where(f => HasHandleTime(f)).ToList();

        var staffedSeconds = staffed.Sum(s => (s.To - s.From).TotalSeconds);
        var busySeconds = BusyTime.UnionSeconds(busyFacts.SelectMany(f => BusyTime.Spans(f, settings)), periodStart, periodEnd);
        var handleSeconds = handled.Sum(f => HandleTime(f, settings, null));

        return new KpiSet(
            Frt: Stat.Of(answered.Select(f => (f.FirstResponseAt!.Value - f.RequestedAt).TotalSeconds)),
            Asa: Stat.Of(facts.Where(f => f.AssignedAt is not null).Select(f => (f.AssignedAt!.Value - f.RequestedAt).TotalSeconds)),
            Ata: Stat.Of(abandoned.Select(f => (f.EndedAt!.Value - f.RequestedAt).TotalSeconds)),
            Aht: Stat.Of(handled.Select(f => HandleTime(f, settings, null))),
            Acw: Stat.Of(facts.Where(f => f.WrappedUpAt is not null && f.EndedAt is not null).Select(f => AfterChatWork(f, settings))),
            ResolutionTime: Stat.Of(answered.Where(f => f.Resolved && f.EndedAt is not null).Select(f => (f.EndedAt!.Value - f.RequestedAt).TotalSeconds)),
            AbandonmentRate: Ratio(countedAbandoned, facts.Count - shortAbandoned.Count),
            ServiceLevel: Ratio(answered.Count(f => (f.FirstResponseAt!.Value - f.RequestedAt).TotalSeconds <= settings.ServiceLevelSeconds), answered.Count + countedAbandoned),
            ResolutionRate: Ratio(answered.Count(f => f.Resolved), answered.Count),
            Fcr: Fcr(answered, nextRequestAfterEnd, settings, now),
            CustomerFcr: Ratio(facts.Count(f => f.Survey?.Resolved == true), facts.Count(f => f.Survey?.Resolved is not null)),
            TransferRate: Ratio(answered.Count(f => f.Transfers > 0), answered.Count),
            Utilization: staffedSeconds > 0 ? busySeconds / staffedSeconds : null,
            Concurrency: busySeconds > 0 ? handleSeconds / busySeconds : null,
            Csat: Csat(facts),
            Nps: Nps(facts),
            Ces: Mean(facts.Where(f => f.Survey?.Ces is not null).Select(f => (double)f.Survey!.Ces!.Value)),
            SurveyResponseRate: Ratio(answered.Count(f => f.EndedAt is not null && f.Survey is not null), answered.Count(f => f.EndedAt is not null)),
            Volume: new Volume(facts.Count, answered.Count, abandoned.Count, shortAbandoned.Count, facts.Count(f => f.Missed)));
    }

    /// <summary>
    /// One operator's figures, attributed as the specification says: FRT to who answered first, handle
    /// time to each operator's own intervals, resolution/FCR/CSAT/NPS/CES to the owner at the end.
    /// Abandonment, missed chats and service level are team figures only.
    /// </summary>
    public static KpiSet Operator(
        string operatorId, IReadOnlyList<ConversationFacts> facts, IReadOnlyDictionary<Guid, DateTimeOffset> nextRequestAfterEnd,
        IReadOnlyList<ConversationFacts> busyFacts, IReadOnlyList<StaffedInterval> staffed, DateTimeOffset periodStart, DateTimeOffset periodEnd, KpiSettings settings, DateTimeOffset now)
    {
        var tookPart = facts.Where(f => f.Answered && f.Operators.Contains(operatorId)).ToList();
        var owned = facts.Where(f => f.Answered && f.OwnerAtEnd == operatorId).ToList();
        var handled = tookPart.Where(f => HasHandleTime(f)).ToList();
        var ownStaffed = staffed.Where(s => s.OperatorId == operatorId).ToList();
        var staffedSeconds = ownStaffed.Sum(s => (s.To - s.From).TotalSeconds);
        var busySeconds = BusyTime.UnionSeconds(busyFacts.SelectMany(f => BusyTime.Spans(f, settings)).Where(s => s.OperatorId == operatorId), periodStart, periodEnd);
        var handleSeconds = handled.Sum(f => HandleTime(f, settings, operatorId));

        return new KpiSet(
            Frt: Stat.Of(facts.Where(f => f.FirstResponder == operatorId).Select(f => (f.FirstResponseAt!.Value - f.RequestedAt).TotalSeconds)),
            Asa: Stat.Of([]),
            Ata: Stat.Of([]),
            Aht: Stat.Of(handled.Select(f => HandleTime(f, settings, operatorId))),
            Acw: Stat.Of(facts.Where(f => f.OwnerAtEnd == operatorId && f.WrappedUpAt is not null && f.EndedAt is not null).Select(f => AfterChatWork(f, settings))),
            ResolutionTime: Stat.Of(owned.Where(f => f.Resolved && f.EndedAt is not null).Select(f => (f.EndedAt!.Value - f.RequestedAt).TotalSeconds)),
            AbandonmentRate: null,
            ServiceLevel: null,
            ResolutionRate: Ratio(owned.Count(f => f.Resolved), owned.Count),
            Fcr: Fcr(owned, nextRequestAfterEnd, settings, now),
            CustomerFcr: Ratio(owned.Count(f => f.Survey?.Resolved == true), owned.Count(f => f.Survey?.Resolved is not null)),
            TransferRate: Ratio(tookPart.Count(f => f.TransferredAwayBy.Contains(operatorId)), tookPart.Count),
            Utilization: staffedSeconds > 0 ? busySeconds / staffedSeconds : null,
            Concurrency: busySeconds > 0 ? handleSeconds / busySeconds : null,
            Csat: Csat(owned),
            Nps: Nps(owned),
            Ces: Mean(owned.Where(f => f.Survey?.Ces is not null).Select(f => (double)f.Survey!.Ces!.Value)),
            SurveyResponseRate: Ratio(owned.Count(f => f.EndedAt is not null && f.Survey is not null), owned.Count(f => f.EndedAt is not null)),
            Volume: new Volume(facts.Count(f => f.Operators.Contains(operatorId)), tookPart.Count, 0, 0, 0));
    }

    public static bool IsShortAbandon(ConversationFacts f, KpiSettings settings) =>
        settings.ShortAbandonSeconds > 0 && f.Abandoned && (f.EndedAt!.Value - f.RequestedAt).TotalSeconds <= settings.ShortAbandonSeconds;

    /// <summary>Wrapped up, or its wrap-up timed out (then capped at the timeout).</summary>
    private static bool HasHandleTime(ConversationFacts f) => f.EndedAt is not null && f.WrappedUpAt is not null;

    /// <summary>After-chat work: from the end to the wrap-up, capped at the timeout when it completed itself.</summary>
    public static double AfterChatWork(ConversationFacts f, KpiSettings settings)
    {
        var seconds = (f.WrappedUpAt!.Value - f.EndedAt!.Value).TotalSeconds;
        return f.WrapUpAuto ? Math.Min(seconds, settings.WrapUpTimeoutSeconds) : seconds;
    }

    /// <summary>Engaged intervals (of one operator, or all) plus the owner's after-chat work.</summary>
    public static double HandleTime(ConversationFacts f, KpiSettings settings, string? operatorId) =>
        f.Intervals.Where(i => operatorId is null || i.OperatorId == operatorId).Sum(i => i.Seconds)
        + (operatorId is null || f.OwnerAtEnd == operatorId ? AfterChatWork(f, settings) : 0);

    /// <summary>FCR: resolved and no new conversation from the visitor within the window; provisional while the window is open.</summary>
    private static FcrFigure Fcr(IReadOnlyList<ConversationFacts> answered, IReadOnlyDictionary<Guid, DateTimeOffset> nextRequestAfterEnd, KpiSettings settings, DateTimeOffset now)
    {
        var fcr = 0;
        var provisional = 0;
        foreach (var f in answered.Where(f => f.Resolved && f.EndedAt is not null))
        {
            var windowEnd = f.EndedAt!.Value + settings.FcrRepeatWindow;
            var repeated = nextRequestAfterEnd.TryGetValue(f.ConversationId, out var next) && next <= windowEnd;
            if (repeated)
                continue;
            fcr++;
            if (now < windowEnd)
                provisional++;
        }
        return new FcrFigure(Ratio(fcr, answered.Count), provisional, fcr);
    }

    private static CsatFigure Csat(IEnumerable<ConversationFacts> facts)
    {
        var scores = facts.Where(f => f.Survey?.Csat is not null).Select(f => f.Survey!.Csat!.Value).ToList();
        return new CsatFigure(Ratio(scores.Count(s => s >= 4), scores.Count), Mean(scores.Select(s => (double)s)));
    }

    private static double? Nps(IEnumerable<ConversationFacts> facts)
    {
        var scores = facts.Where(f => f.Survey?.Nps is not null).Select(f => f.Survey!.Nps!.Value).ToList();
        return scores.Count == 0 ? null : 100.0 * (scores.Count(s => s >= 9) - scores.Count(s => s <= 6)) / scores.Count;
    }

    private static double? Ratio(int numerator, int denominator) => denominator == 0 ? null : (double)numerator / denominator;
    private static double? Mean(IEnumerable<double> values) => values.ToList() is { Count: > 0 } list ? list.Average() : null;
}
