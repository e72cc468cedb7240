using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Identity;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Identity;

public sealed class AuthorizationTests : ChatTestBase
{
    [Fact]
    public async Task Login_needs_the_antiforgery_header_and_the_right_password()
    {
        var cookies = new CookieContainer();
        using var client = TestApi.CreateClient(Host, cookies);

        var withoutHeader = await client.PostAsJsonAsync("/api/auth/login", new { email = TestApi.AliceEmail, password = TestApi.AlicePassword });
        Assert.Equal(HttpStatusCode.BadRequest, withoutHeader.StatusCode);
        Assert.Contains("antiforgery", await withoutHeader.Content.ReadAsStringAsync());

        var wrongPassword = await TestApi.LoginWithClientAsync(client, cookies, TestApi.AliceEmail, "not-her-password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/auth/me")).StatusCode);

        var ok = await TestApi.LoginWithClientAsync(client, cookies, TestApi.AliceEmail, TestApi.AlicePassword);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var me = await client.GetFromJsonAsync<MeResponse>("/api/auth/me", SignalRDriver.Json);
        Assert.Equal("Alice", me!.DisplayName);
        Assert.Equal([Roles.Operator], me.Roles);

        var logoutWithoutHeader = await client.PostAsync("/api/auth/logout", null);
        Assert.Equal(HttpStatusCode.BadRequest, logoutWithoutHeader.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task The_operator_hub_refuses_anonymous_users_visitors_and_managers()
    {
        var visitor = await TestApi.CreateVisitorAsync(Host);
        var manager = await TestApi.LoginAsync(Host, "manager@chatdesk.local", "manager-demo-pass");

        Assert.Contains("401", (await Assert.ThrowsAsync<HubCallException>(() => Driver.ConnectOperatorAsync("anonymous", Host.BaseUrl, ""))).Message);
        Assert.Contains("403", (await Assert.ThrowsAsync<HubCallException>(() => Driver.ConnectOperatorAsync("manager", Host.BaseUrl, manager))).Message);
        var asVisitor = Driver.InvokeRawConnectAsync("visitor-on-operator-hub", $"{Host.BaseUrl}/hubs/operator", visitor.VisitorToken);
        Assert.Contains("401", (await Assert.ThrowsAsync<HubCallException>(() => asVisitor)).Message);
    }

    [Fact]
    public async Task The_visitor_hub_refuses_missing_forged_and_expired_tokens()
    {
        var session = await TestApi.CreateVisitorAsync(Host);
        var parts = session.VisitorToken.Split('.');
        var other = (await TestApi.CreateVisitorAsync(Host)).VisitorToken.Split('.');

        Assert.Contains("401", (await Assert.ThrowsAsync<HubCallException>(() => Driver.InvokeRawConnectAsync("none", $"{Host.BaseUrl}/hubs/visitor", null))).Message);
        Assert.Contains("401", (await Assert.ThrowsAsync<HubCallException>(() => Driver.ConnectVisitorAsync("forged", Host.BaseUrl, $"{other[0]}.{parts[1]}"))).Message);

        await Driver.ConnectVisitorAsync("valid", Host.BaseUrl, session.VisitorToken);
        Host.Clock.Advance(TimeSpan.FromDays(31));
        Assert.Contains("401", (await Assert.ThrowsAsync<HubCallException>(() => Driver.ConnectVisitorAsync("expired", Host.BaseUrl, session.VisitorToken))).Message);
    }

    [Fact]
    public async Task A_visitor_reaches_only_their_own_conversation()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, first) = await StartVisitorChatAsync("first");
        await Driver.InvokeAsync("first", "SendMessage", TestApi.Message("private details"));
        var second = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("second", Host.BaseUrl, second.VisitorToken);

        Assert.Null(await Driver.InvokeAsync("second", "GetConversation"));
        Assert.Empty(await Driver.InvokeAsync<List<MessageDto>>("second", "GetMessagesAfter", 0));
        Assert.Contains("There is no open chat", await Driver.InvokeExpectingErrorAsync("second", "SendMessage", TestApi.Message("hijack")));
        Assert.Contains("no open chat to end", await Driver.InvokeExpectingErrorAsync("second", "EndChat"));

        await Driver.InvokeAsync("alice", "SendMessage", first.ConversationId, TestApi.Message("reply for first only"));
        await Driver.WaitForEventsAsync("first", "MessageReceived", 2);
        Assert.Empty(Driver.Events("second", "MessageReceived"));
        Assert.Equal(1, await CountAsync(db => db.Conversations.CountAsync()));
    }

    [Fact]
    public async Task A_foreign_page_cannot_open_the_operator_hub_with_the_operators_cookie()
    {
        var cookie = await TestApi.LoginAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        using var client = TestApi.CreateClient(Host);
        using var foreign = new HttpRequestMessage(HttpMethod.Post, "/hubs/operator/negotiate?negotiateVersion=1");
        foreign.Headers.Add("Cookie", cookie);
        foreign.Headers.Add("Origin", "http://evil.example");
        using var own = new HttpRequestMessage(HttpMethod.Post, "/hubs/operator/negotiate?negotiateVersion=1");
        own.Headers.Add("Cookie", cookie);
        own.Headers.Add("Origin", Host.BaseUrl);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(foreign)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(own)).StatusCode);
    }
}
