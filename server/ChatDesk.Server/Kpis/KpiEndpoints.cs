using System.Security.Claims;
using System.Text;
using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.CannedResponses;
using ChatDesk.Server.Data;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Kpis;

public sealed record TargetDto(Guid? Id, string Kpi, string? Skill, double Value, string Direction, string Period);

public static class KpiEndpoints
{
    public static IServiceCollection AddKpis(this IServiceCollection services)
    {
        services.AddScoped<KpiService>();
        services.AddScoped<EventKpiService>();
        services.AddScoped<KpiProjection>();
        services.AddHostedService<KpiProjectionWorker>();
        services.AddSingleton<KpiMetrics>();
        services.AddHostedService<KpiGaugeRefresher>();
        services.AddScoped<LiveBoardService>();
        services.AddSingleton<BoardAudience>();
        services.AddHostedService<BoardBroadcaster>();
        return services;
    }

    /// <summary>Managers, admins and tokens with kpis:read see everyone; an operator only their own figures.</summary>
    private static bool SeesTeam(ClaimsPrincipal user) => user.IsInRoleOrHasScope([Roles.Manager, Roles.Admin], [ApiScopes.KpisRead]);

    private static string UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    private static string? OperatorFilter(ClaimsPrincipal user, string? requested) => SeesTeam(user) ? requested : UserId(user);

    public static IEndpointRouteBuilder MapKpis(this IEndpointRouteBuilder app)
    {
        app.MapHub<BoardHub>("/hubs/board");
        var group = app.MapGroup("/api/kpis")
            .RequireAuthorization(ApiPolicies.Kpis)
            .AddEndpointFilter<AntiforgeryFilter>()
            .AddEndpointFilter(async (context, next) =>
            {
                try
                {
                    return await next(context);
                }
                catch (KpiQueryException e)
                {
                    return Results.Problem(title: "Invalid KPI request", detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
                }
            })
            .WithTags("KPIs");

        group.MapGet("/", (string? site, string? from, string? to, string? skill, string? @operator, string? operatorStats, ClaimsPrincipal user, KpiService kpis,
                CancellationToken ct) =>
            kpis.ReportAsync(new KpiQuery(site, from, to, skill, @operator), UserId(user), SeesTeam(user), ct, operatorStats switch
            {
                null or "full" => true,
                "mean" => false,
                _ => throw new KpiQueryException("operatorStats is full or mean."),
            }))
            .WithSummary("Every KPI of the specification for the period (whole days in the site's time zone), team and per operator.")
            .WithDescription("operatorStats=mean leaves out each operator's median and p90 (null) when several operators are listed, which a long period answers much faster; "
                + "the team's figures and a single operator's are always complete.");

        group.MapGet("/trend", (string? site, string? from, string? to, string? skill, string? @operator, string? kpi, string? interval, ClaimsPrincipal user, KpiService kpis, CancellationToken ct) =>
            kpis.TrendAsync(new KpiQuery(site, from, to, skill, @operator), kpi ?? "frt.mean", interval ?? "day", OperatorFilter(user, @operator), ct))
            .WithSummary("One KPI per day or week.");

        group.MapGet("/heatmap", (string? site, string? from, string? to, string? skill, ClaimsPrincipal user, KpiService kpis, CancellationToken ct) =>
            kpis.HeatmapAsync(new KpiQuery(site, from, to, skill, null), OperatorFilter(user, null), ct))
            .WithSummary("Requests by weekday (Monday = 0) and hour of day.");

        group.MapGet("/conversations", (string? site, string? from, string? to, string? skill, string? @operator, string? kpi, string? sort, int? limit,
            ClaimsPrincipal user, KpiService kpis, CancellationToken ct) =>
            kpis.ConversationsAsync(new KpiQuery(site, from, to, skill, @operator), OperatorFilter(user, @operator), kpi, sort, limit ?? 50, ct))
            .WithSummary("The conversations behind a figure, one row each: sorted by the figure named in kpi (descending unless sort=asc), at most limit (1 to 1000, default 50).");

        group.MapGet("/conversations.csv", async (string? site, string? from, string? to, string? skill, string? @operator, ClaimsPrincipal user, KpiService kpis, CancellationToken ct) =>
        {
            var rows = await kpis.ConversationsAsync(new KpiQuery(site, from, to, skill, @operator), OperatorFilter(user, @operator), cancellationToken: ct);
            var csv = new StringBuilder().Append(Csv.Line(["conversation_id", "requested_at", "visitor", "topic", "owner", "outcome", "wait_s", "frt_s", "handle_time_s", "acw_s",
                "transfers", "disposition", "csat", "nps", "ces", "resolved", "fcr"])).Append("\r\n");
            foreach (var r in rows)
                csv.Append(Csv.Line([r.ConversationId.ToString(), r.RequestedAt.ToString("O"), r.VisitorName, r.Topic, r.Owner, r.Outcome, Num(r.Wait), Num(r.Frt),
                    Num(r.HandleTime), Num(r.Acw), r.Transfers.ToString(), r.Disposition, r.Csat?.ToString(), r.Nps?.ToString(), r.Ces?.ToString(),
                    r.Resolved?.ToString().ToLowerInvariant(), r.Fcr])).Append("\r\n");
            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "conversations.csv");
        });

        group.MapGet("/aggregates.csv", async (string? site, string? from, string? to, string? skill, string? @operator, ClaimsPrincipal user, KpiService kpis, CancellationToken ct) =>
        {
            var report = await kpis.ReportAsync(new KpiQuery(site, from, to, skill, @operator), UserId(user), SeesTeam(user), ct);
            var csv = new StringBuilder().Append(Csv.Line(["scope", .. KpiScope.Selectors.Keys])).Append("\r\n");
            var rows = (report.Team is null ? [] : new[] { ("team", report.Team) }).Concat(report.Operators.Select(o => (o.DisplayName, o.Kpis)));
            foreach (var (scope, set) in rows)
                csv.Append(Csv.Line([scope, .. KpiScope.Selectors.Values.Select(select => Num(select(set)))])).Append("\r\n");
            return Results.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "aggregates.csv");
        });

        group.MapGet("/staffing", (double arrivalsPerHour, double ahtSeconds, double? concurrency, double? serviceLevel, double? answerSeconds, double? hourlyCost) =>
        {
            try
            {
                return Results.Ok(ErlangC.Staff(arrivalsPerHour, ahtSeconds, concurrency ?? 1, serviceLevel ?? 0.8, answerSeconds ?? 30, hourlyCost ?? 0));
            }
            catch (ArgumentOutOfRangeException e)
            {
                return Results.Problem(title: "Invalid staffing request", detail: e.Message.Split(" (Parameter")[0], statusCode: StatusCodes.Status400BadRequest);
            }
        }).WithSummary("Operators needed for a service-level goal (Erlang C on AHT / concurrency) and the cost per conversation.");

        group.MapGet("/targets", async (ChatDeskDbContext db, CancellationToken ct) =>
        {
            var skills = await db.Skills.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Key, ct);
            return (await db.KpiTargets.AsNoTracking().OrderBy(t => t.Kpi).ToListAsync(ct))
                .Select(t => new TargetDto(t.Id, t.Kpi, t.SkillId is { } s ? skills[s] : null, t.Value, t.Direction, t.Period));
        });

        group.MapPut("/targets", async (List<TargetDto> targets, ClaimsPrincipal user, ChatDeskDbContext db, Events.EventLog events, CancellationToken ct) =>
        {
            if (!SeesTeam(user))
                return Results.Problem(title: "Managers only", statusCode: StatusCodes.Status403Forbidden);
            var skills = await db.Skills.AsNoTracking().ToDictionaryAsync(s => s.Key, s => s.Id, ct);
            foreach (var t in targets)
            {
                var problem = !KpiScope.Selectors.ContainsKey(t.Kpi) ? $"Unknown KPI '{t.Kpi}'."
                    : t.Direction is not ("higher" or "lower") ? "Direction is higher or lower."
                    : t.Period is not ("week" or "month") ? "Period is week or month."
                    : t.Skill is not null && !skills.ContainsKey(t.Skill) ? $"Unknown skill '{t.Skill}'."
                    : double.IsFinite(t.Value) ? null : "A target needs a number.";
                if (problem is not null)
                    return Results.Problem(title: "Invalid target", detail: problem, statusCode: StatusCodes.Status400BadRequest);
            }
            var names = skills.ToDictionary(s => s.Value, s => s.Key);
            var before = (await db.KpiTargets.AsNoTracking().OrderBy(t => t.Kpi).ToListAsync(ct))
                .Select(t => new { t.Kpi, skill = t.SkillId is { } s ? names.GetValueOrDefault(s) : null, t.Value, t.Direction, t.Period }).ToList();
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            events.AppendAdminEvent(db, Events.AdminEventTypes.TargetsUpdated, user.ActorId(), new Events.AuditTarget("targets", "kpi", "KPI targets"),
                before, targets.OrderBy(t => t.Kpi).Select(t => new { t.Kpi, t.Skill, t.Value, t.Direction, t.Period }));
            await db.KpiTargets.ExecuteDeleteAsync(ct);
            db.KpiTargets.AddRange(targets.Select(t => new KpiTarget
            {
                Id = Guid.NewGuid(), Kpi = t.Kpi, SkillId = t.Skill is null ? null : skills[t.Skill], Value = t.Value, Direction = t.Direction, Period = t.Period,
            }));
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return Results.NoContent();
        }).RequireAuthorization(ApiPolicies.PeopleOnly); // kpis:read reads; no scope sets targets

        app.MapPost("/api/admin/kpis/rebuild", async (KpiProjection projection, CancellationToken ct) =>
                Results.Ok(new { conversations = await projection.RebuildAsync(ct) }))
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .AddEndpointFilter<AntiforgeryFilter>()
            .WithTags("KPIs")
            .WithSummary("Recomputes every derived KPI row from the event log (after changing a site's time zone or wrap-up timeout, or to repair).");

        return app;
    }

    private static string? Num(double? value) => value?.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
}
