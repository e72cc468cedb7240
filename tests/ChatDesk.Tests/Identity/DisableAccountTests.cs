using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Identity;

/// <summary>An admin on one node disables an operator connected to another node.</summary>
public sealed class DisableAccountTests : ChatTestBase
{
    private ChatDeskTestHost second = null!;

    protected override bool WithRedis => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        second = await StartAnotherNodeAsync();
    }

    [Fact]
    public async Task Disabling_an_operator_ends_their_connection_on_another_node_requeues_their_chats_and_refuses_their_cookie()
    {
        var cookie = await TestApi.LoginAsync(second, TestApi.AliceEmail, TestApi.AlicePassword);
        await Driver.ConnectOperatorAsync("alice", second.BaseUrl, cookie);
        await Driver.InvokeAsync("alice", "SetStatus", "online");
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        Assert.Equal(ConversationStatus.Assigned, chat.Status);
        using var admin = await TestApi.AdminClientAsync(Host);
        var alice = (await admin.GetFromJsonAsync<List<PersonDto>>("/api/admin/people?search=alice", SignalRDriver.Json))!.Single();

        var clock = Stopwatch.StartNew();
        Host.Clock.Advance(TimeSpan.FromSeconds(1)); // the cookie's security stamp is checked once time has passed since it was issued
        var disabled = await admin.PostAsync($"/api/admin/people/{alice.Id}/disable", null);
        Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        var dropped = await Driver.WaitForDisconnectAsync("alice", TimeSpan.FromSeconds(2));
        var elapsed = clock.Elapsed;
        Console.WriteLine($"dropped: {dropped}");
        Assert.Single(Driver.Events("alice", "SessionEnded"));

        var conversation = await Host.WithDbAsync(db => db.Conversations.AsNoTracking().SingleAsync(c => c.Id == chat.ConversationId));
        Assert.Equal((ConversationStatus.Queued, (string?)null), (conversation.Status, conversation.OperatorId));
        Assert.Equal("offline", await Host.WithDbAsync(db => db.Users.Where(u => u.Id == alice.Id).Select(u => u.Status).SingleAsync()));

        using var oldCookie = TestApi.CreateClient(second);
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Unauthorized, (await oldCookie.SendAsync(me)).StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => Driver.ConnectOperatorAsync("alice-again", second.BaseUrl, cookie));

        var cookies = new CookieContainer();
        using var login = TestApi.CreateClient(Host, cookies);
        var refused = await TestApi.LoginWithClientAsync(login, cookies, TestApi.AliceEmail, TestApi.AlicePassword);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Account disabled", await refused.Content.ReadAsStringAsync());

        var audit = await Host.WithDbAsync(db => db.Events.SingleAsync(e => e.Type == AdminEventTypes.PersonDisabled));
        Assert.Contains(alice.Id, audit.Data);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/admin/people/{alice.Id}/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await TestApi.LoginWithClientAsync(login, cookies, TestApi.AliceEmail, TestApi.AlicePassword)).StatusCode);
        Console.WriteLine($"Disabled operator's connection on the other node ended after {elapsed.TotalMilliseconds:F0} ms");
    }
}
