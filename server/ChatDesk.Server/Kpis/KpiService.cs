using ChatDesk.Server.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChatDesk.Server.Kpis;

/// <summary>
/// The dashboard's KPIs from the derived rows (<see cref="KpiProjection"/>): aggregated in PostgreSQL with the
/// definitions of <see cref="KpiCalculator"/>, so a year of conversations is never loaded into memory.
/// <see cref="EventKpiService"/> computes the same figures from the event log; tests hold the two equal.
/// </summary>
public sealed class KpiService(ChatDeskDbContext db, NpgsqlDataSource dataSource, KpiProjection projection, TimeProvider clock)
{
    /// <summary>The period's conversation rows, with the per-conversation figures the aggregates share.</summary>
    private const string Conversations = """
        c AS (
            SELECT f.*, f.frt_seconds IS NOT NULL AS answered,
                   f.frt_seconds IS NULL AND f.ended_by IS NOT DISTINCT FROM 'visitor' AS abandoned,
                   f.frt_seconds IS NULL AND f.ended_by IS NOT DISTINCT FROM 'system' AS missed,
                   CASE WHEN f.wrap_up_auto AND f.acw_raw_seconds > @timeout THEN @timeout ELSE f.acw_raw_seconds END AS acw
            FROM kpi_conversations f
            WHERE f.site_id = @site AND f.requested_at >= @start AND f.requested_at < @end AND (@skill::uuid IS NULL OR f.skill_id = @skill)),
        d AS (
            SELECT c.*, c.abandoned AND @short > 0 AND coalesce(c.duration_seconds <= @short, false) AS short_abandoned,
                   c.answered AND c.resolved AND c.ended_at IS NOT NULL AND NOT coalesce(c.next_request_at <= c.ended_at + @window, false) AS fcr
            FROM c)
        """;

    /// <summary>How much of a stat a caller reads: percentiles cost a sort of the values, a mean only a sum.</summary>
    private enum StatNeed { None, Mean, Full }

    /// <summary>Mean, median and p90, and the count; the percentiles only when read (a trend of a mean needs no sort); none: an empty stat.</summary>
    private static string Stat(string value, string filter = "true", StatNeed need = StatNeed.Full) => need switch
    {
        StatNeed.Full => $"avg({value}) FILTER (WHERE {filter}), percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY {value}) FILTER (WHERE {filter}), count({value}) FILTER (WHERE {filter})",
        StatNeed.Mean => $"avg({value}) FILTER (WHERE {filter}), NULL::float8[], count({value}) FILTER (WHERE {filter})",
        _ => "NULL::float8, NULL::float8[], 0::bigint",
    };

    /// <summary>Which stat (frt, asa, ata, aht, acw, resolution) a trend of this KPI reads, and whether its percentiles; null: none. The report needs all.</summary>
    private static (string Stat, StatNeed Need)? StatOf(string kpi) => kpi.Split('.') switch
    {
        [var stat and ("frt" or "asa" or "aht" or "acw"), var figure] => (stat, figure == "mean" ? StatNeed.Mean : StatNeed.Full),
        _ => null,
    };

    /// <summary>
    /// Aggregates over conversations, grouped by {key}. {pop} restricts the survey, resolution and FCR figures
    /// (true for the team; answered for an owner's figures, which are over the conversations they answered).
    /// </summary>
    private static string ConversationAggregates(string key, string where, string pop, Func<string, StatNeed>? needs = null) => $"""
        WITH {Conversations}
        SELECT {key},
            count(*), count(*) FILTER (WHERE answered), count(*) FILTER (WHERE abandoned), count(*) FILTER (WHERE short_abandoned), count(*) FILTER (WHERE missed),
            {Stat("frt_seconds", need: Needs(needs, "frt"))}, {Stat("wait_seconds", need: Needs(needs, "asa"))},
            {Stat("duration_seconds", "abandoned", Needs(needs, "ata"))}, {Stat("engaged_seconds + acw", "answered", Needs(needs, "aht"))},
            {Stat("acw", need: Needs(needs, "acw"))}, {Stat("duration_seconds", "answered AND resolved", Needs(needs, "resolution"))},
            count(*) FILTER (WHERE answered AND frt_seconds <= @sl), count(*) FILTER (WHERE answered AND resolved),
            count(*) FILTER (WHERE fcr), count(*) FILTER (WHERE fcr AND @now < ended_at + @window),
            count(*) FILTER (WHERE {pop} AND survey_resolved), count(survey_resolved) FILTER (WHERE {pop}),
            count(*) FILTER (WHERE answered AND transfers > 0),
            count(*) FILTER (WHERE {pop} AND csat >= 4), count(csat) FILTER (WHERE {pop}), avg(csat::float8) FILTER (WHERE {pop}),
            count(*) FILTER (WHERE {pop} AND nps >= 9), count(*) FILTER (WHERE {pop} AND nps <= 6), count(nps) FILTER (WHERE {pop}),
            avg(ces::float8) FILTER (WHERE {pop}),
            count(*) FILTER (WHERE answered AND ended_at IS NOT NULL AND has_survey), count(*) FILTER (WHERE answered AND ended_at IS NOT NULL),
            sum(engaged_seconds + acw) FILTER (WHERE answered)
        FROM d WHERE {where} GROUP BY 1
        """;

    /// <summary>Per operator (or per bucket for one operator): the conversations they took part in.</summary>
    private static StatNeed Needs(Func<string, StatNeed>? needs, string stat) => needs is null ? StatNeed.Full : needs(stat);

    /// <summary>The stats attributed to the owner at the end; an operator's FRT and AHT come from other rows.</summary>
    private static bool OwnersStats(string stat) => stat is "acw" or "resolution";

    /// <summary>Groups by an operator id in byte order: the same groups as the database collation, without its costly comparisons.</summary>
    private static string OperatorKey(string column) => $"{column} COLLATE \"C\"";

    private static StatNeed OwnersStatsNeed(string stat) => OwnersStats(stat) ? StatNeed.Full : StatNeed.None;

    private static string TookPartAggregates(string key, string where, StatNeed ahtNeed = StatNeed.Full) => $"""
        WITH o AS (
            SELECT o.*, o.engaged_seconds + CASE WHEN NOT o.is_owner THEN 0
                WHEN o.wrap_up_auto AND o.acw_raw_seconds > @timeout THEN @timeout ELSE o.acw_raw_seconds END AS handle
            FROM kpi_conversation_operators o
            WHERE o.site_id = @site AND o.requested_at >= @start AND o.requested_at < @end AND (@skill::uuid IS NULL OR o.skill_id = @skill) AND o.took_part)
        SELECT {key}, count(*), count(*) FILTER (WHERE answered), {Stat("handle", "answered", ahtNeed)},
            count(*) FILTER (WHERE answered AND transferred_away), sum(handle) FILTER (WHERE answered)
        FROM o WHERE {where} GROUP BY 1
        """;

    private static string FirstResponseAggregates(string key, string where, StatNeed need = StatNeed.Full) =>
        $"SELECT {key}, {Stat("frt_seconds", need: need)} FROM kpi_conversations WHERE site_id = @site AND requested_at >= @start AND requested_at < @end AND (@skill::uuid IS NULL OR skill_id = @skill) AND first_responder IS NOT NULL AND {where} GROUP BY 1";

    private sealed record Counts(
        int Requested, int Answered, int Abandoned, int ShortAbandoned, int Missed, Stat Frt, Stat Asa, Stat Ata, Stat Aht, Stat Acw, Stat ResolutionTime,
        int WithinServiceLevel, int Resolved, int Fcr, int FcrProvisional, int CustomerResolved, int CustomerAnswered, int Transferred,
        int Satisfied, int CsatAnswers, double? CsatMean, int Promoters, int Detractors, int NpsAnswers, double? Ces, int Surveyed, int AnsweredEnded, double HandleSeconds);

    private sealed record TookPart(int Requested, int Answered, Stat Aht, int TransferredAway, double HandleSeconds);

    private static readonly Stat NoStat = new(null, null, null, 0);
    private static readonly Counts NoCounts = new(0, 0, 0, 0, 0, NoStat, NoStat, NoStat, NoStat, NoStat, NoStat, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, 0, 0, 0, null, 0, 0, 0);
    private static readonly TookPart NoPart = new(0, 0, NoStat, 0, 0);

    public async Task<KpiReport> ReportAsync(KpiQuery query, string userId, bool seesTeam, CancellationToken cancellationToken = default)
    {
        var scope = await ScopeAsync(query, seesTeam ? query.Operator : userId, cancellationToken);
        var now = clock.UtcNowForStorage();
        // Independent aggregates over the same rows: each on its own pooled connection, at the same time.
        var ownedTask = ReadAsync(scope, now, ConversationAggregates(OperatorKey("owner_at_end"),
            scope.OperatorId is null ? "owner_at_end IS NOT NULL" : "owner_at_end = @operator", "answered", OwnersStatsNeed), ReadCounts, cancellationToken);
        var firstTask = ReadAsync(scope, now, FirstResponseAggregates(OperatorKey("first_responder"), scope.OperatorId is null ? "true" : "first_responder = @operator"), ReadStat, cancellationToken);
        var partTask = ReadAsync(scope, now, TookPartAggregates(OperatorKey("operator_id"), scope.OperatorId is null ? "true" : "operator_id = @operator"), ReadTookPart, cancellationToken);
        var teamTask = seesTeam ? ReadAsync(scope, now, ConversationAggregates("''", "true", "true"), ReadCounts, cancellationToken) : null;
        var staffed = await scope.StaffedAsync(db, now, cancellationToken);
        var busy = await BusyAsync(scope, cancellationToken);
        var names = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        var (owned, first, part) = (await ownedTask, await firstTask, await partTask);

        var busyOf = busy.GroupBy(b => b.OperatorId).ToDictionary(g => g.Key, g => g.Sum(b => b.Seconds));
        var staffedOf = staffed.GroupBy(s => s.OperatorId).ToDictionary(g => g.Key, g => g.Sum(s => (s.To - s.From).TotalSeconds));
        var operatorIds = scope.OperatorId is { } only ? [only] : part.Keys.Concat(staffed.Select(s => s.OperatorId)).Distinct().ToList();
        var operators = operatorIds
            .Select(id => new OperatorKpis(id, names.GetValueOrDefault(id, id), OperatorSet(owned.GetValueOrDefault(id, NoCounts), first.GetValueOrDefault(id, NoStat),
                part.GetValueOrDefault(id, NoPart), busyOf.GetValueOrDefault(id), staffedOf.GetValueOrDefault(id))))
            .OrderBy(o => o.DisplayName, StringComparer.CurrentCulture).ToList();
        var team = teamTask is null ? null : TeamSet((await teamTask).GetValueOrDefault("", NoCounts), busyOf.Values.Sum(), staffedOf.Values.Sum());
        return new KpiReport(scope.From.ToString("O"), scope.To.ToString("O"), scope.Zone.Id, team, operators);
    }

    public async Task<IReadOnlyList<TrendPoint>> TrendAsync(KpiQuery query, string kpi, string interval, string? operatorId, CancellationToken cancellationToken = default)
    {
        KpiScope.CheckTrend(kpi, interval);
        var scope = await ScopeAsync(query, operatorId, cancellationToken);
        var now = clock.UtcNowForStorage();
        // Grouped by the date itself: a sort of dates, not of their text.
        var bucket = $"date_trunc('{interval}', requested_at AT TIME ZONE @zone)::date";
        static string BucketKey(NpgsqlDataReader r) => r.GetFieldValue<DateOnly>(0).ToString("O");
        var stat = StatOf(kpi);
        StatNeed needs(string name) => name == stat?.Stat ? stat.Value.Need : StatNeed.None;

        // The aggregates run on their own connections while staffed and busy time are read.
        Task<Dictionary<string, Counts>>? teamTask = null, ownedTask = null;
        Task<Dictionary<string, Stat>>? firstTask = null;
        Task<Dictionary<string, TookPart>>? partTask = null;
        if (scope.OperatorId is null)
            teamTask = ReadAsync(scope, now, ConversationAggregates(bucket, "true", "true", needs), ReadCounts, cancellationToken, BucketKey);
        else
        {
            ownedTask = ReadAsync(scope, now, ConversationAggregates(bucket, "owner_at_end = @operator", "answered", name => OwnersStats(name) ? needs(name) : StatNeed.None),
                ReadCounts, cancellationToken, BucketKey);
            firstTask = needs("frt") is not StatNeed.None and var frtNeed
                ? ReadAsync(scope, now, FirstResponseAggregates(bucket, "first_responder = @operator", frtNeed), ReadStat, cancellationToken, BucketKey)
                : Task.FromResult(new Dictionary<string, Stat>());
            partTask = ReadAsync(scope, now, TookPartAggregates(bucket, "operator_id = @operator", needs("aht")), ReadTookPart, cancellationToken, BucketKey);
        }
        var staffed = await scope.StaffedAsync(db, now, cancellationToken);
        var busy = await BusyAsync(scope, cancellationToken);
        var buckets = scope.Buckets(interval).ToList();
        string BucketOf(DateOnly day) => (interval == "week" ? day.AddDays(-(((int)day.DayOfWeek + 6) % 7)) : day).ToString("O");
        var busyIn = busy.Where(b => scope.OperatorId is null || b.OperatorId == scope.OperatorId).GroupBy(b => BucketOf(b.Day)).ToDictionary(g => g.Key, g => g.Sum(b => b.Seconds));
        var staffedIn = StaffedByBucket(scope.OperatorId is null ? staffed : staffed.Where(s => s.OperatorId == scope.OperatorId).ToList(), scope, buckets);

        Func<string, KpiSet> setOf;
        if (teamTask is not null)
        {
            var counts = await teamTask;
            setOf = key => TeamSet(counts.GetValueOrDefault(key, NoCounts), busyIn.GetValueOrDefault(key), staffedIn.GetValueOrDefault(key));
        }
        else
        {
            var (owned, first, part) = (await ownedTask!, await firstTask!, await partTask!);
            setOf = key => OperatorSet(owned.GetValueOrDefault(key, NoCounts), first.GetValueOrDefault(key, NoStat), part.GetValueOrDefault(key, NoPart),
                busyIn.GetValueOrDefault(key), staffedIn.GetValueOrDefault(key));
        }
        return buckets.Select(b => new TrendPoint(b.Day.ToString("O"), KpiScope.Selectors[kpi](setOf(b.Day.ToString("O"))))).ToList();
    }

    public async Task<IReadOnlyList<HeatCell>> HeatmapAsync(KpiQuery query, string? operatorId, CancellationToken cancellationToken = default)
    {
        var scope = await ScopeAsync(query, operatorId, cancellationToken);
        var source = scope.OperatorId is null
            ? "kpi_conversations WHERE true"
            : "kpi_conversation_operators WHERE took_part AND operator_id = @operator";
        var cells = await ReadAsync(scope, clock.UtcNowForStorage(), $"""
            SELECT (extract(isodow FROM requested_at AT TIME ZONE @zone)::int - 1) * 24 + extract(hour FROM requested_at AT TIME ZONE @zone)::int, count(*)
            FROM {source} AND site_id = @site AND requested_at >= @start AND requested_at < @end AND (@skill::uuid IS NULL OR skill_id = @skill)
            GROUP BY 1
            """, r => (int)r.GetInt64(1), cancellationToken, key: r => r.GetInt32(0).ToString());
        return cells.Select(c => (Cell: int.Parse(c.Key), Count: c.Value)).OrderBy(c => c.Cell)
            .Select(c => new HeatCell(c.Cell / 24, c.Cell % 24, c.Count)).ToList();
    }

    /// <summary>The names the conversation list can be sorted by (the figure behind a KPI), and their column.</summary>
    private static readonly IReadOnlyDictionary<string, string> SortKeys = new Dictionary<string, string>
    {
        ["frt"] = "frt_seconds", ["asa"] = "wait_seconds", ["wait"] = "wait_seconds", ["aht"] = "handle", ["acw"] = "acw",
        ["csat"] = "csat", ["nps"] = "nps", ["ces"] = "ces", ["transferRate"] = "transfers",
    };

    /// <summary>
    /// The conversations behind a figure: sorted by it (descending unless asc) without those it does not apply to, or
    /// all by request time when no KPI is named; at most <paramref name="limit"/> rows when given.
    /// </summary>
    public async Task<IReadOnlyList<ConversationRow>> ConversationsAsync(
        KpiQuery query, string? operatorId, string? kpi = null, string? sort = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        string? column = null;
        if (kpi is not null && !SortKeys.TryGetValue(kpi, out column))
            throw new KpiQueryException($"Cannot sort by '{kpi}'.");
        var scope = await ScopeAsync(query, operatorId, cancellationToken);
        var now = clock.UtcNowForStorage();
        // Sorted and cut before the joins: a bounded (top-N) sort of the period's rows, and only the rows shown joined.
        var order = column is null ? "d.requested_at, d.conversation_id" : $"{column} {(sort == "asc" ? "ASC" : "DESC")}, d.requested_at, d.conversation_id";
        var sql = $"""
            WITH {Conversations}, r AS (
                SELECT d.*, CASE WHEN d.acw IS NOT NULL THEN d.engaged_seconds + d.acw END AS handle FROM d
                WHERE (@operator::text IS NULL OR d.conversation_id IN (SELECT o.conversation_id FROM kpi_conversation_operators o
                    WHERE o.operator_id = @operator AND o.took_part AND o.requested_at >= @start AND o.requested_at < @end)))
            SELECT d.conversation_id, d.requested_at, v.visitor_name, v.topic_key, coalesce(u.display_name, d.owner_at_end),
                   d.answered, d.abandoned, d.short_abandoned, d.missed, d.wait_seconds, d.frt_seconds, d.handle, d.acw, d.transfers,
                   d.disposition, d.csat, d.nps, d.ces, d.survey_resolved, d.resolved, d.ended_at, d.next_request_at
            FROM (SELECT * FROM r d {(column is null ? "" : $"WHERE {column} IS NOT NULL")} ORDER BY {order} {(limit is { } n ? $"LIMIT {Math.Clamp(n, 1, 1000)}" : "")}) d
            JOIN conversations v ON v.id = d.conversation_id LEFT JOIN users u ON u.id = d.owner_at_end
            ORDER BY {order}
            """;
        var rows = new List<ConversationRow>();
        await using var command = Command(scope, now, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var answered = reader.GetBoolean(5);
            rows.Add(new ConversationRow(
                reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), Nullable<string>(reader, 3), Nullable<string>(reader, 4),
                KpiScope.Outcome(answered, reader.GetBoolean(6), reader.GetBoolean(7), reader.GetBoolean(8)),
                NullableDouble(reader, 9), NullableDouble(reader, 10), NullableDouble(reader, 11), NullableDouble(reader, 12), reader.GetInt32(13),
                Nullable<string>(reader, 14), NullableInt(reader, 15), NullableInt(reader, 16), NullableInt(reader, 17),
                reader.IsDBNull(18) ? null : reader.GetBoolean(18),
                KpiScope.FcrStatus(answered, reader.GetBoolean(19), reader.IsDBNull(20) ? null : reader.GetFieldValue<DateTimeOffset>(20),
                    reader.IsDBNull(21) ? null : reader.GetFieldValue<DateTimeOffset>(21), scope.Settings, now)));
        }
        return rows;
    }

    private async Task<KpiScope> ScopeAsync(KpiQuery query, string? operatorId, CancellationToken cancellationToken)
    {
        var scope = await KpiScope.ResolveAsync(db, clock, query, operatorId, cancellationToken);
        await projection.CatchUpAsync(cancellationToken: cancellationToken);
        return scope;
    }

    private static KpiSet TeamSet(Counts c, double busySeconds, double staffedSeconds)
    {
        var countedAbandoned = c.Abandoned - c.ShortAbandoned;
        return new KpiSet(c.Frt, c.Asa, c.Ata, c.Aht, c.Acw, c.ResolutionTime,
            AbandonmentRate: Ratio(countedAbandoned, c.Requested - c.ShortAbandoned),
            ServiceLevel: Ratio(c.WithinServiceLevel, c.Answered + countedAbandoned),
            ResolutionRate: Ratio(c.Resolved, c.Answered),
            Fcr: new FcrFigure(Ratio(c.Fcr, c.Answered), c.FcrProvisional, c.Fcr),
            CustomerFcr: Ratio(c.CustomerResolved, c.CustomerAnswered),
            TransferRate: Ratio(c.Transferred, c.Answered),
            Utilization: staffedSeconds > 0 ? busySeconds / staffedSeconds : null,
            Concurrency: busySeconds > 0 ? c.HandleSeconds / busySeconds : null,
            Csat: new CsatFigure(Ratio(c.Satisfied, c.CsatAnswers), c.CsatMean),
            Nps: c.NpsAnswers == 0 ? null : 100.0 * (c.Promoters - c.Detractors) / c.NpsAnswers,
            Ces: c.Ces,
            SurveyResponseRate: Ratio(c.Surveyed, c.AnsweredEnded),
            Volume: new Volume(c.Requested, c.Answered, c.Abandoned, c.ShortAbandoned, c.Missed));
    }

    /// <summary>
    /// Attribution (../shared/kpis.md): FRT to the first responder, handle time and transfers to each operator's part,
    /// the rest (resolution, FCR, surveys, ACW) to the owner at the end: the team's formulas over the owned conversations.
    /// </summary>
    private static KpiSet OperatorSet(Counts owned, Stat firstResponses, TookPart part, double busySeconds, double staffedSeconds) =>
        TeamSet(owned, busySeconds, staffedSeconds) with
        {
            Frt = firstResponses, Asa = NoStat, Ata = NoStat, Aht = part.Aht, AbandonmentRate = null, ServiceLevel = null,
            TransferRate = Ratio(part.TransferredAway, part.Answered),
            Concurrency = busySeconds > 0 ? part.HandleSeconds / busySeconds : null,
            Volume = new Volume(part.Requested, part.Answered, 0, 0, 0),
        };

    /// <summary>Staffed seconds per bucket: each interval split over the buckets it spans.</summary>
    private static Dictionary<string, double> StaffedByBucket(List<StaffedInterval> staffed, KpiScope scope, List<(DateOnly Day, DateOnly Next)> buckets)
    {
        var spans = buckets.Select(b => (Key: b.Day.ToString("O"), Span: scope.Span(b.Day, b.Next))).ToList();
        var result = new Dictionary<string, double>();
        foreach (var s in staffed)
        {
            var first = spans.FindIndex(b => b.Span.End > s.From);
            for (var i = Math.Max(first, 0); i < spans.Count && spans[i].Span.Start < s.To; i++)
            {
                var (start, end) = spans[i].Span;
                var seconds = ((s.To < end ? s.To : end) - (s.From > start ? s.From : start)).TotalSeconds;
                if (seconds > 0)
                    result[spans[i].Key] = result.GetValueOrDefault(spans[i].Key) + seconds;
            }
        }
        return result;
    }

    /// <summary>Each operator's busy seconds per day of the period (skill filter applied), from the daily unions.</summary>
    private async Task<List<(string OperatorId, DateOnly Day, double Seconds)>> BusyAsync(KpiScope scope, CancellationToken cancellationToken)
    {
        var skill = scope.SkillId ?? KpiBusyDayRow.AllSkills;
        return (await db.KpiBusyDays.AsNoTracking()
                .Where(b => b.SiteId == scope.SiteId && b.SkillId == skill && b.Day >= scope.From && b.Day <= scope.To)
                .Select(b => new { b.OperatorId, b.Day, b.BusySeconds }).ToListAsync(cancellationToken))
            .Select(b => (b.OperatorId, b.Day, b.BusySeconds)).ToList();
    }

    private static Counts ReadCounts(NpgsqlDataReader r) => new(
        (int)r.GetInt64(1), (int)r.GetInt64(2), (int)r.GetInt64(3), (int)r.GetInt64(4), (int)r.GetInt64(5),
        ReadStat(r, 6), ReadStat(r, 9), ReadStat(r, 12), ReadStat(r, 15), ReadStat(r, 18), ReadStat(r, 21),
        (int)r.GetInt64(24), (int)r.GetInt64(25), (int)r.GetInt64(26), (int)r.GetInt64(27), (int)r.GetInt64(28), (int)r.GetInt64(29), (int)r.GetInt64(30),
        (int)r.GetInt64(31), (int)r.GetInt64(32), NullableDouble(r, 33), (int)r.GetInt64(34), (int)r.GetInt64(35), (int)r.GetInt64(36), NullableDouble(r, 37),
        (int)r.GetInt64(38), (int)r.GetInt64(39), NullableDouble(r, 40) ?? 0);

    private static Stat ReadStat(NpgsqlDataReader r) => ReadStat(r, 1);

    private static TookPart ReadTookPart(NpgsqlDataReader r) =>
        new((int)r.GetInt64(1), (int)r.GetInt64(2), ReadStat(r, 3), (int)r.GetInt64(6), NullableDouble(r, 7) ?? 0);

    private static Stat ReadStat(NpgsqlDataReader r, int at)
    {
        var count = (int)r.GetInt64(at + 2);
        if (count == 0)
            return NoStat;
        if (r.IsDBNull(at + 1))
            return new Stat(r.GetDouble(at), null, null, count);
        var percentiles = r.GetFieldValue<double[]>(at + 1);
        return new Stat(r.GetDouble(at), percentiles[0], percentiles[1], count);
    }

    private async Task<Dictionary<string, T>> ReadAsync<T>(KpiScope scope, DateTimeOffset now, string sql, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken,
        Func<NpgsqlDataReader, string>? key = null)
    {
        await using var command = Command(scope, now, sql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new Dictionary<string, T>();
        while (await reader.ReadAsync(cancellationToken))
            result[key is null ? reader.GetString(0) : key(reader)] = read(reader);
        return result;
    }

    /// <summary>A command that takes a pooled connection of its own while it runs, so that independent aggregates run at the same time.</summary>
    private NpgsqlCommand Command(KpiScope scope, DateTimeOffset now, string sql)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("site", scope.SiteId);
        command.Parameters.AddWithValue("start", scope.Start);
        command.Parameters.AddWithValue("end", scope.End);
        command.Parameters.Add(new NpgsqlParameter("skill", NpgsqlTypes.NpgsqlDbType.Uuid) { Value = (object?)scope.SkillId ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter("operator", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)scope.OperatorId ?? DBNull.Value });
        command.Parameters.AddWithValue("zone", scope.Zone.Id);
        command.Parameters.AddWithValue("timeout", scope.Settings.WrapUpTimeoutSeconds);
        command.Parameters.AddWithValue("short", scope.Settings.ShortAbandonSeconds);
        command.Parameters.AddWithValue("sl", scope.Settings.ServiceLevelSeconds);
        command.Parameters.AddWithValue("window", scope.Settings.FcrRepeatWindow);
        command.Parameters.AddWithValue("now", now);
        return command;
    }

    private static double? Ratio(int numerator, int denominator) => denominator == 0 ? null : (double)numerator / denominator;
    private static double? NullableDouble(NpgsqlDataReader r, int at) => r.IsDBNull(at) ? null : r.GetDouble(at);
    private static int? NullableInt(NpgsqlDataReader r, int at) => r.IsDBNull(at) ? null : r.GetInt16(at);
    private static T? Nullable<T>(NpgsqlDataReader r, int at) where T : class => r.IsDBNull(at) ? null : r.GetFieldValue<T>(at);
}
