using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ChatDesk.Server.Chats;
using ChatDesk.Server.RemoteSupport;
using ChatDesk.Server.Widget;
using ChatDesk.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Security;

/// <summary>
/// The hubs under attack: foreign origins (cross-site WebSocket hijacking), another visitor's or operator's
/// conversation and remote session, tampered and expired tokens, and malformed or oversize arguments.
/// Setup: Alice and Bob online; visitor A chats with one of them, who asked A for a co-browse session;
/// visitor B is another visitor of the same site.
/// </summary>
public sealed class HubAttackTests : ChatTestBase
{
    private const string Foreign = "http://evil.example";
    private WidgetSessionResponse visitorA = null!;
    private Guid conversationA;
    private Guid sessionA;
    private string owner = "";
    private string other = "";

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword);
        (visitorA, var conversation) = await StartVisitorChatAsync("visitorA");
        conversationA = conversation.ConversationId;
        var assigned = await Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversationA).Select(c => c.OperatorId).SingleAsync());
        var aliceId = await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).Select(u => u.Id).SingleAsync());
        (owner, other) = assigned == aliceId ? ("alice", "bob") : ("bob", "alice");
        await Driver.InvokeAsync(owner, "SendMessage", conversationA, TestApi.Message("Hello, how can I help?"));
        sessionA = (await Driver.InvokeAsync<RemoteSessionDto>(owner, "RequestRemote", conversationA, new RemoteRequest("cobrowse"))).SessionId;
        await Driver.ConnectVisitorAsync("visitorB", Host.BaseUrl, (await TestApi.CreateVisitorAsync(Host)).VisitorToken);
    }

    // ---- Cross-site WebSocket hijacking ------------------------------------------------------------

    public static TheoryData<string, string> ForeignOrigins => new()
    {
        { "/hubs/operator", Foreign },
        { "/hubs/operator", "null" },
        { "/hubs/operator", "http://localhost.evil.example" },
        { "/hubs/visitor", Foreign },
        { "/hubs/board", Foreign },
    };

    [Theory]
    [MemberData(nameof(ForeignOrigins))]
    public async Task A_hub_refuses_a_WebSocket_or_negotiation_from_a_foreign_origin_even_with_the_victims_credentials(string hub, string origin)
    {
        var cookie = await TestApi.LoginAsync(Host, hub == "/hubs/board" ? "manager@chatdesk.local" : TestApi.AliceEmail,
            hub == "/hubs/board" ? "manager-demo-pass" : TestApi.AlicePassword);
        var connectionsBefore = await CountAsync(db => db.OperatorConnections.CountAsync());

        using var client = TestApi.CreateClient(Host);
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, $"{hub}/negotiate?negotiateVersion=1&access_token={visitorA.VisitorToken}");
        negotiate.Headers.Add("Origin", origin);
        negotiate.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(negotiate)).StatusCode);

        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Origin", origin);
        socket.Options.SetRequestHeader("Cookie", cookie);
        socket.Options.CollectHttpResponseDetails = true;
        var ws = new Uri($"{Host.BaseUrl.Replace("http", "ws", StringComparison.Ordinal)}{hub}?access_token={visitorA.VisitorToken}");
        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(ws, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Forbidden, socket.HttpStatusCode);
        Assert.Equal(connectionsBefore, await CountAsync(db => db.OperatorConnections.CountAsync()));
    }

    // ---- Another visitor's or operator's conversation ------------------------------------------------

    /// <summary>Each row: who (B = the other visitor, X = the operator not on the chat), the method, and its arguments.</summary>
    public static TheoryData<string, string> CrossAccess => new()
    {
        { "B", "RemoteConsent" }, { "B", "StopRemote" }, { "B", "RemoteSignal" }, { "B", "CobrowseEvents" }, { "B", "GetRemoteRelayAfter" },
        { "X", "SendMessage" }, { "X", "GetChat" }, { "X", "GetMessagesAfter" }, { "X", "EndChat" }, { "X", "TakeChat" }, { "X", "Transfer" },
        { "X", "Invite" }, { "X", "AddNote" }, { "X", "CompleteWrapUp" }, { "X", "RequestRemote" }, { "X", "GetRemoteSession" }, { "X", "SuggestAnswers" },
        { "X", "StopRemote" }, { "X", "RemoteSignal" }, { "X", "RemotePointer" }, { "X", "GetRemoteRelayAfter" },
    };

    private object?[] ArgumentsFor(string method) => method switch
    {
        "RemoteConsent" => [sessionA, true],
        "StopRemote" => [sessionA],
        "RemoteSignal" => [sessionA, """{"type":"offer","sdp":"v=0"}"""],
        "CobrowseEvents" => [sessionA, new RemoteCobrowsePart("[]", true)],
        "GetRemoteRelayAfter" => [sessionA, 0],
        "RemotePointer" => [sessionA, new RemotePointerRequest(0.5, 0.5, "point")],
        "SendMessage" => [conversationA, TestApi.Message("Give me your card number")],
        "GetMessagesAfter" => [conversationA, 0],
        "Transfer" => [conversationA, new TransferRequest(null, "billing", "take it")],
        "Invite" => [conversationA, "nobody"],
        "AddNote" => [conversationA, "note"],
        "CompleteWrapUp" => [conversationA, new WrapUpRequest("resolved", "x", [])],
        "RequestRemote" => [conversationA, new RemoteRequest("screen")],
        "SuggestAnswers" => [conversationA, "refund"],
        _ => [conversationA],
    };

    [Theory]
    [MemberData(nameof(CrossAccess))]
    public async Task A_call_on_someone_elses_conversation_or_remote_session_is_refused_and_changes_nothing(string who, string method)
    {
        var before = await SecurityAssertions.FingerprintAsync(Host);
        var messagesToA = Driver.Events("visitorA", "MessageReceived").Count;

        var error = await Driver.InvokeExpectingErrorAsync(who == "B" ? "visitorB" : other, method, ArgumentsFor(method));

        Assert.Matches("Unknown (conversation|remote session)|no longer waiting|Only the operator who owned the chat", error);
        await SecurityAssertions.AssertUnchangedAsync(Host, before);
        Assert.Equal(messagesToA, Driver.Events("visitorA", "MessageReceived").Count);
    }

    [Fact]
    public async Task A_visitor_cannot_download_another_visitors_file_nor_an_operator_one_outside_their_chats()
    {
        using var visitorClient = TestApi.CreateClient(Host);
        visitorClient.DefaultRequestHeaders.Authorization = new("Bearer", visitorA.VisitorToken);
        var uploaded = await visitorClient.PostAsync("/api/files/visitor?name=passport.png", Files.SampleFiles.Content(Files.SampleFiles.Png, "image/png"));
        uploaded.EnsureSuccessStatusCode();
        var fileId = await Host.WithDbAsync(db => db.SharedFiles.Select(f => f.Id).SingleAsync());
        var visitorB = await TestApi.CreateVisitorAsync(Host);
        using var otherOperator = await TestApi.SignedInClientAsync(Host, other == "alice" ? TestApi.AliceEmail : TestApi.BobEmail, other == "alice" ? TestApi.AlicePassword : TestApi.BobPassword);
        var before = await SecurityAssertions.FingerprintAsync(Host);

        using var thief = TestApi.CreateClient(Host);
        thief.DefaultRequestHeaders.Authorization = new("Bearer", visitorB.VisitorToken);
        Assert.Equal(HttpStatusCode.NotFound, (await thief.GetAsync($"/api/files/visitor/{fileId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherOperator.GetAsync($"/api/files/{fileId}")).StatusCode);
        var upload = await otherOperator.PostAsync($"/api/files/conversations/{conversationA}?name=malware.png", Files.SampleFiles.Content(Files.SampleFiles.Png, "image/png"));
        Assert.Equal(HttpStatusCode.NotFound, upload.StatusCode);
        await SecurityAssertions.AssertUnchangedAsync(Host, before);
    }

    [Fact]
    public async Task A_visitor_token_of_one_site_opens_no_session_on_another()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        (await admin.PostAsync("/api/admin/sites", JsonContent(new
        {
            key = "shop", name = "Shop", allowedOrigins = new[] { "https://shop.example" }, timeZone = "UTC", languages = new[] { "en" },
            topics = new[] { new { key = "orders", labelEn = "Orders", labelFr = "Commandes", skill = "billing", priority = 0 } },
        }))).EnsureSuccessStatusCode();
        var before = await SecurityAssertions.FingerprintAsync(Host);

        using var client = TestApi.CreateClient(Host);
        var response = await client.PostAsync("/api/widget/session",
            JsonContent(new { siteKey = "shop", hostOrigin = "https://shop.example", visitorToken = visitorA.VisitorToken, language = "en" }));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await SecurityAssertions.AssertUnchangedAsync(Host, before);
    }

    private static StringContent JsonContent(object value) =>
        new(System.Text.Json.JsonSerializer.Serialize(value, SignalRDriver.Json), Encoding.UTF8, "application/json");

    // ---- Token tampering and expiry ------------------------------------------------------------------

    public static TheoryData<string> Tamperings => new() { "other visitor's payload", "empty signature", "no signature", "extended expiry", "signed with another key", "garbage", "expired" };

    private string Tamper(string kind)
    {
        var parts = visitorA.VisitorToken.Split('.');
        var payload = JsonNode.Parse(WebEncoders.Base64UrlDecode(parts[0]))!;
        string Encode(JsonNode node) => WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(node.ToJsonString()));
        switch (kind)
        {
            case "other visitor's payload":
                payload["V"] = Guid.NewGuid().ToString();
                return $"{Encode(payload)}.{parts[1]}";
            case "empty signature":
                return $"{parts[0]}.";
            case "no signature":
                return parts[0];
            case "extended expiry":
                payload["E"] = payload["E"]!.GetValue<long>() + 365 * 86400;
                return $"{Encode(payload)}.{parts[1]}";
            case "signed with another key":
                var body = WebEncoders.Base64UrlDecode(parts[0]);
                return $"{parts[0]}.{WebEncoders.Base64UrlEncode(HMACSHA256.HashData(RandomNumberGenerator.GetBytes(32), body))}";
            case "garbage":
                return "not.a-token";
            default:
                Host.Clock.Advance(TimeSpan.FromDays(31));
                return visitorA.VisitorToken;
        }
    }

    [Theory]
    [MemberData(nameof(Tamperings))]
    public async Task A_tampered_or_expired_visitor_token_is_refused_by_the_hub_and_the_file_endpoint_and_stores_nothing(string kind)
    {
        var token = Tamper(kind);
        var before = await SecurityAssertions.FingerprintAsync(Host);

        var hub = await Assert.ThrowsAsync<HubCallException>(() => Driver.ConnectVisitorAsync("tampered", Host.BaseUrl, token));
        Assert.Contains("401", hub.Message);
        using var client = TestApi.CreateClient(Host);
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        var upload = await client.PostAsync("/api/files/visitor?name=x.png", Files.SampleFiles.Content(Files.SampleFiles.Png, "image/png"));
        Assert.Equal(HttpStatusCode.Unauthorized, upload.StatusCode);
        await SecurityAssertions.AssertUnchangedAsync(Host, before);
    }

    [Fact]
    public async Task A_tampered_login_cookie_is_refused_by_the_api_and_the_operator_hub()
    {
        var cookie = await TestApi.LoginAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        var name = "chatdesk.auth=";
        var start = cookie.IndexOf(name, StringComparison.Ordinal) + name.Length;
        var flipped = cookie[start + 40] == 'A' ? 'B' : 'A';
        var tampered = string.Concat(cookie.AsSpan(0, start + 40), flipped.ToString(), cookie.AsSpan(start + 41));

        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(Host.BaseUrl) };
        using var me = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        me.Headers.Add("Cookie", tampered);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(me)).StatusCode);
        Assert.Contains("401", (await Assert.ThrowsAsync<HubCallException>(() => Driver.ConnectOperatorAsync("tampered", Host.BaseUrl, tampered))).Message);
    }

    // ---- Malformed and oversize hub arguments ----------------------------------------------------------

    public static TheoryData<string, string, string> Malformed => new()
    {
        { "visitorA", "SendMessage", """[{"clientMessageId":["a"],"text":{"x":1}}]""" },
        { "visitorA", "StartChat", $$"""[{"name":"{{new string('n', 20_000)}}","topic":"billing"}]""" },
        { "visitorA", "PageChanged", """[{"url":"javascript:alert(1)","title":"x"}]""" },
        { "visitorA", "SubmitSurvey", """[{"csat":99,"nps":-5}]""" },
        { "visitorA", "CobrowseEvents", """["not-a-guid",{"data":"[]","last":true}]""" },
        { "visitorA", "GetMessagesAfter", """[1e400]""" },
        { "visitorA", "Typing", """[{"draft":"not a string"}]""" },
        { "alice", "SetStatus", $$"""["{{new string('s', 10_000)}}"]""" },
        { "alice", "AddNote", """["00000000-0000-0000-0000-000000000000",null]""" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task A_malformed_hub_call_is_refused_and_the_connection_stays_usable(string connection, string method, string args)
    {
        var before = await SecurityAssertions.FingerprintAsync(Host);

        await Assert.ThrowsAsync<HubCallException>(() => Driver.InvokeAsync(connection, method, JsonNode.Parse(args)!.AsArray().ToArray()));

        await SecurityAssertions.AssertUnchangedAsync(Host, before);
        Assert.NotNull(await Driver.InvokeAsync(connection, connection == "alice" ? "GetState" : "GetConversation"));
    }

    [Fact]
    public async Task A_message_over_the_hub_size_limit_closes_that_connection_stores_nothing_and_a_new_one_works()
    {
        var before = await SecurityAssertions.FingerprintAsync(Host);

        var oversize = Driver.InvokeAsync("visitorA", "SendMessage", TestApi.Message(new string('x', ChatsSetup.MaxHubMessageBytes + 1)));
        await Driver.WaitForDisconnectAsync("visitorA", TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<HubCallException>(() => oversize);

        await SecurityAssertions.AssertUnchangedAsync(Host, before);
        await Driver.ConnectVisitorAsync("visitorA-again", Host.BaseUrl, visitorA.VisitorToken);
        Assert.Equal(conversationA, (await Driver.InvokeAsync<ConversationView>("visitorA-again", "GetConversation")).ConversationId);
    }
}
