using System.Security.Claims;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Identity;
using ChatDesk.Server.Routing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Kpis;

public sealed record BoardFigure(string Kpi, double? Value, double? Target, string? Direction, string? Status);

public sealed record BoardAlert(string Kind, string Message);

/// <summary>Today's figures of one skill against its own targets (the team's where it has none).</summary>
public sealed record BoardSkill(string Skill, string Name, int Queue, IReadOnlyList<BoardFigure> Today);

public sealed record BoardSnapshot(
    DateTimeOffset At, int Queue, double? LongestWaitSeconds, int OperatorsOnline, int OperatorsAway, int OperatorsBusy, int ActiveChats,
    IReadOnlyList<BoardFigure> Today, double? Utilization, IReadOnlyList<BoardAlert> Alerts, IReadOnlyList<BoardSkill> Skills);

public interface IBoardClient
{
    Task Snapshot(BoardSnapshot snapshot);
}

/// <summary>The wall screen: the queue and the team right now, and today's figures against their targets.</summary>
[Authorize(Roles = $"{Roles.Manager},{Roles.Admin}")]
public sealed class BoardHub(LiveBoardService board, BoardAudience audience, ConsoleConnections consoleConnections) : Hub<IBoardClient>
{
    public override Task OnConnectedAsync()
    {
        consoleConnections.Add(UserId, Context);
        audience.Joined();
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        consoleConnections.Remove(UserId, Context);
        audience.Left();
        return base.OnDisconnectedAsync(exception);
    }

    public Task<BoardSnapshot> GetSnapshot(string? site) =>
        board.SnapshotAsync(site, UserId, Context.ConnectionAborted);

    private string UserId => Context.User!.FindFirstValue(ClaimTypes.NameIdentifier)!;
}

/// <summary>How many wall screens this node serves, so it only computes snapshots when someone looks.</summary>
public sealed class BoardAudience
{
    private int connections;
    public bool Any => Volatile.Read(ref connections) > 0;
    public void Joined() => Interlocked.Increment(ref connections);
    public void Left() => Interlocked.Decrement(ref connections);
}

public sealed class LiveBoardService(ChatDeskDbContext db, KpiService kpis, TimeProvider clock)
{
    private static readonly (string Kpi, Func<KpiSet, double?> Value)[] TodayFigures =
    [
        ("frt.mean", k => k.Frt.Mean), ("aht.mean", k => k.Aht.Mean), ("abandonmentRate", k => k.AbandonmentRate),
        ("csat.rate", k => k.Csat.Rate), ("nps", k => k.Nps),
    ];

    public const double UtilizationAlert = 0.6;

    public async Task<BoardSnapshot> SnapshotAsync(string? siteKey, string userId, CancellationToken cancellationToken = default)
    {
        var now = clock.UtcNowForStorage();
        var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Key == (siteKey ?? "demo"), cancellationToken)
            ?? throw new ChatException("Unknown site.");
        var waiting = await db.Conversations.AsNoTracking()
            .Where(c => c.SiteId == site.Id && (c.Status == ConversationStatus.Queued || c.Status == ConversationStatus.Offered))
            .Select(c => new { c.RequestedAt, c.SkillId }).ToListAsync(cancellationToken);
        var active = await db.Conversations.AsNoTracking()
            .Where(c => c.SiteId == site.Id && c.Status == ConversationStatus.Assigned)
            .Select(c => c.OperatorId).ToListAsync(cancellationToken);
        var statuses = await db.Users.AsNoTracking().Where(u => u.Status != OperatorStatus.Offline).Select(u => new { u.Id, u.Status }).ToListAsync(cancellationToken);
        var busy = active.Distinct().Count();

        var targets = await db.KpiTargets.AsNoTracking().ToListAsync(cancellationToken);
        var teamTargets = targets.Where(t => t.SkillId == null).ToList();
        var team = (await kpis.ReportAsync(new KpiQuery(site.Key, null, null, null, null), userId, seesTeam: true, cancellationToken)).Team!;
        var skills = new List<BoardSkill>();
        var skillsWithTargets = targets.Where(t => t.SkillId != null).Select(t => t.SkillId!.Value).Distinct().ToList();
        foreach (var skill in await db.Skills.AsNoTracking().Where(s => skillsWithTargets.Contains(s.Id)).OrderBy(s => s.Name).ToListAsync(cancellationToken))
        {
            var set = (await kpis.ReportAsync(new KpiQuery(site.Key, null, null, skill.Key, null), userId, seesTeam: true, cancellationToken)).Team!;
            var own = targets.Where(t => t.SkillId == skill.Id).ToList();
            skills.Add(new BoardSkill(skill.Key, skill.Name, waiting.Count(w => w.SkillId == skill.Id),
                Figures(set, kpi => own.FirstOrDefault(t => t.Kpi == kpi) ?? teamTargets.FirstOrDefault(t => t.Kpi == kpi))));
        }

        double? longest = waiting.Count == 0 ? null : (now - waiting.Min(w => w.RequestedAt)).TotalSeconds;
        var alerts = new List<BoardAlert>();
        if (team.Utilization is > UtilizationAlert)
            alerts.Add(new BoardAlert("utilization", $"Utilization is {team.Utilization:P0}, above {UtilizationAlert:P0}."));
        // A wait passes its target: the skill's wait (asa.mean) target, else the team's, else the service-level threshold.
        var skillNames = await db.Skills.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Name, cancellationToken);
        foreach (var group in waiting.GroupBy(w => w.SkillId))
        {
            var target = targets.FirstOrDefault(t => t.Kpi == WaitKpi && t.SkillId == group.Key && group.Key != null)?.Value
                ?? teamTargets.FirstOrDefault(t => t.Kpi == WaitKpi)?.Value ?? site.ServiceLevelSeconds;
            var wait = (now - group.Min(w => w.RequestedAt)).TotalSeconds;
            if (wait > target)
                alerts.Add(new BoardAlert("wait", group.Key is { } id && skillNames.TryGetValue(id, out var name)
                    ? $"A visitor has waited {wait:0} s for {name}, more than the {target:0} s target."
                    : $"A visitor has waited {wait:0} s, more than the {target:0} s target."));
        }

        return new BoardSnapshot(now, waiting.Count, longest, statuses.Count(s => s.Status == OperatorStatus.Online),
            statuses.Count(s => s.Status == OperatorStatus.Away), busy, active.Count,
            Figures(team, kpi => teamTargets.FirstOrDefault(t => t.Kpi == kpi)), team.Utilization, alerts, skills);
    }

    /// <summary>The KPI whose target a single visitor's wait is held to.</summary>
    public const string WaitKpi = "asa.mean";

    private static List<BoardFigure> Figures(KpiSet set, Func<string, KpiTarget?> targetOf) =>
        TodayFigures.Select(f =>
        {
            var value = f.Value(set);
            var target = targetOf(f.Kpi);
            return new BoardFigure(f.Kpi, value, target?.Value, target?.Direction, target is null ? null : TargetStatus.Of(value, target.Value, target.Direction));
        }).ToList();
}

/// <summary>Pushes a fresh snapshot to this node's wall screens every few seconds.</summary>
public sealed class BoardBroadcaster(IServiceScopeFactory scopes, BoardAudience audience, IHubContext<BoardHub, IBoardClient> hub, ILogger<BoardBroadcaster> logger)
    : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!audience.Any)
                continue;
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var snapshot = await scope.ServiceProvider.GetRequiredService<LiveBoardService>().SnapshotAsync(null, "", stoppingToken);
                await hub.Clients.All.Snapshot(snapshot);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Live board snapshot failed");
            }
        }
    }
}
