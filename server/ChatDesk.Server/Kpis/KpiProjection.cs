using System.Data;
using ChatDesk.Server.Data;
using ChatDesk.Server.Widget;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ChatDesk.Server.Kpis;

/// <summary>
/// Keeps the derived KPI rows (kpi_conversations, kpi_conversation_operators, kpi_busy_intervals,
/// kpi_busy_days) equal to what the event log says. The events trigger queues every conversation whose
/// facts an event changes (kpi_dirty_conversations, in the event's transaction); <see cref="CatchUpAsync"/>
/// recomputes the queued conversations from their events, idempotently, one node at a time. It runs in the
/// background and before every dashboard query, so queries never read a stale row.
/// </summary>
public sealed class KpiProjection(ChatDeskDbContext db)
{
    private const long LockKey = 0x4B_50_49_46_61_63_74_73; // "KPIFacts"
    private const int BatchSize = 1000;

    /// <param name="wait">Wait for a catch-up or rebuild running elsewhere (a query must read up-to-date rows);
    /// otherwise leave the work to it (the background worker).</param>
    public async Task CatchUpAsync(bool wait = true, CancellationToken cancellationToken = default)
    {
        // Nothing queued: no transaction, no lock. A catch-up running elsewhere has not committed its dequeue, so
        // its conversations still show here and a query waits for it below.
        if (!await db.Database.SqlQueryRaw<bool>("SELECT EXISTS (SELECT 1 FROM kpi_dirty_conversations) AS \"Value\"").SingleAsync(cancellationToken))
            return;
        while (true)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            if (wait)
                await ExecuteAsync($"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
            else if (!await db.Database.SqlQueryRaw<bool>($"SELECT pg_try_advisory_xact_lock({LockKey}) AS \"Value\"").SingleAsync(cancellationToken))
                return;
            // One queued row per change: a change committed after this read keeps its row for the next catch-up.
            var queued = await ReadGuidsAsync($"""
                DELETE FROM kpi_dirty_conversations WHERE id IN (SELECT id FROM kpi_dirty_conversations ORDER BY id LIMIT {BatchSize})
                RETURNING conversation_id
                """, cancellationToken);
            if (queued.Count > 0)
                await ProjectAsync(queued.Distinct().ToList(), incremental: true, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            if (queued.Count < BatchSize)
                return;
        }
    }

    /// <summary>Recomputes every derived row from the event log (after a change of time zone or wrap-up timeout, or a repair).</summary>
    public async Task<int> RebuildAsync(CancellationToken cancellationToken = default)
    {
        db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
        await using var transaction = await db.Database.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await ExecuteAsync($"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        await ExecuteAsync("TRUNCATE kpi_conversations, kpi_conversation_operators, kpi_busy_intervals, kpi_busy_days, kpi_daily, kpi_daily_stamps", cancellationToken);
        await ExecuteAsync("DELETE FROM kpi_dirty_conversations", cancellationToken);
        var count = 0;
        var after = Guid.Empty;
        while (true)
        {
            var ids = await db.Conversations.AsNoTracking().Where(c => c.Id.CompareTo(after) > 0).OrderBy(c => c.Id).Take(5000)
                .Select(c => c.Id).ToListAsync(cancellationToken);
            if (ids.Count == 0)
                break;
            await ProjectAsync(ids, incremental: false, cancellationToken);
            count += ids.Count;
            after = ids[^1];
        }
        await RebuildBusyDaysAsync(cancellationToken);
        foreach (var site in await db.Sites.AsNoTracking().ToListAsync(cancellationToken))
            await RebuildDailyAsync(site, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    /// <summary>
    /// Makes a site's daily rollups match its current settings: a query calls it after the catch-up, so a change of
    /// time zone, threshold, repeat window or wrap-up timeout is taken into account by the next query (at the cost
    /// of recomputing the site's rollups once).
    /// </summary>
    /// <param name="stamp">The stamp of the settings the caller read (<see cref="KpiDaily.Stamp"/>).</param>
    public async Task EnsureDailyAsync(Guid siteId, string stamp, CancellationToken cancellationToken = default)
    {
        if (await StampOfAsync(siteId, cancellationToken) == stamp)
            return;
        db.Database.SetCommandTimeout(TimeSpan.FromHours(1));
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync($"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken);
        // Settings read again under the lock: another node may have just rebuilt, or the settings changed again.
        var site = await db.Sites.AsNoTracking().SingleAsync(s => s.Id == siteId, cancellationToken);
        if (await StampOfAsync(siteId, cancellationToken) != KpiDaily.Stamp(KpiSettings.Of(site), KpiScope.ZoneOf(site.TimeZone)))
            await RebuildDailyAsync(site, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task<string?> StampOfAsync(Guid siteId, CancellationToken cancellationToken) =>
        await db.KpiDailyStamps.Where(s => s.SiteId == siteId).Select(s => s.Stamp).SingleOrDefaultAsync(cancellationToken);

    /// <summary>Recomputes a site's capped after-chat work and every daily rollup with its current settings (inside the caller's locked transaction).</summary>
    private async Task RebuildDailyAsync(Site site, CancellationToken cancellationToken)
    {
        var settings = KpiSettings.Of(site);
        var zone = KpiScope.ZoneOf(site.TimeZone);
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            UPDATE kpi_conversations SET acw_seconds = c.acw, handle_seconds = CASE WHEN frt_seconds IS NOT NULL THEN engaged_seconds + c.acw END
            FROM (SELECT conversation_id AS id, CASE WHEN wrap_up_auto AND acw_raw_seconds > {settings.WrapUpTimeoutSeconds} THEN {settings.WrapUpTimeoutSeconds}
                  ELSE acw_raw_seconds END AS acw FROM kpi_conversations WHERE site_id = {site.Id}) c
            WHERE conversation_id = c.id AND acw_seconds IS DISTINCT FROM c.acw
            """, cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM kpi_daily WHERE site_id = {site.Id}", cancellationToken);
        var range = await db.KpiConversations.Where(r => r.SiteId == site.Id).GroupBy(_ => 1)
            .Select(g => new { First = g.Min(r => r.RequestedAt), Last = g.Max(r => r.RequestedAt) }).SingleOrDefaultAsync(cancellationToken);
        if (range is not null)
        {
            var (first, last) = (KpiScope.LocalDay(range.First, zone), KpiScope.LocalDay(range.Last, zone));
            for (var day = first; day <= last; day = day.AddDays(31))
                await ComputeDaysAsync(site.Id, settings, zone, day, Min(day.AddDays(30), last), cancellationToken);
        }
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO kpi_daily_stamps (site_id, stamp) VALUES ({site.Id}, {KpiDaily.Stamp(settings, zone)})
            ON CONFLICT (site_id) DO UPDATE SET stamp = excluded.stamp
            """, cancellationToken);
    }

    /// <summary>Recomputes the rollups of the local days that changed, when the site's rollups are current (otherwise the next query rebuilds them all).</summary>
    private async Task RefreshDailyAsync(Site site, IEnumerable<DateTimeOffset> requestedAt, CancellationToken cancellationToken)
    {
        var settings = KpiSettings.Of(site);
        var zone = KpiScope.ZoneOf(site.TimeZone);
        if (await StampOfAsync(site.Id, cancellationToken) != KpiDaily.Stamp(settings, zone))
            return;
        var days = requestedAt.Select(t => KpiScope.LocalDay(t, zone)).Distinct().Order().ToList();
        // Consecutive days are read together; days far apart separately.
        for (var i = 0; i < days.Count;)
        {
            var j = i;
            while (j + 1 < days.Count && days[j + 1].DayNumber - days[j].DayNumber == 1 && days[j + 1].DayNumber - days[i].DayNumber < 31)
                j++;
            await ComputeDaysAsync(site.Id, settings, zone, days[i], days[j], cancellationToken);
            i = j + 1;
        }
    }

    /// <summary>Replaces the rollups of the local days first..last (whole days) with what the derived rows say.</summary>
    private async Task ComputeDaysAsync(Guid siteId, KpiSettings settings, TimeZoneInfo zone, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var (start, end) = (KpiScope.LocalMidnight(first, zone), KpiScope.LocalMidnight(last.AddDays(1), zone));
        var conversations = await db.KpiConversations.AsNoTracking()
            .Where(r => r.SiteId == siteId && r.RequestedAt >= start && r.RequestedAt < end).ToListAsync(cancellationToken);
        var operators = await db.KpiConversationOperators.AsNoTracking()
            .Where(r => r.SiteId == siteId && r.RequestedAt >= start && r.RequestedAt < end && r.TookPart).ToListAsync(cancellationToken);
        await db.Database.ExecuteSqlInterpolatedAsync($"DELETE FROM kpi_daily WHERE site_id = {siteId} AND day >= {first} AND day <= {last}", cancellationToken);
        var connection = await ConnectionAsync(cancellationToken);
        await using var import = await connection.BeginBinaryImportAsync("""
            COPY kpi_daily (site_id, skill_key, day, operator_id, counts, duration_counts, duration_sums, score_sums, hours,
                frt_hist, asa_hist, ata_hist, aht_hist, acw_hist, resolution_hist) FROM STDIN (FORMAT BINARY)
            """, cancellationToken);
        foreach (var ((day, skillKey, operatorId), figures) in KpiDaily.Compute(conversations, operators, settings, zone))
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(siteId, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(skillKey, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(day, NpgsqlDbType.Date, cancellationToken);
            await import.WriteAsync(operatorId, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(figures.Counts, NpgsqlDbType.Array | NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(figures.DurationCounts, NpgsqlDbType.Array | NpgsqlDbType.Integer, cancellationToken);
            await import.WriteAsync(figures.DurationSums, NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken);
            await import.WriteAsync(figures.ScoreSums, NpgsqlDbType.Array | NpgsqlDbType.Double, cancellationToken);
            await WriteArrayAsync(import, figures.Hours, cancellationToken);
            for (var d = 0; d < DailyFigures.DurationLength; d++)
                await WriteArrayAsync(import, figures.Histograms?[d], cancellationToken);
        }
        await import.CompleteAsync(cancellationToken);
    }

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static Task WriteArrayAsync(NpgsqlBinaryImporter import, int[]? values, CancellationToken cancellationToken) =>
        values is not null ? import.WriteAsync(values, NpgsqlDbType.Array | NpgsqlDbType.Integer, cancellationToken) : import.WriteNullAsync(cancellationToken);

    /// <summary>
    /// The derived rows of one conversation. Durations come from the facts; settings that a manager may change
    /// (thresholds, repeat window) apply at query time, except the wrap-up cap of busy spans.
    /// </summary>
    public static (KpiConversationRow Row, List<KpiConversationOperatorRow> Operators, List<KpiBusyIntervalRow> Busy) Rows(
        ConversationFacts f, Guid siteId, DateTimeOffset? nextRequestAt, KpiSettings settings)
    {
        double? acwRaw = f.EndedAt is { } end && f.WrappedUpAt is { } wrapped ? (wrapped - end).TotalSeconds : null;
        var acw = Capped(acwRaw, f.WrapUpAuto, settings.WrapUpTimeoutSeconds);
        var engaged = f.Intervals.Sum(i => i.Seconds);
        var row = new KpiConversationRow
        {
            ConversationId = f.ConversationId, SiteId = siteId, VisitorId = f.VisitorId, SkillId = f.SkillId, RequestedAt = f.RequestedAt,
            EndedAt = f.EndedAt, EndedBy = f.EndedBy,
            WaitSeconds = f.AssignedAt is { } a ? (a - f.RequestedAt).TotalSeconds : null,
            FrtSeconds = f.FirstResponseAt is { } r ? (r - f.RequestedAt).TotalSeconds : null,
            DurationSeconds = f.EndedAt is { } e ? (e - f.RequestedAt).TotalSeconds : null,
            AcwRawSeconds = acwRaw, WrapUpAuto = f.WrapUpAuto, AcwSeconds = acw, HandleSeconds = f.Answered && acw is { } counted ? engaged + counted : null,
            EngagedSeconds = engaged,
            FirstResponder = f.FirstResponder, OwnerAtEnd = f.OwnerAtEnd, Disposition = f.Disposition, Resolved = f.Resolved, Transfers = f.Transfers,
            HasSurvey = f.Survey is not null, Csat = (short?)f.Survey?.Csat, Nps = (short?)f.Survey?.Nps, Ces = (short?)f.Survey?.Ces,
            SurveyResolved = f.Survey?.Resolved, NextRequestAt = nextRequestAt,
        };
        var operators = f.Operators.Append(f.FirstResponder).Append(f.OwnerAtEnd).OfType<string>().Distinct()
            .Select(op => new KpiConversationOperatorRow
            {
                ConversationId = f.ConversationId, OperatorId = op, SiteId = siteId, SkillId = f.SkillId, RequestedAt = f.RequestedAt,
                TookPart = f.Intervals.Any(i => i.OperatorId == op), IsOwner = f.OwnerAtEnd == op, Answered = f.Answered,
                EngagedSeconds = f.Intervals.Where(i => i.OperatorId == op).Sum(i => i.Seconds), AcwRawSeconds = acwRaw, WrapUpAuto = f.WrapUpAuto,
                TransferredAway = f.TransferredAwayBy.Contains(op),
            }).ToList();
        var busy = BusyTime.Spans(f, settings).Select((s, i) => new KpiBusyIntervalRow
        {
            ConversationId = f.ConversationId, Ordinal = i, SiteId = siteId, SkillId = f.SkillId, OperatorId = s.OperatorId, FromAt = s.From, ToAt = s.To,
        }).ToList();
        return (row, operators, busy);
    }

    /// <summary>After-chat work as counted: an automatic wrap-up counts up to the timeout (the same expression as migration 0013).</summary>
    public static double? Capped(double? acwRaw, bool wrapUpAuto, double timeoutSeconds) =>
        wrapUpAuto && acwRaw > timeoutSeconds ? timeoutSeconds : acwRaw;

    private async Task ProjectAsync(List<Guid> ids, bool incremental, CancellationToken cancellationToken)
    {
        var conversations = await db.Conversations.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new { c.Id, c.SiteId, c.VisitorId, c.SkillId }).ToListAsync(cancellationToken);
        var events = (await db.Events.AsNoTracking().Where(e => e.ConversationId != null && ids.Contains(e.ConversationId.Value)).ToListAsync(cancellationToken))
            .ToLookup(e => e.ConversationId!.Value);
        var visitors = conversations.Select(c => c.VisitorId).Distinct().ToList();
        var visits = (await db.Conversations.AsNoTracking().Where(c => visitors.Contains(c.VisitorId))
            .Select(c => new { c.VisitorId, c.RequestedAt }).ToListAsync(cancellationToken)).ToLookup(v => v.VisitorId, v => v.RequestedAt);
        var sites = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, cancellationToken);

        var rows = new List<KpiConversationRow>();
        var operators = new List<KpiConversationOperatorRow>();
        var busy = new List<KpiBusyIntervalRow>();
        foreach (var c in conversations)
        {
            var site = sites[c.SiteId];
            var settings = KpiSettings.Of(site);
            var facts = ConversationFacts.From(c.Id, c.VisitorId, c.SkillId, events[c.Id]);
            DateTimeOffset? next = facts.EndedAt is { } end && visits[c.VisitorId].Where(t => t > end).DefaultIfEmpty().Min() is var n && n != default ? n : null;
            var (row, ops, spans) = Rows(facts, c.SiteId, next, settings);
            rows.Add(row);
            operators.AddRange(ops);
            busy.AddRange(spans);
        }

        var touched = new List<KpiBusyIntervalRow>(busy);
        if (incremental)
        {
            touched.AddRange(await db.KpiBusyIntervals.AsNoTracking().Where(b => ids.Contains(b.ConversationId)).ToListAsync(cancellationToken));
            await db.KpiConversations.Where(r => ids.Contains(r.ConversationId)).ExecuteDeleteAsync(cancellationToken);
            await db.KpiConversationOperators.Where(r => ids.Contains(r.ConversationId)).ExecuteDeleteAsync(cancellationToken);
            await db.KpiBusyIntervals.Where(r => ids.Contains(r.ConversationId)).ExecuteDeleteAsync(cancellationToken);
        }
        await CopyAsync(rows, operators, busy, cancellationToken);
        if (!incremental)
            return;

        // A new conversation is the "next request" of the visitor's earlier ones (FCR): their days' rollups change too.
        var repeated = await db.Database.SqlQuery<SiteRequest>($"""
            UPDATE kpi_conversations f SET next_request_at = n.next_request_at
            FROM (SELECT p.conversation_id, (SELECT min(c.requested_at) FROM conversations c WHERE c.visitor_id = p.visitor_id AND c.requested_at > p.ended_at) AS next_request_at
                  FROM kpi_conversations p WHERE p.visitor_id = ANY({visitors}) AND p.ended_at IS NOT NULL) n
            WHERE f.conversation_id = n.conversation_id AND f.next_request_at IS DISTINCT FROM n.next_request_at
            RETURNING f.site_id AS "SiteId", f.requested_at AS "RequestedAt"
            """).ToListAsync(cancellationToken);
        foreach (var changed in rows.Select(r => new SiteRequest(r.SiteId, r.RequestedAt)).Concat(repeated).GroupBy(r => r.SiteId))
            await RefreshDailyAsync(sites[changed.Key], changed.Select(r => r.RequestedAt), cancellationToken);
        foreach (var group in touched.GroupBy(b => (b.SiteId, b.OperatorId)))
        {
            var zone = KpiScope.ZoneOf(sites[group.Key.SiteId].TimeZone);
            var days = group.SelectMany(b => BusyDays.Touched(b.FromAt, b.ToAt, zone)).ToHashSet();
            await RefreshBusyDaysAsync(group.Key.SiteId, group.Key.OperatorId, zone, days, cancellationToken);
        }
    }

    /// <summary>Recomputes one operator's busy days from every stored span that touches them.</summary>
    private async Task RefreshBusyDaysAsync(Guid siteId, string operatorId, TimeZoneInfo zone, HashSet<DateOnly> days, CancellationToken cancellationToken)
    {
        var (from, to) = (KpiScope.LocalMidnight(days.Min(), zone), KpiScope.LocalMidnight(days.Max().AddDays(1), zone));
        var spans = await db.KpiBusyIntervals.AsNoTracking()
            .Where(b => b.SiteId == siteId && b.OperatorId == operatorId && b.ToAt > from && b.FromAt < to)
            .Select(b => new SkilledSpan(b.SkillId, b.FromAt, b.ToAt)).ToListAsync(cancellationToken);
        var dayList = days.ToList();
        await db.KpiBusyDays.Where(d => d.SiteId == siteId && d.OperatorId == operatorId && dayList.Contains(d.Day)).ExecuteDeleteAsync(cancellationToken);
        await CopyBusyDaysAsync(BusyDays.Of(spans, zone, days).Select(d => (siteId, operatorId, d)), cancellationToken);
    }

    private async Task RebuildBusyDaysAsync(CancellationToken cancellationToken)
    {
        var zones = await db.Sites.AsNoTracking().ToDictionaryAsync(s => s.Id, s => KpiScope.ZoneOf(s.TimeZone), cancellationToken);
        foreach (var siteId in zones.Keys)
        {
            var operatorIds = await db.KpiBusyIntervals.Where(b => b.SiteId == siteId).Select(b => b.OperatorId).Distinct().ToListAsync(cancellationToken);
            foreach (var operatorId in operatorIds)
            {
                var spans = await db.KpiBusyIntervals.AsNoTracking().Where(b => b.SiteId == siteId && b.OperatorId == operatorId)
                    .Select(b => new SkilledSpan(b.SkillId, b.FromAt, b.ToAt)).ToListAsync(cancellationToken);
                await CopyBusyDaysAsync(BusyDays.Of(spans, zones[siteId]).Select(d => (siteId, operatorId, d)), cancellationToken);
            }
        }
    }

    private async Task CopyAsync(List<KpiConversationRow> rows, List<KpiConversationOperatorRow> operators, List<KpiBusyIntervalRow> busy, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using (var import = await connection.BeginBinaryImportAsync("""
            COPY kpi_conversations (conversation_id, site_id, visitor_id, skill_id, requested_at, ended_at, ended_by, wait_seconds, frt_seconds,
                duration_seconds, acw_raw_seconds, wrap_up_auto, acw_seconds, handle_seconds, engaged_seconds, first_responder, owner_at_end, disposition, resolved, transfers,
                has_survey, csat, nps, ces, survey_resolved, next_request_at) FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var r in rows)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(r.ConversationId, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(r.SiteId, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(r.VisitorId, NpgsqlDbType.Uuid, cancellationToken);
                await WriteNullableAsync(import, r.SkillId, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(r.RequestedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteNullableAsync(import, r.EndedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await WriteNullableAsync(import, r.EndedBy, NpgsqlDbType.Varchar, cancellationToken);
                await WriteNullableAsync(import, r.WaitSeconds, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(import, r.FrtSeconds, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(import, r.DurationSeconds, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(import, r.AcwRawSeconds, NpgsqlDbType.Double, cancellationToken);
                await import.WriteAsync(r.WrapUpAuto, NpgsqlDbType.Boolean, cancellationToken);
                await WriteNullableAsync(import, r.AcwSeconds, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(import, r.HandleSeconds, NpgsqlDbType.Double, cancellationToken);
                await import.WriteAsync(r.EngagedSeconds, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(import, r.FirstResponder, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(import, r.OwnerAtEnd, NpgsqlDbType.Text, cancellationToken);
                await WriteNullableAsync(import, r.Disposition, NpgsqlDbType.Varchar, cancellationToken);
                await import.WriteAsync(r.Resolved, NpgsqlDbType.Boolean, cancellationToken);
                await import.WriteAsync(r.Transfers, NpgsqlDbType.Integer, cancellationToken);
                await import.WriteAsync(r.HasSurvey, NpgsqlDbType.Boolean, cancellationToken);
                await WriteNullableAsync(import, r.Csat, NpgsqlDbType.Smallint, cancellationToken);
                await WriteNullableAsync(import, r.Nps, NpgsqlDbType.Smallint, cancellationToken);
                await WriteNullableAsync(import, r.Ces, NpgsqlDbType.Smallint, cancellationToken);
                await WriteNullableAsync(import, r.SurveyResolved, NpgsqlDbType.Boolean, cancellationToken);
                await WriteNullableAsync(import, r.NextRequestAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }
        await using (var import = await connection.BeginBinaryImportAsync("""
            COPY kpi_conversation_operators (conversation_id, operator_id, site_id, skill_id, requested_at, took_part, is_owner, answered,
                engaged_seconds, acw_raw_seconds, wrap_up_auto, transferred_away) FROM STDIN (FORMAT BINARY)
            """, cancellationToken))
        {
            foreach (var o in operators)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(o.ConversationId, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(o.OperatorId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(o.SiteId, NpgsqlDbType.Uuid, cancellationToken);
                await WriteNullableAsync(import, o.SkillId, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(o.RequestedAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await import.WriteAsync(o.TookPart, NpgsqlDbType.Boolean, cancellationToken);
                await import.WriteAsync(o.IsOwner, NpgsqlDbType.Boolean, cancellationToken);
                await import.WriteAsync(o.Answered, NpgsqlDbType.Boolean, cancellationToken);
                await import.WriteAsync(o.EngagedSeconds, NpgsqlDbType.Double, cancellationToken);
                await WriteNullableAsync(import, o.AcwRawSeconds, NpgsqlDbType.Double, cancellationToken);
                await import.WriteAsync(o.WrapUpAuto, NpgsqlDbType.Boolean, cancellationToken);
                await import.WriteAsync(o.TransferredAway, NpgsqlDbType.Boolean, cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }
        await using (var import = await connection.BeginBinaryImportAsync(
            "COPY kpi_busy_intervals (conversation_id, ordinal, site_id, skill_id, operator_id, from_at, to_at) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var b in busy)
            {
                await import.StartRowAsync(cancellationToken);
                await import.WriteAsync(b.ConversationId, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(b.Ordinal, NpgsqlDbType.Integer, cancellationToken);
                await import.WriteAsync(b.SiteId, NpgsqlDbType.Uuid, cancellationToken);
                await WriteNullableAsync(import, b.SkillId, NpgsqlDbType.Uuid, cancellationToken);
                await import.WriteAsync(b.OperatorId, NpgsqlDbType.Text, cancellationToken);
                await import.WriteAsync(b.FromAt, NpgsqlDbType.TimestampTz, cancellationToken);
                await import.WriteAsync(b.ToAt, NpgsqlDbType.TimestampTz, cancellationToken);
            }
            await import.CompleteAsync(cancellationToken);
        }
    }

    private async Task CopyBusyDaysAsync(IEnumerable<(Guid SiteId, string OperatorId, (DateOnly Day, Guid SkillKey, double Seconds) Busy)> days, CancellationToken cancellationToken)
    {
        var connection = await ConnectionAsync(cancellationToken);
        await using var import = await connection.BeginBinaryImportAsync(
            "COPY kpi_busy_days (site_id, operator_id, skill_id, day, busy_seconds) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var (siteId, operatorId, (day, skill, seconds)) in days)
        {
            await import.StartRowAsync(cancellationToken);
            await import.WriteAsync(siteId, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(operatorId, NpgsqlDbType.Text, cancellationToken);
            await import.WriteAsync(skill, NpgsqlDbType.Uuid, cancellationToken);
            await import.WriteAsync(day, NpgsqlDbType.Date, cancellationToken);
            await import.WriteAsync(seconds, NpgsqlDbType.Double, cancellationToken);
        }
        await import.CompleteAsync(cancellationToken);
    }

    private static Task WriteNullableAsync<T>(NpgsqlBinaryImporter import, T? value, NpgsqlDbType type, CancellationToken cancellationToken) where T : struct =>
        value is { } v ? import.WriteAsync(v, type, cancellationToken) : import.WriteNullAsync(cancellationToken);

    private static Task WriteNullableAsync(NpgsqlBinaryImporter import, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is not null ? import.WriteAsync(value, type, cancellationToken) : import.WriteNullAsync(cancellationToken);

    private async Task<NpgsqlConnection> ConnectionAsync(CancellationToken cancellationToken)
    {
        await db.Database.OpenConnectionAsync(cancellationToken);
        return (NpgsqlConnection)db.Database.GetDbConnection();
    }

    private Task ExecuteAsync(string sql, CancellationToken cancellationToken) => db.Database.ExecuteSqlRawAsync(sql, cancellationToken);

    private async Task<List<Guid>> ReadGuidsAsync(string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, await ConnectionAsync(cancellationToken));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var ids = new List<Guid>();
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(reader.GetGuid(0));
        return ids;
    }
}

public sealed record SiteRequest(Guid SiteId, DateTimeOffset RequestedAt);

/// <summary>Catches up the derived KPI rows every few seconds, so the dashboard's own catch-up finds little to do.</summary>
public sealed class KpiProjectionWorker(IServiceScopeFactory scopes, ILogger<KpiProjectionWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<KpiProjection>().CatchUpAsync(wait: false, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "KPI projection catch-up failed");
            }
        }
    }
}
