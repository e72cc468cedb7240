using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Kpis;
using ChatDesk.Server.Widget;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatDesk.Tests.Kpis;

/// <summary>
/// The dashboard's derived rows (KpiService over kpi_* tables) give the same figures as the event log
/// (EventKpiService over every event): on the golden scenarios and a randomised one, as events keep arriving
/// after chats end (wrap-ups, surveys, returning visitors), and after a rebuild from the log.
/// </summary>
public sealed class KpiDerivedTests : ChatTestBase
{
    private Guid siteId;
    private string[] operators = [];
    private Guid[] skills = [];
    private readonly Random random = new(20261122);

    [Fact]
    public async Task Derived_rows_give_the_event_logs_figures_as_events_arrive_and_after_a_rebuild()
    {
        await SetUpSiteAsync();
        var t0 = Host.Clock.GetUtcNow().AddDays(-9).AddHours(-3);
        var scripts = new List<EventScript>();
        scripts.AddRange(KpiGoldenTests.Scenario(t0, operators[0], operators[1], Guid.NewGuid(), skills[0]));
        scripts.AddRange(KpiGoldenTests.Scenario(t0.AddDays(2).AddHours(14), operators[1], operators[2], Guid.NewGuid()));
        var visitors = new List<Guid>();
        for (var i = 0; i < 160; i++)
            scripts.Add(RandomConversation(t0, visitors));
        await StoreAsync(scripts, [], StatusChanges(t0));
        await AssertSameAsync(t0, "as stored");
        var team = (await Host.WithServiceAsync<KpiService, KpiReport>(k => k.ReportAsync(new KpiQuery("demo", null, null, null, null) with
            { From = KpiScope.LocalDay(t0, TimeZoneInfo.Utc).AddDays(-1).ToString("O"), To = KpiScope.LocalDay(Host.Clock.GetUtcNow(), TimeZoneInfo.Utc).ToString("O") }, "", true))).Team!;
        Assert.True(team.Volume.Requested > 150 && team.Volume.ShortAbandoned > 0 && team.TransferRate > 0 && team.Utilization > 0 && team.Fcr.Conversations > 0);
        var written = scripts.ToDictionary(s => s, s => s.Events.Count);

        // After the chats ended: pending wrap-ups complete, open chats end, surveys arrive, visitors come back.
        var after = (Host.Clock.GetUtcNow() - t0).TotalSeconds - 600;
        foreach (var script in scripts.Where((_, i) => i % 3 == 0))
        {
            var f = script.Facts();
            if (f.EndedAt is null && f.AssignedAt is not null)
                script.Said(after - 500, AuthorKind.Operator, f.OwnerAtEnd ?? operators[0]).Ended(after - 400, AuthorKind.Visitor);
            f = script.Facts();
            if (f.EndedAt is not null && f.AssignedAt is not null && f.WrappedUpAt is null)
                script.WrappedUp(after - 300, "resolved");
            if (f.EndedAt is not null && f.AssignedAt is not null && f.Survey is null)
                script.Survey(after - 200, random.Next(1, 6), random.Next(0, 11), null, random.Next(2) == 0);
        }
        var returning = scripts.Where(s => s.Facts().EndedAt is not null).Take(5)
            .Select(s => new EventScript(s.VisitorId, t0).Requested((s.Facts().EndedAt!.Value - t0).TotalSeconds + 3600).Ended((s.Facts().EndedAt!.Value - t0).TotalSeconds + 3700, AuthorKind.Visitor))
            .ToList();
        await StoreAsync(scripts, written, []);
        await StoreAsync(returning, [], []);
        await AssertSameAsync(t0, "after later events");

        await Host.WithServiceAsync<KpiProjection, int>(p => p.RebuildAsync());
        await AssertSameAsync(t0, "after a rebuild");
        Assert.Equal(scripts.Count + returning.Count, await Host.WithDbAsync(db => db.KpiConversations.CountAsync()));

        // New thresholds and repeat window: the next query recomputes the daily rollups with them.
        await Host.WithDbAsync(async db =>
        {
            var site = await db.Sites.SingleAsync(s => s.Id == siteId);
            (site.ShortAbandonSeconds, site.ServiceLevelSeconds, site.FcrRepeatWindowHours) = (45, 20, 72);
            return await db.SaveChangesAsync();
        });
        await AssertSameAsync(t0, "after new settings");
    }

    [Fact]
    public async Task A_change_committed_while_a_catch_up_reads_the_conversation_is_projected_by_the_next_one()
    {
        await SetUpSiteAsync();
        // Ended 40 s ago: its wrap-up is not overdue, so only the test completes it.
        var t0 = Host.Clock.GetUtcNow().AddSeconds(-100);
        var script = new EventScript(Guid.NewGuid(), t0).Requested(0).Assigned(5, operators[0]).Said(20, AuthorKind.Operator, operators[0]).Ended(60, AuthorKind.Visitor);
        await StoreAsync([script], [], []);

        // The wrap-up's transaction queues the conversation while an earlier change is still queued, and commits
        // only after a catch-up has taken that earlier change and read the events without the wrap-up.
        await Host.WithDbAsync(d => d.Database.ExecuteSqlInterpolatedAsync($"INSERT INTO kpi_dirty_conversations (conversation_id) VALUES ({script.ConversationId}) ON CONFLICT DO NOTHING"));
        await using var scope = Host.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDeskDbContext>();
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            script.WrappedUp(90, "resolved");
            db.Events.Add(script.Events[^1]);
            await db.SaveChangesAsync();
            await Host.WithServiceAsync<KpiProjection, int>(async p => { await p.CatchUpAsync(); return 0; });
            Assert.Null(await Host.WithDbAsync(d => d.KpiConversations.Where(r => r.ConversationId == script.ConversationId).Select(r => r.AcwRawSeconds).SingleAsync()));
            await transaction.CommitAsync();
        }

        await Host.WithServiceAsync<KpiProjection, int>(async p => { await p.CatchUpAsync(); return 0; });
        var row = await Host.WithDbAsync(d => d.KpiConversations.SingleAsync(r => r.ConversationId == script.ConversationId));
        Assert.Equal(30, row.AcwRawSeconds);
        Assert.True(row.Resolved);
    }

    private async Task SetUpSiteAsync()
    {
        await Host.WithDbAsync(async db =>
        {
            var site = await db.Sites.SingleAsync(s => s.Key == "demo");
            site.TimeZone = "Europe/Paris";
            site.ShortAbandonSeconds = 10;
            await db.SaveChangesAsync();
            siteId = site.Id;
            operators = await db.Users.OrderBy(u => u.Email).Select(u => u.Id).Take(3).ToArrayAsync();
            skills = await db.Skills.OrderBy(s => s.Key).Select(s => s.Id).Take(2).ToArrayAsync();
            return 0;
        });
    }

    /// <summary>Answered (some transferred, some with an invited operator, some still open or not wrapped up), abandoned, missed or waiting.</summary>
    private EventScript RandomConversation(DateTimeOffset t0, List<Guid> visitors)
    {
        var visitor = visitors.Count > 0 && random.NextDouble() < 0.3 ? visitors[random.Next(Math.Max(0, visitors.Count - 5), visitors.Count)] : Guid.NewGuid();
        visitors.Add(visitor);
        var s = new EventScript(visitor, t0, random.NextDouble() < 0.8 ? skills[random.Next(skills.Length)] : null);
        var t = random.NextDouble() * 8.5 * 86400;
        s.Requested(t);
        var kind = random.NextDouble();
        if (kind < 0.1)
            return s.Ended(t + random.Next(0, 60), AuthorKind.System);
        if (kind < 0.25)
            return s.Said(t + 1, AuthorKind.Automated).Ended(t + random.Next(2, 200), AuthorKind.Visitor);
        if (kind < 0.3)
            return s;
        var (owner, other) = (operators[random.Next(operators.Length)], operators[random.Next(operators.Length)]);
        var at = t + random.Next(1, 60);
        s.Assigned(at, owner);
        if (random.NextDouble() < 0.1)
            return s.Ended(at + random.Next(5, 100), AuthorKind.Visitor).WrappedUp(at + 200, null, auto: true);
        at += random.Next(0, 90);
        s.Said(at, AuthorKind.Operator, owner);
        if (other != owner && random.NextDouble() < 0.2)
        {
            at += random.Next(10, 600);
            s.Transferred(at, owner, other).Said(at + random.Next(1, 60), AuthorKind.Operator, other);
            owner = other;
        }
        else if (other != owner && random.NextDouble() < 0.15)
        {
            at += random.Next(10, 300);
            s.Joined(at, other);
            if (random.Next(2) == 0)
                s.Left(at + random.Next(10, 300), other);
        }
        if (random.NextDouble() < 0.08)
            return s;
        var end = at + random.Next(30, 5000);
        s.Ended(end, random.Next(2) == 0 ? AuthorKind.Visitor : AuthorKind.Operator);
        var wrap = random.NextDouble();
        if (wrap < 0.6)
            s.WrappedUp(end + random.Next(1, 300), new[] { "resolved", "unresolved", "follow_up" }[random.Next(3)]);
        else if (wrap < 0.8)
            s.WrappedUp(end + random.Next(100, 400), null, auto: true);
        if (random.NextDouble() < 0.4)
            s.Survey(end + random.Next(5, 600), Maybe(1, 5), Maybe(0, 10), Maybe(1, 7), random.NextDouble() < 0.3 ? null : random.Next(2) == 0);
        return s;
    }

    private int? Maybe(int min, int max) => random.NextDouble() < 0.3 ? null : random.Next(min, max + 1);

    /// <summary>Each operator's shifts: online, a break away, online again, offline at night.</summary>
    private IEnumerable<EventRecord> StatusChanges(DateTimeOffset t0) =>
        from op in operators
        from day in Enumerable.Range(0, 10)
        from change in new (double Hours, string Status)[] { (6.0, "online"), (11.5, "away"), (12.0, "online"), (20.0 + random.Next(0, 5), "offline") }
        select new EventRecord
        {
            Type = EventTypes.OperatorStatusChanged, OperatorId = op, OccurredAt = t0.Date.AddDays(day).AddHours(change.Hours),
            Data = JsonSerializer.Serialize(new { status = change.Status }),
        };

    private async Task StoreAsync(IReadOnlyList<EventScript> scripts, Dictionary<EventScript, int> alreadyWritten, IEnumerable<EventRecord> statusChanges)
    {
        await Host.WithDbAsync(async db =>
        {
            foreach (var script in scripts)
            {
                var conversation = script.Conversation(siteId);
                if (alreadyWritten.TryGetValue(script, out var written))
                {
                    db.Conversations.Update(conversation);
                    db.Events.AddRange(script.Events.Skip(written));
                    continue;
                }
                if (!await db.Visitors.AnyAsync(v => v.Id == script.VisitorId) && !db.Visitors.Local.Any(v => v.Id == script.VisitorId))
                    db.Visitors.Add(new Visitor { Id = script.VisitorId, SiteId = siteId, CreatedAt = conversation.RequestedAt });
                db.Conversations.Add(conversation);
                db.Events.AddRange(script.Events);
            }
            db.Events.AddRange(statusChanges.Select(e => { e.OccurredAt = e.OccurredAt.ToUniversalTime(); return e; }));
            return await db.SaveChangesAsync();
        });
        // The server completes overdue wrap-ups by itself (its routing timers): let it finish now, and
        // take those events into the scripts so that later events continue their sequence.
        await Host.WithServiceAsync<ChatDesk.Server.Routing.RoutingService, int>(async routing => { await routing.SweepAsync(); return 0; });
        var ids = scripts.Select(s => s.ConversationId).ToList();
        var stored = (await Host.WithDbAsync(db => db.Events.AsNoTracking().Where(e => ids.Contains(e.ConversationId!.Value)).OrderBy(e => e.Sequence).ToListAsync()))
            .ToLookup(e => e.ConversationId!.Value);
        foreach (var script in scripts)
        {
            script.Events.Clear();
            script.Events.AddRange(stored[script.ConversationId]);
        }
    }

    private async Task AssertSameAsync(DateTimeOffset t0, string stage)
    {
        var from = KpiScope.LocalDay(t0, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")).AddDays(-1).ToString("O");
        var to = KpiScope.LocalDay(Host.Clock.GetUtcNow(), TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")).ToString("O");
        var skillKey = await Host.WithDbAsync(db => db.Skills.Where(s => s.Id == skills[0]).Select(s => s.Key).SingleAsync());
        foreach (var skill in new[] { null, skillKey })
        {
            var query = new KpiQuery("demo", from, to, skill, null);
            await SameAsync($"{stage}: report skill={skill}", s => s.ReportAsync(query, "", seesTeam: true), e => e.ReportAsync(query, "", seesTeam: true));
            await MeansOnlyAsync(query);
            await SameAsync($"heat map skill={skill}", s => s.HeatmapAsync(query, null), e => e.HeatmapAsync(query, null));
            await SameAsync($"conversations skill={skill}", async s => Sorted(await s.ConversationsAsync(query, null)), async e => Sorted(await e.ConversationsAsync(query, null)));
            await SortedAndCutAsync(query);
            foreach (var op in operators)
            {
                var mine = query with { Operator = op };
                await SameAsync($"report of {op}", s => s.ReportAsync(mine, op, seesTeam: false), e => e.ReportAsync(mine, op, seesTeam: false));
                await SameAsync($"conversations of {op}", async s => Sorted(await s.ConversationsAsync(mine, op)), async e => Sorted(await e.ConversationsAsync(mine, op)));
                await SameAsync($"heat map of {op}", s => s.HeatmapAsync(mine, op), e => e.HeatmapAsync(mine, op));
            }
            foreach (var kpi in KpiScope.Selectors.Keys)
                foreach (var interval in new[] { "day", "week" })
                    foreach (var op in operators.Prepend(null))
                        await SameAsync($"trend {kpi} per {interval} of {op ?? "team"} skill={skill}",
                            s => s.TrendAsync(query, kpi, interval, op), e => e.TrendAsync(query, kpi, interval, op));
        }
    }

    /// <summary>The operator table's report (operatorStats=mean): the full report without each operator's median and p90.</summary>
    private async Task MeansOnlyAsync(KpiQuery query)
    {
        var full = await Host.WithServiceAsync<KpiService, KpiReport>(s => s.ReportAsync(query, "", seesTeam: true));
        var means = await Host.WithServiceAsync<KpiService, KpiReport>(s => s.ReportAsync(query, "", seesTeam: true, operatorPercentiles: false));
        static Stat Cut(Stat stat) => stat with { Median = null, P90 = null };
        var expected = full with
        {
            Operators = full.Operators.Select(o => o with
            {
                Kpis = o.Kpis with { Frt = Cut(o.Kpis.Frt), Asa = Cut(o.Kpis.Asa), Ata = Cut(o.Kpis.Ata), Aht = Cut(o.Kpis.Aht), Acw = Cut(o.Kpis.Acw), ResolutionTime = Cut(o.Kpis.ResolutionTime) },
            }).ToList(),
        };
        Assert.Contains(full.Operators, o => o.Kpis.Frt.Median is not null && o.Kpis.Aht.P90 is not null);
        Same("report of means", "$", JsonSerializer.SerializeToElement(expected), JsonSerializer.SerializeToElement(means));
    }

    /// <summary>The conversations behind a figure, sorted by it and cut, are the first of all the period's rows in that order.</summary>
    private async Task SortedAndCutAsync(KpiQuery query)
    {
        var all = await Host.WithServiceAsync<KpiService, IReadOnlyList<ConversationRow>>(s => s.ConversationsAsync(query, null));
        var figures = new (string Kpi, Func<ConversationRow, double?> Figure)[] { ("frt", r => r.Frt), ("aht", r => r.HandleTime), ("csat", r => r.Csat) };
        foreach (var (kpi, figure) in figures)
            foreach (var sort in new[] { "asc", "desc" })
            {
                var having = all.Where(r => figure(r) is not null);
                var expected = (sort == "asc" ? having.OrderBy(figure) : having.OrderByDescending(figure))
                    .ThenBy(r => r.RequestedAt).ThenBy(r => r.ConversationId.ToString(), StringComparer.Ordinal).Take(7).ToList();
                Assert.True(expected.Count > 0, $"no conversation has a {kpi}");
                var actual = await Host.WithServiceAsync<KpiService, IReadOnlyList<ConversationRow>>(s => s.ConversationsAsync(query, null, kpi, sort, 7));
                Same($"conversations by {kpi} {sort}", "$", JsonSerializer.SerializeToElement(expected), JsonSerializer.SerializeToElement(actual));
            }

        // One operator's: a short list walks the period's index, a long one reads the operator's rows.
        foreach (var op in operators)
        {
            var theirs = await Host.WithServiceAsync<KpiService, IReadOnlyList<ConversationRow>>(s => s.ConversationsAsync(query with { Operator = op }, op));
            foreach (var limit in new[] { 3, 1000 })
            {
                var expected = theirs.Where(r => r.Frt is not null).OrderByDescending(r => r.Frt)
                    .ThenBy(r => r.RequestedAt).ThenBy(r => r.ConversationId.ToString(), StringComparer.Ordinal).Take(limit).ToList();
                Assert.True(expected.Count > 0, $"{op} answered nothing");
                var actual = await Host.WithServiceAsync<KpiService, IReadOnlyList<ConversationRow>>(s => s.ConversationsAsync(query with { Operator = op }, op, "frt", "desc", limit));
                Same($"conversations of {op} by frt, {limit} at most", "$", JsonSerializer.SerializeToElement(expected), JsonSerializer.SerializeToElement(actual));
            }
        }
    }

    private static List<ConversationRow> Sorted(IEnumerable<ConversationRow> rows) => rows.OrderBy(r => r.RequestedAt).ThenBy(r => r.ConversationId.ToString()).ToList();

    private async Task SameAsync<T>(string what, Func<KpiService, Task<T>> derived, Func<EventKpiService, Task<T>> fromEvents)
    {
        var expected = JsonSerializer.SerializeToElement(await Host.WithServiceAsync(fromEvents));
        var actual = JsonSerializer.SerializeToElement(await Host.WithServiceAsync(derived));
        Same(what, "$", expected, actual);
    }

    private static void Same(string what, string path, JsonElement expected, JsonElement actual)
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{what} {path}: expected {expected}, got {actual}");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in expected.EnumerateObject())
                    Same(what, $"{path}.{property.Name}", property.Value, actual.GetProperty(property.Name));
                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(), $"{what} {path}: {expected.GetArrayLength()} items expected, got {actual.GetArrayLength()}");
                foreach (var (e, a, i) in expected.EnumerateArray().Zip(actual.EnumerateArray()).Select((p, i) => (p.First, p.Second, i)))
                    Same(what, $"{path}[{i}]", e, a);
                break;
            case JsonValueKind.Number:
                var (x, y) = (expected.GetDouble(), actual.GetDouble());
                Assert.True(Math.Abs(x - y) <= 1e-9 * Math.Max(1, Math.Abs(x)), $"{what} {path}: expected {x}, got {y}");
                break;
            default:
                Assert.True(expected.ToString() == actual.ToString(), $"{what} {path}: expected {expected}, got {actual}");
                break;
        }
    }
}
