using System.Globalization;

namespace ChatDesk.Server.Kpis;

/// <summary>The counters of a daily rollup (kpi_daily.counts, by position): append only, and raise <see cref="KpiDaily.Layout"/>.</summary>
public enum DailyCount
{
    Requested, Answered, Abandoned, ShortAbandoned, Missed, WithinServiceLevel, Resolved, Fcr, CustomerResolved, CustomerAnswered,
    Transferred, Satisfied, CsatAnswers, Promoters, Detractors, NpsAnswers, CesAnswers, Surveyed, AnsweredEnded,

    /// <summary>Operator rows only: conversations the operator took part in, of them answered, of those transferred away.</summary>
    PartRequested, PartAnswered, PartTransferredAway,
}

/// <summary>
/// The durations of a rollup (count and sum each; team rows also a histogram). On an operator's row: FRT of the
/// conversations they answered first, AHT of their own part, ACW and resolution time of those they owned at the end.
/// </summary>
public enum DailyDuration { Frt, Asa, Ata, Aht, Acw, Resolution }

public enum DailyScore { Csat, Ces }

/// <summary>One rollup row's figures, or the sum of several (a period).</summary>
public sealed class DailyFigures
{
    public static readonly int CountLength = Enum.GetValues<DailyCount>().Length;
    public static readonly int DurationLength = Enum.GetValues<DailyDuration>().Length;

    public int[] Counts { get; init; } = new int[CountLength];
    public int[] DurationCounts { get; init; } = new int[DurationLength];
    public double[] DurationSums { get; init; } = new double[DurationLength];
    public double[] ScoreSums { get; init; } = new double[Enum.GetValues<DailyScore>().Length];

    /// <summary>Team rows: requests per local hour of the day.</summary>
    public int[]? Hours { get; set; }

    /// <summary>Team rows: per duration, how many values fall in each bucket of <see cref="KpiDaily.Edges"/> (trailing zeros cut).</summary>
    public int[][]? Histograms { get; set; }

    public int this[DailyCount count] => Counts[(int)count];

    public void Count(DailyCount count, bool when = true)
    {
        if (when)
            Counts[(int)count]++;
    }

    public void Duration(DailyDuration duration, double? seconds)
    {
        if (seconds is not { } value)
            return;
        DurationCounts[(int)duration]++;
        DurationSums[(int)duration] += value;
        if (Histograms is { } histograms)
        {
            var bucket = KpiDaily.Bucket(value);
            ref var histogram = ref histograms[(int)duration];
            if (histogram.Length <= bucket)
                Array.Resize(ref histogram, bucket + 1);
            histogram[bucket]++;
        }
    }

    public void Score(DailyScore score, short? value)
    {
        if (value is { } v)
            ScoreSums[(int)score] += v;
    }

    public void Add(DailyFigures other)
    {
        AddTo(Counts, other.Counts);
        AddTo(DurationCounts, other.DurationCounts);
        for (var i = 0; i < DurationSums.Length; i++)
            DurationSums[i] += other.DurationSums[i];
        for (var i = 0; i < ScoreSums.Length; i++)
            ScoreSums[i] += other.ScoreSums[i];
        if (other.Hours is { } hours)
            AddTo(Hours ??= new int[24], hours);
        if (other.Histograms is { } histograms)
        {
            Histograms ??= NewHistograms();
            for (var d = 0; d < histograms.Length; d++)
            {
                if (Histograms[d].Length < histograms[d].Length)
                    Array.Resize(ref Histograms[d], histograms[d].Length);
                AddTo(Histograms[d], histograms[d]);
            }
        }
    }

    public static int[][] NewHistograms() => Enumerable.Range(0, DurationLength).Select(_ => Array.Empty<int>()).ToArray();

    /// <summary>Mean and count of a duration; the percentiles are read elsewhere (they need the values).</summary>
    public Stat Stat(DailyDuration duration, double? median = null, double? p90 = null)
    {
        var count = DurationCounts[(int)duration];
        return count == 0 ? new Stat(null, null, null, 0) : new Stat(DurationSums[(int)duration] / count, median, p90, count);
    }

    private static void AddTo(int[] target, int[] source)
    {
        for (var i = 0; i < source.Length; i++)
            target[i] += source[i];
    }
}

/// <summary>
/// Daily rollups of the derived rows (kpi_daily): per site, local day, skill and operator, the counts and sums
/// of every KPI of ../shared/kpis.md with the definitions of <see cref="KpiCalculator"/>, and on the team's rows a
/// histogram of each duration. A period's figures are the sum of its days; a percentile is located in the summed
/// histogram and read exactly from the rows (<see cref="KpiService"/>). Settings are applied when a day is
/// computed, so the rows carry a stamp of them (<see cref="Stamp"/>).
/// </summary>
public static class KpiDaily
{
    /// <summary>Bumped when the counters, durations or bucket edges change: the stamp then differs and the rollups are recomputed.</summary>
    public const int Layout = 1;

    /// <summary>The operator key of the team's rows.</summary>
    public const string Team = "";

    /// <summary>
    /// Lower bounds of the histogram buckets, in seconds: narrow where chat durations crowd (a bucket's values
    /// are walked to reach an exact percentile), wider for the long tail.
    /// </summary>
    public static readonly double[] Edges =
    [
        .. Enumerable.Range(0, 120).Select(s => (double)s),
        .. Enumerable.Range(0, 96).Select(i => 120.0 + 5 * i),
        .. Enumerable.Range(0, 150).Select(i => 600.0 + 20 * i),
        .. Enumerable.Range(0, 276).Select(i => 3600.0 + 300 * i),
    ];

    /// <summary>The bucket of a value: the last edge at or below it (values below 0 fall in the first).</summary>
    public static int Bucket(double seconds)
    {
        var index = Array.BinarySearch(Edges, seconds);
        return index >= 0 ? index : Math.Max(0, ~index - 1);
    }

    /// <summary>Every value in this bucket or a later one is at least this bound; every value in an earlier one is below it.</summary>
    public static double LowerBound(int bucket) => bucket == 0 ? double.NegativeInfinity : Edges[bucket];

    /// <summary>
    /// Where the value of a 0-based rank lies in a histogram: its bucket, and how many values come before it in
    /// that bucket.
    /// </summary>
    public static (int Bucket, int Offset) Locate(int[] histogram, long rank)
    {
        long below = 0;
        for (var bucket = 0; bucket < histogram.Length; bucket++)
        {
            if (rank < below + histogram[bucket])
                return (bucket, (int)(rank - below));
            below += histogram[bucket];
        }
        throw new ArgumentOutOfRangeException(nameof(rank), rank, "The rank is beyond the histogram's values.");
    }

    /// <summary>The settings a site's rollups depend on, as stored with them.</summary>
    public static string Stamp(KpiSettings settings, TimeZoneInfo zone) => string.Create(CultureInfo.InvariantCulture,
        $"{Layout}|{zone.Id}|{settings.WrapUpTimeoutSeconds}|{settings.ShortAbandonSeconds}|{settings.ServiceLevelSeconds}|{settings.FcrRepeatWindow.TotalSeconds}");

    /// <summary>The rollup rows of the given conversations (all of their local days' rows) and operator rows.</summary>
    public static Dictionary<(DateOnly Day, Guid SkillKey, string OperatorId), DailyFigures> Compute(
        IEnumerable<KpiConversationRow> conversations, IEnumerable<KpiConversationOperatorRow> operators, KpiSettings settings, TimeZoneInfo zone)
    {
        var rows = new Dictionary<(DateOnly, Guid, string), DailyFigures>();
        IEnumerable<DailyFigures> RowsOf(DateTimeOffset requestedAt, Guid? skillId, string operatorId)
        {
            var day = KpiScope.LocalDay(requestedAt, zone);
            foreach (var skillKey in skillId is { } skill ? [KpiBusyDayRow.AllSkills, skill] : new[] { KpiBusyDayRow.AllSkills })
            {
                if (!rows.TryGetValue((day, skillKey, operatorId), out var figures))
                    rows[(day, skillKey, operatorId)] = figures = operatorId == Team
                        ? new DailyFigures { Hours = new int[24], Histograms = DailyFigures.NewHistograms() }
                        : new DailyFigures();
                yield return figures;
            }
        }

        foreach (var c in conversations)
        {
            var answered = c.FrtSeconds is not null;
            var abandoned = !answered && c.EndedBy == "visitor";
            var shortAbandoned = abandoned && settings.ShortAbandonSeconds > 0 && c.DurationSeconds <= settings.ShortAbandonSeconds;
            var resolvedAnswer = answered && c.Resolved;
            var fcr = resolvedAnswer && c.EndedAt is { } end && !(c.NextRequestAt <= end + settings.FcrRepeatWindow);
            var hour = TimeZoneInfo.ConvertTime(c.RequestedAt, zone).Hour;
            foreach (var team in RowsOf(c.RequestedAt, c.SkillId, Team))
            {
                team.Count(DailyCount.Requested);
                team.Count(DailyCount.Answered, answered);
                team.Count(DailyCount.Abandoned, abandoned);
                team.Count(DailyCount.ShortAbandoned, shortAbandoned);
                team.Count(DailyCount.Missed, !answered && c.EndedBy == "system");
                team.Count(DailyCount.WithinServiceLevel, answered && c.FrtSeconds <= settings.ServiceLevelSeconds);
                team.Count(DailyCount.Transferred, answered && c.Transfers > 0);
                team.Duration(DailyDuration.Frt, c.FrtSeconds);
                team.Duration(DailyDuration.Asa, c.WaitSeconds);
                team.Duration(DailyDuration.Ata, abandoned ? c.DurationSeconds : null);
                team.Duration(DailyDuration.Aht, c.HandleSeconds);
                team.Hours![hour]++;
                Owned(team, c, answered, fcr, population: true);
            }
            if (c.OwnerAtEnd is { } owner)
                foreach (var owned in RowsOf(c.RequestedAt, c.SkillId, owner))
                {
                    owned.Count(DailyCount.Answered, answered);
                    Owned(owned, c, answered, fcr, population: answered);
                }
            if (c.FirstResponder is { } responder)
                foreach (var first in RowsOf(c.RequestedAt, c.SkillId, responder))
                    first.Duration(DailyDuration.Frt, c.FrtSeconds);
        }

        foreach (var o in operators.Where(o => o.TookPart))
        {
            // The owner's part includes the after-chat work; without a wrap-up there is no handle time yet.
            var acw = o.IsOwner ? KpiProjection.Capped(o.AcwRawSeconds, o.WrapUpAuto, settings.WrapUpTimeoutSeconds) : 0;
            foreach (var part in RowsOf(o.RequestedAt, o.SkillId, o.OperatorId))
            {
                part.Count(DailyCount.PartRequested);
                part.Count(DailyCount.PartAnswered, o.Answered);
                part.Count(DailyCount.PartTransferredAway, o.Answered && o.TransferredAway);
                part.Duration(DailyDuration.Aht, o.Answered && acw is { } counted ? o.EngagedSeconds + counted : null);
            }
        }
        return rows;
    }

    /// <summary>
    /// Figures over conversations (the team's, or an owner's): resolution, FCR, surveys, ACW. An owner's survey
    /// and resolution figures are over the conversations they answered (<paramref name="population"/>).
    /// </summary>
    private static void Owned(DailyFigures figures, KpiConversationRow c, bool answered, bool fcr, bool population)
    {
        figures.Count(DailyCount.Resolved, answered && c.Resolved);
        figures.Count(DailyCount.Fcr, fcr);
        figures.Count(DailyCount.CustomerResolved, population && c.SurveyResolved == true);
        figures.Count(DailyCount.CustomerAnswered, population && c.SurveyResolved is not null);
        figures.Count(DailyCount.Satisfied, population && c.Csat >= 4);
        figures.Count(DailyCount.CsatAnswers, population && c.Csat is not null);
        figures.Count(DailyCount.Promoters, population && c.Nps >= 9);
        figures.Count(DailyCount.Detractors, population && c.Nps <= 6);
        figures.Count(DailyCount.NpsAnswers, population && c.Nps is not null);
        figures.Count(DailyCount.CesAnswers, population && c.Ces is not null);
        figures.Count(DailyCount.Surveyed, answered && c.EndedAt is not null && c.HasSurvey);
        figures.Count(DailyCount.AnsweredEnded, answered && c.EndedAt is not null);
        if (population)
        {
            figures.Score(DailyScore.Csat, c.Csat);
            figures.Score(DailyScore.Ces, c.Ces);
        }
        figures.Duration(DailyDuration.Acw, c.AcwSeconds);
        figures.Duration(DailyDuration.Resolution, answered && c.Resolved ? c.DurationSeconds : null);
    }
}
