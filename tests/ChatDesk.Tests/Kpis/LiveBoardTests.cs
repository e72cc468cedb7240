using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Kpis;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Kpis;

public sealed class LiveBoardTests : ChatTestBase
{
    [Theory]
    [InlineData(0.02, 0.03, "lower", "green")]
    [InlineData(0.032, 0.03, "lower", "amber")]
    [InlineData(0.04, 0.03, "lower", "red")]
    [InlineData(72.0, 70.0, "higher", "green")]
    [InlineData(64.0, 70.0, "higher", "amber")]
    [InlineData(50.0, 70.0, "higher", "red")]
    [InlineData(-5.5, -5.0, "higher", "amber")]
    public void A_target_is_green_when_met_amber_within_ten_percent_and_red_otherwise(double value, double target, string direction, string status) =>
        Assert.Equal(status, TargetStatus.Of(value, target, direction));

    [Fact]
    public async Task The_board_shows_the_queue_the_team_and_todays_figures_against_their_targets()
    {
        using (var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass"))
            (await manager.PutAsJsonAsync("/api/kpis/targets", new[] { new TargetDto(null, "abandonmentRate", null, 0.03, "lower", "week") })).EnsureSuccessStatusCode();
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await StartVisitorChatAsync("first");
        await StartVisitorChatAsync("waiting");
        Host.Clock.Advance(TimeSpan.FromSeconds(45));
        await StartVisitorChatAsync("leaving");
        await Driver.InvokeAsync("leaving", "EndChat");

        await Driver.ConnectWithCookieAsync("board", $"{Host.BaseUrl}/hubs/board", await TestApi.LoginAsync(Host, "manager@chatdesk.local", "manager-demo-pass"), "Snapshot");
        var snapshot = await Driver.InvokeAsync<BoardSnapshot>("board", "GetSnapshot", "demo");

        Assert.Equal((1, 45.0, 1, 1, 1), (snapshot.Queue, snapshot.LongestWaitSeconds!.Value, snapshot.OperatorsOnline, snapshot.OperatorsBusy, snapshot.ActiveChats));
        var abandonment = Assert.Single(snapshot.Today, f => f.Kpi == "abandonmentRate");
        Assert.Equal((1.0 / 3, 0.03, "red"), (abandonment.Value!.Value, abandonment.Target!.Value, abandonment.Status));
        Assert.Contains(snapshot.Alerts, a => a.Kind == "wait");
        await Driver.WaitForEventsAsync("board", "Snapshot", timeout: TimeSpan.FromSeconds(20));

        var operatorCookie = await TestApi.LoginAsync(Host, TestApi.BobEmail, TestApi.BobPassword);
        Assert.Contains("403", (await Assert.ThrowsAsync<HubCallException>(() => Driver.ConnectWithCookieAsync("nosy", $"{Host.BaseUrl}/hubs/board", operatorCookie))).Message);
    }

    [Fact]
    public async Task Skills_show_their_own_targets_and_the_board_alerts_on_utilization_and_on_a_wait_past_its_skills_target()
    {
        var targets = new[]
        {
            new TargetDto(null, "abandonmentRate", null, 0.03, "lower", "week"), new TargetDto(null, "abandonmentRate", "billing", 0.5, "lower", "week"),
            new TargetDto(null, LiveBoardService.WaitKpi, "billing", 20, "lower", "week"),
        };
        using (var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass"))
            (await manager.PutAsJsonAsync("/api/kpis/targets", targets)).EnsureSuccessStatusCode();
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);

        // Alice is busy 85 s (a chat and its wrap-up), then takes a second chat; a third waits 25 s: past billing's
        // 20 s wait target though within the site's 30 s service-level threshold. Utilization 85 / 110 s > 60 %.
        var (_, done) = await StartVisitorChatAsync("done");
        await Driver.InvokeAsync("alice", "SendMessage", done.ConversationId, TestApi.Message("Hello!"));
        Host.Clock.Advance(TimeSpan.FromSeconds(80));
        await Driver.InvokeAsync("alice", "EndChat", done.ConversationId);
        Host.Clock.Advance(TimeSpan.FromSeconds(5));
        await Driver.InvokeAsync("alice", "CompleteWrapUp", done.ConversationId, new WrapUpRequest("resolved", null, null));
        await StartVisitorChatAsync("second");
        await StartVisitorChatAsync("waiting");
        Host.Clock.Advance(TimeSpan.FromSeconds(25));

        await Driver.ConnectWithCookieAsync("board", $"{Host.BaseUrl}/hubs/board", await TestApi.LoginAsync(Host, "manager@chatdesk.local", "manager-demo-pass"), "Snapshot");
        var snapshot = await Driver.InvokeAsync<BoardSnapshot>("board", "GetSnapshot", "demo");

        Assert.Equal(85.0 / 110, snapshot.Utilization!.Value, 6);
        Assert.Contains(snapshot.Alerts, a => a.Kind == "utilization");
        var wait = Assert.Single(snapshot.Alerts, a => a.Kind == "wait");
        Assert.Contains("20 s target", wait.Message);
        var billing = Assert.Single(snapshot.Skills);
        Assert.Equal(("billing", 1), (billing.Skill, billing.Queue));
        var abandonment = Assert.Single(billing.Today, f => f.Kpi == "abandonmentRate");
        Assert.Equal((0.0, 0.5, "green"), (abandonment.Value!.Value, abandonment.Target!.Value, abandonment.Status));
        Assert.Equal(0.03, Assert.Single(snapshot.Today, f => f.Kpi == "abandonmentRate").Target);
    }
}
