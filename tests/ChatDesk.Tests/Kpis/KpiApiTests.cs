using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Kpis;
using ChatDesk.Server.Surveys;
using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests.Kpis;

/// <summary>The KPI API over a scripted day on the real server, with the manual clock.</summary>
public sealed class KpiApiTests : ChatTestBase
{
    private string Today => Host.Clock.GetUtcNow().ToString("yyyy-MM-dd");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);

        // Answered after 10 s (an automated notice would not count), ended at 60 s, wrapped up 30 s later, surveyed.
        var (_, answered) = await StartVisitorChatAsync("first");
        Host.Clock.Advance(TimeSpan.FromSeconds(10));
        await Driver.InvokeAsync("alice", "SendMessage", answered.ConversationId, TestApi.Message("Hello!"));
        Host.Clock.Advance(TimeSpan.FromSeconds(50));
        await Driver.InvokeAsync("alice", "EndChat", answered.ConversationId);
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        await Driver.InvokeAsync("alice", "CompleteWrapUp", answered.ConversationId, new WrapUpRequest("resolved", null, null));
        await Driver.InvokeAsync("first", "SubmitSurvey", new SurveyRequest(5, 9, null, true, null));

        // Abandoned: the visitor leaves after 20 s without an answer.
        await StartVisitorChatAsync("second");
        Host.Clock.Advance(TimeSpan.FromSeconds(20));
        await Driver.InvokeAsync("second", "EndChat");
    }

    [Fact]
    public async Task A_manager_gets_the_team_and_each_operators_figures()
    {
        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        var report = (await manager.GetFromJsonAsync<KpiReport>($"/api/kpis?from={Today}&to={Today}", SignalRDriver.Json))!;

        var team = report.Team!;
        Assert.Equal(new Volume(2, 1, 1, 0, 0), team.Volume);
        Assert.Equal((10.0, 1), (team.Frt.Mean!.Value, team.Frt.Count));
        Assert.Equal(0.5, team.AbandonmentRate);
        Assert.Equal(90.0, team.Aht.Mean);  // engaged 0..60 s + 30 s of after-chat work
        Assert.Equal(new CsatFigure(1, 5), team.Csat);
        Assert.Equal(100, team.Nps);
        Assert.Equal(1, team.Fcr.Provisional);
        var alice = Assert.Single(report.Operators, o => o.DisplayName == "Alice");
        Assert.Equal(10.0, alice.Kpis.Frt.Mean);
    }

    [Fact]
    public async Task With_short_abandons_on_a_quick_abandon_leaves_the_abandonment_rate()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var settings = await admin.GetFromJsonAsync<ChatDesk.Server.Routing.SiteRoutingDto>("/api/admin/sites/demo/routing", SignalRDriver.Json);
        (await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", settings! with { ShortAbandonSeconds = 30 })).EnsureSuccessStatusCode();

        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        var team = (await manager.GetFromJsonAsync<KpiReport>($"/api/kpis?from={Today}&to={Today}", SignalRDriver.Json))!.Team!;

        Assert.Equal(new Volume(2, 1, 1, 1, 0), team.Volume);
        Assert.Equal(0.0, team.AbandonmentRate); // 0 counted abandons / (2 requested - 1 short)
        Assert.Equal(1.0, team.ServiceLevel);    // answered within 30 s / (1 answered + 0 counted abandons)
    }

    [Fact]
    public async Task An_operator_sees_only_their_own_figures()
    {
        using var alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        var report = (await alice.GetFromJsonAsync<KpiReport>($"/api/kpis?from={Today}&to={Today}", SignalRDriver.Json))!;
        Assert.Null(report.Team);
        Assert.Equal("Alice", Assert.Single(report.Operators).DisplayName);
    }

    [Theory]
    [InlineData("from=2026-11-10&to=2026-11-01", "ends before it starts")]
    [InlineData("from=yesterday", "must be a date")]
    [InlineData("from=2024-01-01&to=2026-01-01", "at most 400 days")]
    [InlineData("skill=astrology", "Unknown skill")]
    [InlineData("operator=nobody", "Unknown operator")]
    public async Task Bad_filters_are_refused_with_a_clear_problem(string query, string problem)
    {
        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        var response = await manager.GetAsync($"/api/kpis?{query}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Conversations_behind_the_figures_export_as_csv_and_json()
    {
        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        var slowest = (await manager.GetFromJsonAsync<List<ConversationRow>>($"/api/kpis/conversations?from={Today}&to={Today}&kpi=frt", SignalRDriver.Json))!;
        var row = Assert.Single(slowest); // only answered conversations have an FRT
        Assert.Equal(("answered", 10.0, "provisional"), (row.Outcome, row.Frt!.Value, row.Fcr));
        var csv = await manager.GetStringAsync($"/api/kpis/conversations.csv?from={Today}&to={Today}");
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("conversation_id,requested_at,visitor", lines[0]);
        Assert.Contains(lines, l => l.Contains(",abandoned,"));
        Assert.StartsWith("scope,frt.mean", await manager.GetStringAsync($"/api/kpis/aggregates.csv?from={Today}&to={Today}"));
    }

    [Fact]
    public async Task Staffing_targets_and_the_api_description()
    {
        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        var staffing = (await manager.GetFromJsonAsync<StaffingResult>("/api/kpis/staffing?arrivalsPerHour=200&ahtSeconds=180&serviceLevel=0.85&answerSeconds=20&hourlyCost=25", SignalRDriver.Json))!;
        Assert.Equal(14, staffing.OperatorsNeeded);
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.GetAsync("/api/kpis/staffing?arrivalsPerHour=-1&ahtSeconds=180")).StatusCode);

        var targets = new[] { new TargetDto(null, "abandonmentRate", null, 0.03, "lower", "week"), new TargetDto(null, "nps", "billing", 70, "higher", "month") };
        Assert.Equal(HttpStatusCode.NoContent, (await manager.PutAsJsonAsync("/api/kpis/targets", targets)).StatusCode);
        Assert.Equal(2, (await manager.GetFromJsonAsync<List<TargetDto>>("/api/kpis/targets", SignalRDriver.Json))!.Count);
        Assert.Equal(HttpStatusCode.BadRequest, (await manager.PutAsJsonAsync("/api/kpis/targets", new[] { new TargetDto(null, "happiness", null, 1, "higher", "week") })).StatusCode);
        using var alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PutAsJsonAsync("/api/kpis/targets", targets)).StatusCode);

        using var anonymous = TestApi.CreateClient(Host);
        Assert.Contains("/api/kpis/staffing", await anonymous.GetStringAsync("/openapi/v1.json"));
    }
}
