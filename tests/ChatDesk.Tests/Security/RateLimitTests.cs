using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.RateLimits;
using ChatDesk.Tests.Files;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Security;

/// <summary>
/// Flooding: each abuse limit (set low here) refuses the calls over it with a clear, retryable error, stores
/// nothing of them, keeps the connection usable, and the server's health endpoint answers within 100 ms meanwhile.
/// The class's setup (a chat between a visitor and Alice) uses 2 logins and 1 widget session of its limits.
/// </summary>
[Collection(FloodCollection.Name)]
public sealed class RateLimitTests : FileTestBase
{
    private const string Limits = RateLimitOptions.Section;
    private const int Flood = 40;

    protected override ChatDeskTestHost CreateHost() => new() { Settings = LowLimits() };

    internal static Dictionary<string, string?> LowLimits(params (string Key, string Value)[] more)
    {
        var settings = new Dictionary<string, string?>();
        foreach (var (rule, burst) in new[]
                 {
                     ("VisitorMessages", 3), ("OperatorMessages", 6), ("VisitorTyping", 3), ("StartChatPerVisitor", 2), ("OfflineMessagesPerVisitor", 2),
                     ("WidgetSessionsPerIp", 4), ("VisitorConnections", 6), ("LoginsPerIp", 4), ("LoginsPerAccount", 3), ("VisitorUploads", 2),
                 })
        {
            settings[$"{Limits}:{rule}:Burst"] = burst.ToString(System.Globalization.CultureInfo.InvariantCulture);
            settings[$"{Limits}:{rule}:PerMinute"] = "1"; // no refill while a test runs
        }
        foreach (var (key, value) in more)
            settings[key] = value;
        return settings;
    }

    /// <summary>Makes <see cref="Flood"/> calls at once; returns how many were accepted and the refusals' messages.</summary>
    private async Task<(int Accepted, List<string> Refused)> FloodHubAsync(string connection, string method, Func<int, object?[]> args)
    {
        var calls = Enumerable.Range(0, Flood).Select(async i =>
        {
            try
            {
                await Driver.InvokeAsync(connection, method, args(i));
                return null;
            }
            catch (HubCallException e)
            {
                return e.Message;
            }
        }).ToList();
        var results = await SecurityAssertions.WhileHealthAnswersQuicklyAsync(Host, () => Task.WhenAll(calls));
        return (results.Count(r => r is null), results.OfType<string>().ToList());
    }

    private static void AssertAllRateLimited(IEnumerable<string> refusals, string language = "en")
    {
        var expected = RateLimitTexts.Message(language, 1)[..20];
        Assert.All(refusals, refusal => Assert.Contains(expected, refusal));
    }

    /// <summary>A client on the console's login page: it holds the antiforgery token and sends it.</summary>
    internal static async Task<HttpClient> LoginPageClientAsync(ChatDeskTestHost host)
    {
        var cookies = new CookieContainer();
        var client = TestApi.CreateClient(host, cookies);
        await client.GetAsync("/api/auth/me");
        client.DefaultRequestHeaders.Add("X-XSRF-TOKEN", cookies.GetCookies(client.BaseAddress!)["XSRF-TOKEN"]!.Value);
        return client;
    }

    /// <summary>A widget session request as relayed by a proxy for that client address.</summary>
    internal static HttpRequestMessage SessionRequest(ChatDeskTestHost host, string forwardedFor)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/widget/session")
        {
            Content = JsonContent.Create(new { siteKey = "demo", hostOrigin = host.DemoSiteOrigin, language = "en" }),
        };
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return request;
    }

    private Task<int> VisitorMessagesAsync() =>
        CountAsync(db => db.Messages.CountAsync(m => m.ConversationId == ConversationId && m.AuthorKind == AuthorKind.Visitor));

    [Fact]
    public async Task A_visitor_flooding_messages_gets_its_burst_then_retryable_refusals_that_store_nothing()
    {
        var (accepted, refused) = await FloodHubAsync("visitor", "SendMessage", i => [TestApi.Message($"flood {i}")]);

        Assert.Equal(3, accepted);
        Assert.Equal(Flood - 3, refused.Count);
        AssertAllRateLimited(refused);
        Assert.Equal(3, await VisitorMessagesAsync());
        // The connection stays usable for what is not limited.
        Assert.NotNull(await Driver.InvokeAsync<ConversationView>("visitor", "GetConversation"));
    }

    [Fact]
    public async Task Operators_have_their_own_higher_message_limit()
    {
        await FloodHubAsync("visitor", "SendMessage", i => [TestApi.Message($"visitor {i}")]);
        var (accepted, refused) = await FloodHubAsync("alice", "SendMessage", i => [ConversationId, TestApi.Message($"alice {i}")]);

        Assert.Equal(6, accepted);
        AssertAllRateLimited(refused);
        Assert.Equal(6, await CountAsync(db => db.Messages.CountAsync(m => m.ConversationId == ConversationId && m.AuthorKind == AuthorKind.Operator)));
    }

    [Fact]
    public async Task Typing_drafts_over_the_limit_are_refused_and_the_refusal_is_in_the_widgets_language()
    {
        var (accepted, refused) = await FloodHubAsync("visitor", "Typing", i => [$"draft {i}"]);
        Assert.Equal(3, accepted);
        AssertAllRateLimited(refused);

        var french = await TestApi.CreateVisitorAsync(Host);
        await Driver.InvokeRawConnectAsync("french", $"{Host.BaseUrl}/hubs/visitor?lang=fr", french.VisitorToken);
        await Driver.InvokeAsync("french", "StartChat", TestApi.ChatRequest("Françoise"));
        for (var i = 0; i < 3; i++)
            await Driver.InvokeAsync("french", "Typing", "bonjour");
        var refusal = await Driver.InvokeExpectingErrorAsync("french", "Typing", "bonjour");
        Assert.Contains("Trop de demandes en peu de temps. Réessayez dans", refusal);
    }

    [Fact]
    public async Task StartChat_floods_are_refused_and_open_no_more_conversations()
    {
        var visitor = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("starter", Host.BaseUrl, visitor.VisitorToken);

        var (accepted, refused) = await FloodHubAsync("starter", "StartChat", i => [TestApi.ChatRequest($"Starter {i}")]);

        Assert.Equal(2, accepted);
        AssertAllRateLimited(refused);
        Assert.Equal(1, await CountAsync(db => db.Conversations.CountAsync(c => c.VisitorId == visitor.VisitorId)));
    }

    [Fact]
    public async Task Offline_message_floods_store_only_the_allowed_ones()
    {
        var (accepted, refused) = await FloodHubAsync("visitor", "LeaveOfflineMessage",
            i => [new LeaveOfflineMessageRequest("Vera", "vera@example.com", $"Offline {i}")]);

        Assert.Equal(2, accepted);
        AssertAllRateLimited(refused);
        Assert.Equal(2, await CountAsync(db => db.OfflineMessages.CountAsync()));
    }

    [Fact]
    public async Task Widget_session_floods_from_one_address_get_429_with_Retry_After_and_create_no_visitor()
    {
        using var client = TestApi.CreateClient(Host);
        var visitorsBefore = await CountAsync(db => db.Visitors.CountAsync());

        var responses = await SecurityAssertions.WhileHealthAnswersQuicklyAsync(Host, () => Task.WhenAll(Enumerable.Range(0, Flood).Select(_ =>
            client.PostAsJsonAsync("/api/widget/session", new { siteKey = "demo", hostOrigin = Host.DemoSiteOrigin, language = "en" }))));

        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(3, responses.Count(r => r.IsSuccessStatusCode)); // 4 a burst, one used by the setup
        Assert.Equal(Flood - 3, limited.Count);
        Assert.All(limited, r => Assert.True(r.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1)));
        var problem = JsonDocument.Parse(await limited[0].Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(RateLimitTexts.Code, problem.GetProperty("code").GetString());
        Assert.StartsWith("Too many requests in a short time.", problem.GetProperty("detail").GetString());
        Assert.Equal(visitorsBefore + 3, await CountAsync(db => db.Visitors.CountAsync()));
    }

    [Fact]
    public async Task Login_floods_from_one_address_are_refused_before_any_password_is_checked()
    {
        using var client = await LoginPageClientAsync(Host);

        var responses = await SecurityAssertions.WhileHealthAnswersQuicklyAsync(Host, () => Task.WhenAll(Enumerable.Range(0, Flood).Select(_ =>
            client.PostAsJsonAsync("/api/auth/login", new { email = TestApi.BobEmail, password = "guess" }))));

        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized)); // 4 a burst, two used by the setup
        Assert.Equal(Flood - 2, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        // Only the checked passwords count as failures (two at once may count once): the refused attempts reached no account.
        Assert.InRange(await CountAsync(db => db.Users.Where(u => u.Email == TestApi.BobEmail).Select(u => u.AccessFailedCount).SingleAsync()), 1, 2);
    }

    [Fact]
    public async Task A_spoofed_X_Forwarded_For_from_an_untrusted_client_does_not_open_a_new_allowance()
    {
        using var client = TestApi.CreateClient(Host);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
            statuses.Add((await client.SendAsync(SessionRequest(Host, $"203.0.113.{i + 1}"))).StatusCode);

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 3), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
    }

    [Fact]
    public async Task A_visitor_reconnecting_over_and_over_is_refused_a_new_connection_while_other_visitors_connect()
    {
        var session = await TestApi.CreateVisitorAsync(Host);
        var refusal = await SecurityAssertions.WhileHealthAnswersQuicklyAsync(Host, async () =>
        {
            for (var i = 0; i < 3; i++) // negotiation and WebSocket: two of the six a burst each
            {
                await Driver.ConnectVisitorAsync($"again-{i}", Host.BaseUrl, session.VisitorToken);
                await Driver.StopAsync($"again-{i}");
            }
            return await Assert.ThrowsAsync<HubCallException>(() => Driver.ConnectVisitorAsync("once-more", Host.BaseUrl, session.VisitorToken));
        });

        Assert.Contains("429", refusal.Message);
        Assert.NotNull(await Driver.InvokeAsync("visitor", "GetConversation")); // another visitor's connection is untouched
        var other = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("other", Host.BaseUrl, other.VisitorToken);
    }

    [Fact]
    public async Task Upload_floods_store_only_the_allowed_files()
    {
        var responses = await SecurityAssertions.WhileHealthAnswersQuicklyAsync(Host, () => Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
            VisitorUploadAsync($"flood-{i}.png", SampleFiles.Content(SampleFiles.Png, "image/png")))));

        Assert.Equal(2, responses.Count(r => r.IsSuccessStatusCode));
        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(2, (await StoredAsync()).Files);
    }
}

/// <summary>Behind a trusted proxy: limits follow the forwarded client address, and per-account limits hold across addresses.</summary>
[Collection(FloodCollection.Name)]
public sealed class ProxiedRateLimitTests : ChatTestBase
{
    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = RateLimitTests.LowLimits(("ChatDesk:KnownProxies", "127.0.0.1")),
    };

    private async Task<HttpResponseMessage> LoginFromAsync(HttpClient client, string address, string email)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { email, password = "guess" }) };
        request.Headers.Add("X-Forwarded-For", address);
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task One_accounts_password_cannot_be_tried_faster_by_spreading_attempts_over_many_addresses()
    {
        using var client = await RateLimitTests.LoginPageClientAsync(Host);

        var responses = await SecurityAssertions.WhileHealthAnswersQuicklyAsync(Host, async () =>
        {
            var all = new List<HttpResponseMessage>();
            for (var i = 0; i < 10; i++)
                all.Add(await LoginFromAsync(client, $"198.51.100.{i + 1}", TestApi.ChloeEmail));
            return all;
        });

        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Unauthorized));
        Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.TooManyRequests));
        Assert.Equal(3, await CountAsync(db => db.Users.Where(u => u.Email == TestApi.ChloeEmail).Select(u => u.AccessFailedCount).SingleAsync()));
        // Another account from a fresh address is still served.
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginFromAsync(client, "198.51.100.200", TestApi.BobEmail)).StatusCode);
    }

    [Fact]
    public async Task Each_forwarded_client_address_has_its_own_widget_session_allowance()
    {
        using var client = TestApi.CreateClient(Host);
        async Task<HttpStatusCode> SessionFromAsync(string address)
        {
            using var request = RateLimitTests.SessionRequest(Host, address);
            request.Headers.AcceptLanguage.ParseAdd("fr-FR");
            var response = await client.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
                Assert.Contains("Trop de demandes", await response.Content.ReadAsStringAsync());
            return response.StatusCode;
        }

        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.OK, await SessionFromAsync("192.0.2.10"));
        Assert.Equal(HttpStatusCode.TooManyRequests, await SessionFromAsync("192.0.2.10"));
        Assert.Equal(HttpStatusCode.OK, await SessionFromAsync("192.0.2.11"));
    }
}
