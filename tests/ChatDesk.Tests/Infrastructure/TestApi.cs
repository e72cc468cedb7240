using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Widget;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>HTTP steps that many tests share: logging an operator in, opening a visitor session.</summary>
public static class TestApi
{
    public const string AliceEmail = "alice@chatdesk.local";
    public const string AlicePassword = "alice-demo-pass";
    public const string BobEmail = "bob@chatdesk.local";
    public const string BobPassword = "bob-demo-pass";
    public const string ChloeEmail = "chloe@chatdesk.local";
    public const string ChloePassword = "chloe-demo-pass";

    /// <summary>
    /// Settings for tests that stream hundreds of messages from one visitor as fast as they can: far above the
    /// visitor's abuse limit, which is not what they test (tests/ChatDesk.Tests/Security does).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string?> NoVisitorMessageLimit =
        new Dictionary<string, string?> { ["ChatDesk:RateLimits:VisitorMessages:Burst"] = "100000" };

    public static HttpClient CreateClient(ChatDeskTestHost host, CookieContainer? cookies = null) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), UseCookies = true, AllowAutoRedirect = false })
        {
            BaseAddress = new Uri(host.BaseUrl),
        };

    /// <summary>Logs in through the console's endpoints (antiforgery included) and returns the Cookie header value.</summary>
    public static async Task<string> LoginAsync(ChatDeskTestHost host, string email, string password)
    {
        var cookies = new CookieContainer();
        using var client = CreateClient(host, cookies);
        var response = await LoginWithClientAsync(client, cookies, email, password);
        response.EnsureSuccessStatusCode();
        return cookies.GetCookieHeader(new Uri(host.BaseUrl));
    }

    public static async Task<HttpResponseMessage> LoginWithClientAsync(HttpClient client, CookieContainer cookies, string email, string password)
    {
        await client.GetAsync("/api/auth/me");
        var xsrf = cookies.GetCookies(client.BaseAddress!)["XSRF-TOKEN"]!.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add("X-XSRF-TOKEN", xsrf);
        return await client.SendAsync(request);
    }

    /// <summary>An HTTP client signed in as that user, sending the antiforgery header on every request.</summary>
    public static async Task<HttpClient> SignedInClientAsync(ChatDeskTestHost host, string email, string password)
    {
        var cookies = new CookieContainer();
        var client = CreateClient(host, cookies);
        (await LoginWithClientAsync(client, cookies, email, password)).EnsureSuccessStatusCode();
        await client.GetAsync("/api/auth/me"); // fresh antiforgery token for the signed-in user
        client.DefaultRequestHeaders.Add("X-XSRF-TOKEN", cookies.GetCookies(client.BaseAddress!)["XSRF-TOKEN"]!.Value);
        return client;
    }

    public static Task<HttpClient> AdminClientAsync(ChatDeskTestHost host) => SignedInClientAsync(host, "admin@chatdesk.local", "admin-demo-pass");

    public static async Task<WidgetSessionResponse> CreateVisitorAsync(ChatDeskTestHost host, string? visitorToken = null)
    {
        using var client = CreateClient(host);
        var response = await client.PostAsJsonAsync("/api/widget/session",
            new { siteKey = "demo", hostOrigin = host.DemoSiteOrigin, visitorToken, language = "en" });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<WidgetSessionResponse>(SignalRDriver.Json))!;
    }

    public static StartChatRequest ChatRequest(string name = "Vera Visitor", string topic = "billing") =>
        new(name, "vera@example.com", topic, "https://shop.example/cart", "Cart", "en", "Europe/Paris");

    public static SendMessageRequest Message(string text, Guid? clientMessageId = null) =>
        new((clientMessageId ?? Guid.NewGuid()).ToString(), text);
}
