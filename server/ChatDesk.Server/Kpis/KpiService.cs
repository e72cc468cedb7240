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
    private static readonly string Conversations = ConversationsOf("true");

    /// <summary>The period's conversation rows that match <paramref name="where"/> (over f), with those figures.</summary>
    private static string ConversationsOf(string where) => $"""
        c AS (
            SELECT f.*, f.frt_seconds IS NOT NULL AS answered,
                   f.frt_seconds IS NULL AND f.ended_by IS NOT DISTINCT FROM 'visitor' AS abandoned,
                   f.frt_seconds IS NULL AND f.ended_by IS NOT DISTINCT FROM 'system' AS missed,
                   f.acw_seconds AS acw
            FROM kpi_conversations f
            WHERE {where} AND f.site_id = @site AND f.requested_at >= @start AND f.requested_at < @end AND (@skill::uuid IS NULL OR f.skill_id = @skill)),
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

    /// <param name="operatorPercentiles">Whether each operator's median and p90 are computed when the report lists several
    /// operators (a sort of every value of the period); the dashboard's operator table shows means and leaves them out.</param>
    public async Task<KpiReport> ReportAsync(KpiQuery query, string userId, bool seesTeam, CancellationToken cancellationToken = default, bool operatorPercentiles = true)
    {
        var scope = await ScopeAsync(query, seesTeam ? query.Operator : userId, cancellationToken);
        var now = clock.UtcNowForStorage();
        var rollupsTask = DailyAsync(scope, team: seesTeam, operators: true, histograms: seesTeam, cancellationToken);
        var provisionalTask = ProvisionalAsync(scope, now, cancellationToken);
        // Percentiles of several operators' figures need their values: the period's rows, aggregated per operator.
        Task<Dictionary<string, Counts>>? ownedTask = null;
        Task<Dictionary<string, Stat>>? firstTask = null;
        Task<Dictionary<string, TookPart>>? partTask = null;
        if (scope.OperatorId is not null || operatorPercentiles)
        {
            ownedTask = ReadAsync(scope, now, ConversationAggregates(OperatorKey("owner_at_end"),
                scope.OperatorId is null ? "owner_at_end IS NOT NULL" : "owner_at_end = @operator", "answered", OwnersStatsNeed), ReadCounts, cancellationToken);
            firstTask = ReadAsync(scope, now, FirstResponseAggregates(OperatorKey("first_responder"), scope.OperatorId is null ? "true" : "first_responder = @operator"), ReadStat, cancellationToken);
            partTask = ReadAsync(scope, now, TookPartAggregates(OperatorKey("operator_id"), scope.OperatorId is null ? "true" : "operator_id = @operator"), ReadTookPart, cancellationToken);
        }
        var staffed = await scope.StaffedAsync(db, now, cancellationToken);
        var busy = await BusyAsync(scope, cancellationToken);
        var names = await db.Users.AsNoTracking().ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        var rollups = Sum(await rollupsTask, r => r.OperatorId);
        var provisional = await provisionalTask;

        var busyOf = busy.GroupBy(b => b.OperatorId).ToDictionary(g => g.Key, g => g.Sum(b => b.Seconds));
        var staffedOf = staffed.GroupBy(s => s.OperatorId).ToDictionary(g => g.Key, g => g.Sum(s => (s.To - s.From).TotalSeconds));
        var operatorIds = scope.OperatorId is { } only ? [only]
            : rollups.Where(r => r.Key != KpiDaily.Team && r.Value[DailyCount.PartRequested] > 0).Select(r => r.Key).Concat(staffed.Select(s => s.OperatorId)).Distinct().ToList();
        KpiSet OperatorSetOf(string id)
        {
            var daily = rollups.GetValueOrDefault(id) ?? new DailyFigures();
            var (owned, first, part) = (OwnedCounts(daily, provisional.GetValueOrDefault(id)), daily.Stat(DailyDuration.Frt), PartOf(daily));
            // The rows' aggregates, when read, add the percentiles to the rollups' means and counts.
            if (ownedTask is not null)
            {
                var (o, f, p) = (ownedTask.Result.GetValueOrDefault(id), firstTask!.Result.GetValueOrDefault(id), partTask!.Result.GetValueOrDefault(id));
                owned = owned with { Acw = WithPercentiles(owned.Acw, o?.Acw), ResolutionTime = WithPercentiles(owned.ResolutionTime, o?.ResolutionTime) };
                first = WithPercentiles(first, f);
                part = part with { Aht = WithPercentiles(part.Aht, p?.Aht) };
            }
            return OperatorSet(owned, first, part, busyOf.GetValueOrDefault(id), staffedOf.GetValueOrDefault(id));
        }
        if (ownedTask is not null)
            await Task.WhenAll(ownedTask, firstTask!, partTask!);
        var operators = operatorIds.Select(id => new OperatorKpis(id, names.GetValueOrDefault(id, id), OperatorSetOf(id)))
            .OrderBy(o => o.DisplayName, StringComparer.CurrentCulture).ToList();
        KpiSet? team = null;
        if (seesTeam)
        {
            var daily = rollups.GetValueOrDefault(KpiDaily.Team) ?? new DailyFigures();
            var percentiles = await PercentilesAsync(scope, daily, cancellationToken);
            team = TeamSet(TeamCounts(daily, provisional.GetValueOrDefault(KpiDaily.Team), percentiles), busyOf.Values.Sum(), staffedOf.Values.Sum());
        }
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
        string BucketOf(DateOnly day) => (interval == "week" ? day.AddDays(-(((int)day.DayOfWeek + 6) % 7)) : day).ToString("O");

        // Counts, rates and means add up from the daily rollups; a percentile per bucket needs the bucket's values (the rows).
        Task<Dictionary<string, Counts>>? teamTask = null, ownedTask = null;
        Task<Dictionary<string, Stat>>? firstTask = null;
        Task<Dictionary<string, TookPart>>? partTask = null;
        Task<List<DailyRow>>? dailyTask = null;
        if (stat?.Need is not StatNeed.Full)
            dailyTask = DailyAsync(scope, team: scope.OperatorId is null, operators: scope.OperatorId is not null, histograms: false, cancellationToken);
        else if (scope.OperatorId is null)
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
        var busyIn = busy.Where(b => scope.OperatorId is null || b.OperatorId == scope.OperatorId).GroupBy(b => BucketOf(b.Day)).ToDictionary(g => g.Key, g => g.Sum(b => b.Seconds));
        var staffedIn = StaffedByBucket(scope.OperatorId is null ? staffed : staffed.Where(s => s.OperatorId == scope.OperatorId).ToList(), scope, buckets);

        Func<string, KpiSet> setOf;
        if (dailyTask is not null)
        {
            var daily = Sum(await dailyTask, r => BucketOf(r.Day));
            var none = new DailyFigures();
            // A trend reads a rate or a mean: no KPI of a trend depends on the provisional part of FCR.
            setOf = scope.OperatorId is null
                ? key => TeamSet(TeamCounts(daily.GetValueOrDefault(key, none), 0), busyIn.GetValueOrDefault(key), staffedIn.GetValueOrDefault(key))
                : key =>
                {
                    var f = daily.GetValueOrDefault(key, none);
                    return OperatorSet(OwnedCounts(f, 0), f.Stat(DailyDuration.Frt), PartOf(f), busyIn.GetValueOrDefault(key), staffedIn.GetValueOrDefault(key));
                };
        }
        else if (teamTask is not null)
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
        var cells = new int[7 * 24];
        if (scope.OperatorId is null)
        {
            // The team's requests per local hour are in the daily rollups.
            foreach (var row in await DailyAsync(scope, team: true, operators: false, histograms: false, cancellationToken))
                for (var hour = 0; hour < 24; hour++)
                    cells[(((int)row.Day.DayOfWeek + 6) % 7) * 24 + hour] += row.Figures.Hours![hour];
        }
        else
        {
            var counts = await ReadAsync(scope, clock.UtcNowForStorage(), """
                SELECT (extract(isodow FROM requested_at AT TIME ZONE @zone)::int - 1) * 24 + extract(hour FROM requested_at AT TIME ZONE @zone)::int, count(*)
                FROM kpi_conversation_operators WHERE took_part AND operator_id = @operator
                  AND site_id = @site AND requested_at >= @start AND requested_at < @end AND (@skill::uuid IS NULL OR skill_id = @skill)
                GROUP BY 1
                """, r => (int)r.GetInt64(1), cancellationToken, key: r => r.GetInt32(0).ToString());
            foreach (var (cell, count) in counts)
                cells[int.Parse(cell)] = count;
        }
        return cells.Select((count, cell) => new HeatCell(cell / 24, cell % 24, count)).Where(c => c.Requested > 0).ToList();
    }

    /// <summary>The names the conversation list can be sorted by (the figure behind a KPI), and its expression over a row's columns ({0}: the row's alias).</summary>
    private static readonly IReadOnlyDictionary<string, string> SortKeys = new Dictionary<string, string>
    {
        ["frt"] = "{0}.frt_seconds", ["asa"] = "{0}.wait_seconds", ["wait"] = "{0}.wait_seconds",
        ["aht"] = "CASE WHEN {0}.acw_seconds IS NOT NULL THEN {0}.engaged_seconds + {0}.acw_seconds END", ["acw"] = "{0}.acw_seconds",
        ["csat"] = "{0}.csat", ["nps"] = "{0}.nps", ["ces"] = "{0}.ces", ["transferRate"] = "{0}.transfers",
    };

    /// <summary>
    /// The conversations behind a figure: sorted by it (descending unless asc) without those it does not apply to, or
    /// all by request time when no KPI is named; at most <paramref name="limit"/> rows when given.
    /// </summary>
    public async Task<IReadOnlyList<ConversationRow>> ConversationsAsync(
        KpiQuery query, string? operatorId, string? kpi = null, string? sort = null, int? limit = null, CancellationToken cancellationToken = default)
    {
        string? figure = null;
        if (kpi is not null && !SortKeys.TryGetValue(kpi, out figure))
            throw new KpiQueryException($"Cannot sort by '{kpi}'.");
        var scope = await ScopeAsync(query, operatorId, cancellationToken);
        var now = clock.UtcNowForStorage();
        string Order(string alias) => figure is null
            ? $"{alias}.requested_at, {alias}.conversation_id"
            : $"{string.Format(figure, alias)} {(sort == "asc" ? "ASC" : "DESC")}, {alias}.requested_at, {alias}.conversation_id";
        var cut = limit is { } n ? Math.Clamp(n, 1, 1000) : (int?)null;
        // The rows shown are picked first, from the derived rows alone, and only those are joined and given their outcome.
        // Sorted by a figure, a walk down its index stops at the limit; for one operator it tests each row it passes,
        // which is cheaper than reading all of their rows only while they are a good share of the period's.
        var fromOperatorsRows = scope.OperatorId is not null && figure is not null && cut is not null
            && await IsSmallShareAsync(scope, cut.Value, cancellationToken);
        var picked = fromOperatorsRows
            ? $"""
                mine AS MATERIALIZED (
                    SELECT o.conversation_id FROM kpi_conversation_operators o
                    WHERE o.site_id = @site AND o.operator_id = @operator AND o.took_part AND o.requested_at >= @start AND o.requested_at < @end
                      AND (@skill::uuid IS NULL OR o.skill_id = @skill)),
                picked AS (
                    SELECT f.conversation_id FROM mine JOIN kpi_conversations f ON f.conversation_id = mine.conversation_id
                    WHERE {string.Format(figure!, "f")} IS NOT NULL ORDER BY {Order("f")} LIMIT {cut})
                """
            : $"""
                picked AS (
                    SELECT f.conversation_id FROM kpi_conversations f
                    WHERE f.site_id = @site AND f.requested_at >= @start AND f.requested_at < @end AND (@skill::uuid IS NULL OR f.skill_id = @skill)
                      {(figure is null ? "" : $"AND {string.Format(figure, "f")} IS NOT NULL")}
                      {(scope.OperatorId is null ? "" : "AND EXISTS (SELECT 1 FROM kpi_conversation_operators o WHERE o.conversation_id = f.conversation_id AND o.operator_id = @operator AND o.took_part)")}
                    ORDER BY {Order("f")} {(cut is null ? "" : $"LIMIT {cut}")})
                """;
        var sql = $"""
            WITH {picked},
            {ConversationsOf("f.conversation_id IN (SELECT conversation_id FROM picked)")}
            SELECT d.conversation_id, d.requested_at, v.visitor_name, v.topic_key, coalesce(u.display_name, d.owner_at_end),
                   d.answered, d.abandoned, d.short_abandoned, d.missed, d.wait_seconds, d.frt_seconds,
                   CASE WHEN d.acw IS NOT NULL THEN d.engaged_seconds + d.acw END, d.acw, d.transfers,
                   d.disposition, d.csat, d.nps, d.ces, d.survey_resolved, d.resolved, d.ended_at, d.next_request_at
            FROM d JOIN conversations v ON v.id = d.conversation_id LEFT JOIN users u ON u.id = d.owner_at_end
            ORDER BY {Order("d")}
            """;
        var rows = new List<ConversationRow>();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Parallel workers would each walk ahead of the limit.
        await using (var serial = new NpgsqlCommand("SET LOCAL max_parallel_workers_per_gather = 0", connection, transaction))
            await serial.ExecuteNonQueryAsync(cancellationToken);
        await using var command = WithParameters(new NpgsqlCommand(sql, connection, transaction), scope, now);
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

    /// <summary>
    /// Whether the operator's conversations are so few among the period's that reading them all costs less than a walk
    /// down the whole period's index, which passes about limit × all / theirs rows before it has enough of theirs.
    /// </summary>
    private async Task<bool> IsSmallShareAsync(KpiScope scope, int limit, CancellationToken cancellationToken)
    {
        var rows = await DailyAsync(scope, team: true, operators: true, histograms: false, cancellationToken);
        double all = rows.Where(r => r.OperatorId == KpiDaily.Team).Sum(r => r.Figures[DailyCount.Requested]);
        double theirs = rows.Where(r => r.OperatorId != KpiDaily.Team).Sum(r => r.Figures[DailyCount.PartRequested]);
        return theirs * theirs <= limit * all;
    }

    private async Task<KpiScope> ScopeAsync(KpiQuery query, string? operatorId, CancellationToken cancellationToken)
    {
        var scope = await KpiScope.ResolveAsync(db, clock, query, operatorId, cancellationToken);
        await projection.CatchUpAsync(cancellationToken: cancellationToken);
        await projection.EnsureDailyAsync(scope.SiteId, KpiDaily.Stamp(scope.Settings, scope.Zone), cancellationToken);
        return scope;
    }

    // ---- Daily rollups (KpiDaily): counts and sums of whole local days, and the team's duration histograms.

    private sealed record DailyRow(string OperatorId, DateOnly Day, DailyFigures Figures);

    /// <summary>The period's rollup rows for the skill filter: the team's and/or the operators' (the scope's operator, or all).</summary>
    private async Task<List<DailyRow>> DailyAsync(KpiScope scope, bool team, bool operators, bool histograms, CancellationToken cancellationToken)
    {
        var sql = $"""
            SELECT operator_id, day, counts, duration_counts, duration_sums, score_sums, hours{(histograms ? ", frt_hist, asa_hist, ata_hist, aht_hist, acw_hist, resolution_hist" : "")}
            FROM kpi_daily WHERE site_id = @site AND skill_key = @skill_key AND day >= @from AND day <= @to
              AND ((@team AND operator_id = '') OR (@operators AND operator_id <> '' AND (@operator::text IS NULL OR operator_id = @operator)))
            """;
        await using var command = Command(scope, clock.UtcNowForStorage(), sql);
        command.Parameters.AddWithValue("skill_key", scope.SkillId ?? KpiBusyDayRow.AllSkills);
        command.Parameters.AddWithValue("from", scope.From);
        command.Parameters.AddWithValue("to", scope.To);
        command.Parameters.AddWithValue("team", team);
        command.Parameters.AddWithValue("operators", operators);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<DailyRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var figures = new DailyFigures
            {
                Counts = reader.GetFieldValue<int[]>(2), DurationCounts = reader.GetFieldValue<int[]>(3),
                DurationSums = reader.GetFieldValue<double[]>(4), ScoreSums = reader.GetFieldValue<double[]>(5),
                Hours = reader.IsDBNull(6) ? null : reader.GetFieldValue<int[]>(6),
                Histograms = histograms && !reader.IsDBNull(7) ? Enumerable.Range(7, DailyFigures.DurationLength).Select(reader.GetFieldValue<int[]>).ToArray() : null,
            };
            rows.Add(new DailyRow(reader.GetString(0), reader.GetFieldValue<DateOnly>(1), figures));
        }
        return rows;
    }

    private static Dictionary<string, DailyFigures> Sum(IEnumerable<DailyRow> rows, Func<DailyRow, string> key)
    {
        var sums = new Dictionary<string, DailyFigures>();
        foreach (var row in rows)
        {
            if (!sums.TryGetValue(key(row), out var sum))
                sums[key(row)] = sum = new DailyFigures();
            sum.Add(row.Figures);
        }
        return sums;
    }

    /// <summary>
    /// FCR conversations whose repeat window is still open, for the team ('') and per owner: they depend on the
    /// time of the query, so they are counted from the rows (only those that ended within the window).
    /// </summary>
    private async Task<Dictionary<string, int>> ProvisionalAsync(KpiScope scope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>();
        await using var command = Command(scope, now, """
            SELECT owner_at_end FROM kpi_conversations
            WHERE site_id = @site AND ended_at IS NOT NULL AND ended_at > @now - @window AND @now < ended_at + @window
              AND requested_at >= @start AND requested_at < @end AND (@skill::uuid IS NULL OR skill_id = @skill)
              AND frt_seconds IS NOT NULL AND resolved AND NOT coalesce(next_request_at <= ended_at + @window, false)
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[KpiDaily.Team] = counts.GetValueOrDefault(KpiDaily.Team) + 1;
            if (!reader.IsDBNull(0))
                counts[reader.GetString(0)] = counts.GetValueOrDefault(reader.GetString(0)) + 1;
        }
        return counts;
    }

    private static Counts TeamCounts(DailyFigures f, int provisional, IReadOnlyDictionary<DailyDuration, (double? Median, double? P90)>? percentiles = null)
    {
        Stat StatOf(DailyDuration d) => percentiles is not null && percentiles.TryGetValue(d, out var p) ? f.Stat(d, p.Median, p.P90) : f.Stat(d);
        return new Counts(
            f[DailyCount.Requested], f[DailyCount.Answered], f[DailyCount.Abandoned], f[DailyCount.ShortAbandoned], f[DailyCount.Missed],
            StatOf(DailyDuration.Frt), StatOf(DailyDuration.Asa), StatOf(DailyDuration.Ata), StatOf(DailyDuration.Aht), StatOf(DailyDuration.Acw),
            StatOf(DailyDuration.Resolution), f[DailyCount.WithinServiceLevel], f[DailyCount.Resolved], f[DailyCount.Fcr], provisional,
            f[DailyCount.CustomerResolved], f[DailyCount.CustomerAnswered], f[DailyCount.Transferred], f[DailyCount.Satisfied], f[DailyCount.CsatAnswers],
            MeanOf(f.ScoreSums[(int)DailyScore.Csat], f[DailyCount.CsatAnswers]), f[DailyCount.Promoters], f[DailyCount.Detractors], f[DailyCount.NpsAnswers],
            MeanOf(f.ScoreSums[(int)DailyScore.Ces], f[DailyCount.CesAnswers]), f[DailyCount.Surveyed], f[DailyCount.AnsweredEnded],
            f.DurationSums[(int)DailyDuration.Aht]);
    }

    /// <summary>An owner's figures: the team's shape over the conversations they owned at the end (FRT and AHT come from other rows).</summary>
    private static Counts OwnedCounts(DailyFigures f, int provisional) => TeamCounts(f, provisional);

    private static TookPart PartOf(DailyFigures f) => new(f[DailyCount.PartRequested], f[DailyCount.PartAnswered], f.Stat(DailyDuration.Aht),
        f[DailyCount.PartTransferredAway], f.DurationSums[(int)DailyDuration.Aht]);

    private static Stat WithPercentiles(Stat rollup, Stat? rows) => rows is null ? rollup : rollup with { Median = rows.Median, P90 = rows.P90 };

    private static double? MeanOf(double sum, int count) => count == 0 ? null : sum / count;

    /// <summary>A duration's values as the team's percentiles read them: the column and the population (each has its index, migration 0013).</summary>
    private static readonly IReadOnlyDictionary<DailyDuration, (string Column, string Population)> DurationColumns = new Dictionary<DailyDuration, (string, string)>
    {
        [DailyDuration.Frt] = ("frt_seconds", "frt_seconds IS NOT NULL"),
        [DailyDuration.Asa] = ("wait_seconds", "wait_seconds IS NOT NULL"),
        [DailyDuration.Ata] = ("duration_seconds", "frt_seconds IS NULL AND ended_by = 'visitor' AND duration_seconds IS NOT NULL"),
        [DailyDuration.Aht] = ("handle_seconds", "handle_seconds IS NOT NULL"),
        [DailyDuration.Acw] = ("acw_seconds", "acw_seconds IS NOT NULL"),
        [DailyDuration.Resolution] = ("duration_seconds", "frt_seconds IS NOT NULL AND resolved AND duration_seconds IS NOT NULL"),
    };

    /// <summary>
    /// Exact median and p90 of the team's durations (percentile_cont): the summed histograms give, for each rank
    /// needed, its bucket and how many of the period's values lie below; one query walks each bucket's index from
    /// its lower bound to the value at that rank and the next.
    /// </summary>
    private async Task<Dictionary<DailyDuration, (double? Median, double? P90)>> PercentilesAsync(KpiScope scope, DailyFigures team, CancellationToken cancellationToken)
    {
        var walks = new List<(DailyDuration Duration, double Fraction, long Lower, double Position)>();
        foreach (var duration in Enum.GetValues<DailyDuration>())
        {
            var count = team.DurationCounts[(int)duration];
            if (count == 0)
                continue;
            foreach (var fraction in new[] { 0.5, 0.9 })
            {
                var position = fraction * (count - 1);
                walks.Add((duration, fraction, (long)Math.Floor(position), position));
            }
        }
        var result = new Dictionary<DailyDuration, (double? Median, double? P90)>();
        if (walks.Count == 0)
            return result;
        var parts = new List<string>();
        await using var command = Command(scope, clock.UtcNowForStorage(), "");
        for (var i = 0; i < walks.Count; i++)
        {
            var (duration, _, lower, _) = walks[i];
            var (bucket, offset) = KpiDaily.Locate(team.Histograms![(int)duration], lower);
            var (column, population) = DurationColumns[duration];
            parts.Add($"""
                (SELECT {i} AS walk, {column} AS value FROM kpi_conversations
                 WHERE site_id = @site AND {population} AND {column} >= @lo{i} AND requested_at >= @start AND requested_at < @end
                   AND (@skill::uuid IS NULL OR skill_id = @skill)
                 ORDER BY {column} OFFSET {offset} LIMIT 2)
                """);
            command.Parameters.AddWithValue($"lo{i}", KpiDaily.LowerBound(bucket));
        }
        command.CommandText = string.Join("\nUNION ALL\n", parts);
        var values = walks.Select(_ => new List<double>()).ToList();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken))
                values[reader.GetInt32(0)].Add(reader.GetDouble(1));
        for (var i = 0; i < walks.Count; i++)
        {
            var (duration, fraction, lower, position) = walks[i];
            var found = values[i].Order().ToList();
            if (found.Count == 0)
                throw new InvalidOperationException($"The {duration} rollups do not match the rows; rebuild the KPI rows.");
            // As percentile_cont: linear interpolation between the closest ranks.
            var value = position == lower ? found[0] : found[0] + (position - lower) * (found[1] - found[0]);
            var (median, p90) = result.GetValueOrDefault(duration);
            result[duration] = fraction == 0.5 ? (value, p90) : (median, value);
        }
        return result;
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
    private NpgsqlCommand Command(KpiScope scope, DateTimeOffset now, string sql) => WithParameters(dataSource.CreateCommand(sql), scope, now);

    private static NpgsqlCommand WithParameters(NpgsqlCommand command, KpiScope scope, DateTimeOffset now)
    {
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
