using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ChatDesk.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatDesk.Tests.Security;

/// <summary>
/// The REST API under attack: cross-site request forgery on every state-changing endpoint, privilege escalation
/// (operator on manager and admin endpoints, manager on admin ones), and injection in every filter and search.
/// Each case asserts the refusal and that no table changed. Ids in paths ({alice}, {skill}…) are real objects,
/// so an attack that got through would show in the database.
/// </summary>
public sealed class HttpAttackTests : ChatTestBase
{
    private const string ManagerEmail = "manager@chatdesk.local";
    private const string ManagerPassword = "manager-demo-pass";

    /// <summary>Every state-changing endpoint that a cookie (or nothing) authenticates, with a body that would do harm.</summary>
    public static TheoryData<string, string, string, string> StateChanging => new()
    {
        { "POST", "/api/auth/login", "anonymous", """{"email":"alice@chatdesk.local","password":"alice-demo-pass"}""" },
        { "POST", "/api/auth/logout", "alice", "{}" },
        { "PUT", "/api/auth/me", "alice", """{"displayName":"Pwned","language":"fr"}""" },
        { "POST", "/api/auth/password", "alice", """{"currentPassword":"alice-demo-pass","newPassword":"attacker-chosen-123"}""" },
        { "POST", "/api/auth/invitations/lookup", "anonymous", """{"token":"x"}""" },
        { "POST", "/api/auth/invitations/accept", "anonymous", """{"token":"x","password":"attacker-chosen-123","displayName":"Mallory"}""" },
        { "POST", "/api/admin/people", "admin", """{"email":"mallory@evil.example","displayName":"Mallory","roles":["admin"],"language":"en","password":"attacker-chosen-123"}""" },
        { "PUT", "/api/admin/people/{alice}", "admin", """{"displayName":"Pwned","roles":["admin"],"language":"en"}""" },
        { "POST", "/api/admin/people/{alice}/disable", "admin", "{}" },
        { "POST", "/api/admin/people/{alice}/enable", "admin", "{}" },
        { "POST", "/api/admin/people/{alice}/invitation", "admin", "{}" },
        { "POST", "/api/admin/tokens", "admin", """{"name":"Pwned","scopes":["kpis:read","conversations:read"]}""" },
        { "POST", "/api/admin/tokens/{token}/revoke", "admin", "{}" },
        { "POST", "/api/answers/", "alice", """{"title":"Pwned","shortcut":"pwned","body":"Pwned"}""" },
        { "PUT", "/api/answers/{answer}", "admin", """{"title":"Pwned","shortcut":"pwned","body":"Pwned"}""" },
        { "POST", "/api/answers/{answer}/retire", "admin", "{}" },
        { "POST", "/api/answers/{answer}/restore", "admin", "{}" },
        { "POST", "/api/answers/import", "admin", "title,shortcut,body\nPwned,pwned,Pwned\n" },
        { "PUT", "/api/kpis/targets", "admin", """[{"kpi":"csat","value":1,"direction":"above","period":"day"}]""" },
        { "POST", "/api/admin/kpis/rebuild", "admin", "{}" },
        { "POST", "/api/files/conversations/{conversation}?name=pwned.txt", "alice", "pwned" },
        { "POST", "/api/admin/skills", "admin", """{"key":"pwned","name":"Pwned"}""" },
        { "PUT", "/api/admin/skills/{skill}", "admin", """{"name":"Pwned"}""" },
        { "POST", "/api/admin/skills/{skill}/retire", "admin", "{}" },
        { "POST", "/api/admin/skills/{skill}/restore", "admin", "{}" },
        { "PUT", "/api/admin/operators/{alice}/routing", "admin", """{"maxConcurrentChats":50,"skills":[]}""" },
        { "PUT", "/api/admin/sites/demo/routing", "admin", """{"offerMode":true,"ringTimeoutSeconds":5,"routeByLanguage":false,"pageRules":[],"topicPriorities":{}}""" },
        { "POST", "/api/admin/privacy/visitors/{visitor}/erase", "admin", "{}" },
        { "POST", "/api/admin/sites", "admin", """{"key":"evil","name":"Evil","allowedOrigins":["https://evil.example"],"timeZone":"UTC","languages":["en"],"topics":[]}""" },
        { "PUT", "/api/admin/sites/demo", "admin", """{"name":"Pwned","allowedOrigins":["https://evil.example"],"timeZone":"UTC","languages":["en"],"disabled":true,"missWhenOnlyAway":false}""" },
        { "POST", "/api/admin/webhooks", "admin", """{"site":"demo","url":"https://evil.example/hook","events":["message.sent"],"enabled":true}""" },
        { "PUT", "/api/admin/webhooks/{webhook}", "admin", """{"url":"https://evil.example/hook","events":["message.sent"],"enabled":true,"version":"1"}""" },
        { "DELETE", "/api/admin/webhooks/{webhook}", "admin", "" },
        { "POST", "/api/admin/webhooks/{webhook}/secret", "admin", "{}" },
        { "POST", "/api/admin/webhooks/deliveries/{delivery}/replay", "admin", "{}" },
        { "PUT", "/api/admin/email/sites/demo", "admin", """{"inboxEmail":"mallory@evil.example","version":"1"}""" },
    };

    /// <summary>Anonymous by design: a widget session takes no cookie, so a forged one gains nothing a visitor could not.</summary>
    private static readonly string[] NoAmbientCredentials = ["POST /api/widget/session"];

    private readonly Dictionary<string, string> ids = [];

    [Theory]
    [MemberData(nameof(StateChanging))]
    public async Task A_cross_site_request_without_the_antiforgery_token_is_refused_and_changes_nothing(string method, string path, string user, string body)
    {
        using var client = await CookieOnlyClientAsync(user);
        await AssertRefusedAsync(client, method, path, body, HttpStatusCode.BadRequest, "antiforgery");
    }

    [Fact]
    public void The_forgery_cases_cover_every_state_changing_endpoint_that_takes_a_cookie()
    {
        var listed = StateChanging.Select(row => $"{row[0]} {Template((string)row[1])}").ToHashSet();
        var endpoints = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/hubs", StringComparison.Ordinal))
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.Authorization.IAuthorizeData>()?.Policy != Server.Identity.VisitorAuthentication.Policy)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m is not ("GET" or "HEAD"))
                .Select(m => $"{m} {Template(e.RoutePattern.RawText!)}"))
            .Except(NoAmbientCredentials)
            .ToList();

        Assert.True(endpoints.Count >= 25, $"Only {endpoints.Count} endpoints found.");
        var missing = endpoints.Where(e => !listed.Contains(e)).ToList();
        Assert.True(missing.Count == 0, $"No forgery case for: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task The_login_and_antiforgery_cookies_are_never_sent_by_a_cross_site_request_and_the_login_one_is_out_of_scripts_reach()
    {
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(Host.BaseUrl) };
        var page = await client.GetAsync("/api/auth/me");
        var xsrf = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("XSRF-TOKEN=", StringComparison.Ordinal));
        using var login = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { email = TestApi.AliceEmail, password = TestApi.AlicePassword }),
        };
        login.Headers.Add("Cookie", string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
        login.Headers.Add("X-XSRF-TOKEN", xsrf.Split(';')[0]["XSRF-TOKEN=".Length..]);
        var auth = (await client.SendAsync(login)).Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("chatdesk.auth=", StringComparison.Ordinal));

        Assert.Contains("samesite=strict", xsrf, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", auth, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", auth, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Who tries what: each row is an operator or a manager reaching above their role.</summary>
    public static TheoryData<string, string, string, string> AboveTheirRole => new()
    {
        { "alice", "POST", "/api/admin/people", """{"email":"mallory@evil.example","displayName":"Mallory","roles":["admin"],"language":"en","password":"attacker-chosen-123"}""" },
        { "alice", "PUT", "/api/admin/people/{alice}", """{"displayName":"Alice","roles":["operator","admin"],"language":"en"}""" },
        { "alice", "POST", "/api/admin/people/{bob}/disable", "{}" },
        { "alice", "PUT", "/api/admin/operators/{alice}/routing", """{"maxConcurrentChats":50,"skills":[]}""" },
        { "alice", "PUT", "/api/admin/sites/demo", """{"name":"Pwned","allowedOrigins":["https://evil.example"],"timeZone":"UTC","languages":["en"],"disabled":false,"missWhenOnlyAway":false}""" },
        { "alice", "POST", "/api/admin/skills", """{"key":"pwned","name":"Pwned"}""" },
        { "alice", "POST", "/api/admin/privacy/visitors/{visitor}/erase", "{}" },
        { "alice", "GET", "/api/admin/privacy/visitors/{visitor}/export", "" },
        { "alice", "GET", "/api/admin/audit", "" },
        { "alice", "GET", "/api/admin/people", "" },
        { "alice", "POST", "/api/admin/tokens", """{"name":"Pwned","scopes":["conversations:read"]}""" },
        { "alice", "POST", "/api/admin/tokens/{token}/revoke", "{}" },
        { "manager", "POST", "/api/admin/tokens", """{"name":"Pwned","scopes":["kpis:read"]}""" },
        { "manager", "GET", "/api/admin/tokens", "" },
        { "alice", "GET", "/api/answers/export.csv", "" },
        { "alice", "POST", "/api/answers/import", "title,shortcut,body\nPwned,pwned,Pwned\n" },
        { "alice", "POST", "/api/admin/kpis/rebuild", "{}" },
        { "alice", "PUT", "/api/kpis/targets", """[{"kpi":"csat","value":1,"direction":"above","period":"day"}]""" },
        { "manager", "PUT", "/api/admin/people/{manager}", """{"displayName":"Max","roles":["manager","admin"],"language":"en"}""" },
        { "manager", "POST", "/api/admin/people/{alice}/disable", "{}" },
        { "manager", "PUT", "/api/admin/sites/demo", """{"name":"Pwned","allowedOrigins":["https://evil.example"],"timeZone":"UTC","languages":["en"],"disabled":false,"missWhenOnlyAway":false}""" },
        { "manager", "POST", "/api/admin/privacy/visitors/{visitor}/erase", "{}" },
        { "manager", "GET", "/api/admin/audit", "" },
        { "manager", "POST", "/api/answers/", """{"title":"Pwned","shortcut":"pwned","body":"Pwned"}""" },
        { "alice", "POST", "/api/admin/webhooks", """{"site":"demo","url":"https://evil.example/hook","events":["message.sent"],"enabled":true}""" },
        { "manager", "GET", "/api/admin/webhooks/{webhook}/deliveries", "" },
        { "manager", "POST", "/api/admin/webhooks/{webhook}/secret", "{}" },
        { "alice", "PUT", "/api/admin/email/sites/demo", """{"inboxEmail":"mallory@evil.example","version":"1"}""" },
    };

    [Theory]
    [MemberData(nameof(AboveTheirRole))]
    public async Task A_role_cannot_reach_the_endpoints_of_a_higher_one_and_nothing_changes(string user, string method, string path, string body)
    {
        using var client = await SignedInAsync(user);
        await AssertRefusedAsync(client, method, path, body, HttpStatusCode.Forbidden);
    }

    /// <summary>Search and filter values that would widen a query if they reached SQL or LIKE as code; expected: a refusal (400) or no match (0 rows).</summary>
    public static TheoryData<string, string, int> Injections => new()
    {
        { "admin", "/api/admin/people?search=%25", 0 },
        { "admin", "/api/admin/people?search=_", 0 },
        { "admin", "/api/admin/people?search=%27%20OR%20%271%27%3D%271", 0 },
        { "admin", "/api/admin/people?search=%5C", 0 },
        { "alice", "/api/answers/?q=%25", 0 },
        { "alice", "/api/answers/?q=%27)%20OR%201%3D1%20--", 0 },
        { "admin", "/api/admin/audit?actor=%27%20OR%20%271%27%3D%271", 0 },
        { "admin", "/api/admin/audit?target=%22%7D%7D%2C%7B%22x%22%3A%22", 0 },
        { "admin", "/api/admin/audit?type=admin%25", 400 },
        { "admin", "/api/admin/audit?before=1%20OR%201%3D1", 400 },
        { "admin", "/api/kpis/?site=demo%27%20OR%201%3D1--", 400 },
        { "admin", "/api/kpis/?skill=%25", 400 },
        { "admin", "/api/kpis/conversations?kpi=frt%27%3B%20DROP%20TABLE%20messages%3B--", 400 },
        { "admin", "/api/kpis/trend?kpi=csat)%20OR%20(1%3D1", 400 },
        { "admin", "/api/admin/privacy/visitors?email=%25%40example.com", 0 },
        { "admin", "/api/conversations?q=%25", 0 },
        { "admin", "/api/conversations?q=zz%27%3B%20DROP%20TABLE%20messages%3B%20--", 0 },
        { "admin", "/api/conversations?site=demo%27%20OR%201%3D1--", 400 },
        { "admin", "/api/conversations?operator=%27%20OR%20%271%27%3D%271", 400 },
        { "admin", "/api/conversations?cursor=%27%20OR%201%3D1--", 400 },
        { "alice", "/api/conversations?status=ended%27%20OR%201%3D1--", 400 },
    };

    [Theory]
    [MemberData(nameof(Injections))]
    public async Task Injection_in_a_filter_or_search_matches_nothing_or_is_refused_and_changes_nothing(string user, string path, int expected)
    {
        using var client = await SignedInAsync(user);
        await ResolveAsync("{conversation}{answer}"); // data a widened query would return
        using (var admin = await SignedInAsync("admin")) // an admin event for the audit filters to widen to
            (await admin.PostAsJsonAsync("/api/admin/skills", new { key = "injection-bait", name = "Bait" })).EnsureSuccessStatusCode();
        var before = await SecurityAssertions.FingerprintAsync(Host);

        using var response = await client.GetAsync(path);

        var text = await response.Content.ReadAsStringAsync();
        if (expected == 400)
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        else
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = JsonDocument.Parse(text).RootElement;
            var rows = json.ValueKind == JsonValueKind.Array ? json : json.TryGetProperty("entries", out var entries) ? entries : json.GetProperty("conversations");
            Assert.Equal(expected, rows.GetArrayLength());
        }
        await SecurityAssertions.AssertUnchangedAsync(Host, before);
    }

    private static string Template(string path) => path.Split('?')[0].TrimEnd('/') is var trimmed && trimmed.Length > 0
        ? System.Text.RegularExpressions.Regex.Replace(trimmed, @"\{[^}]+\}", "{}").Replace("/sites/demo", "/sites/{}", StringComparison.Ordinal)
        : "/";

    /// <summary>Sends the attack on real objects, then checks the refusal and that no table changed.</summary>
    private async Task AssertRefusedAsync(HttpClient client, string method, string path, string body, HttpStatusCode status, string? saying = null)
    {
        var target = await ResolveAsync(path);
        var before = await SecurityAssertions.FingerprintAsync(Host);

        using var response = await client.SendAsync(Request(method, target, body));

        Assert.Equal(status, response.StatusCode);
        if (saying is not null)
            Assert.Contains(saying, await response.Content.ReadAsStringAsync());
        await SecurityAssertions.AssertUnchangedAsync(Host, before);
    }

    private static HttpRequestMessage Request(string method, string path, string body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
            request.Content = new StringContent(body, Encoding.UTF8, body.StartsWith('{') || body.StartsWith('[') ? "application/json" : "text/plain");
        return request;
    }

    /// <summary>What a foreign page's form or fetch carries: the victim's cookies (the XSRF cookie included), never the header.</summary>
    private async Task<HttpClient> CookieOnlyClientAsync(string user)
    {
        if (user == "anonymous")
        {
            var client = TestApi.CreateClient(Host);
            await client.GetAsync("/api/auth/me");
            return client;
        }
        var signedIn = await SignedInAsync(user);
        signedIn.DefaultRequestHeaders.Remove("X-XSRF-TOKEN");
        return signedIn;
    }

    private Task<HttpClient> SignedInAsync(string user) => user switch
    {
        "admin" => TestApi.AdminClientAsync(Host),
        "manager" => TestApi.SignedInClientAsync(Host, ManagerEmail, ManagerPassword),
        "alice" => TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword),
        _ => throw new ArgumentOutOfRangeException(nameof(user)),
    };

    /// <summary>Replaces {alice}, {bob}, {manager}, {skill}, {answer}, {token}, {visitor} and {conversation} with real ids, creating what is needed.</summary>
    private async Task<string> ResolveAsync(string path)
    {
        foreach (var email in new[] { ("alice", TestApi.AliceEmail), ("bob", TestApi.BobEmail), ("manager", ManagerEmail) })
            if (path.Contains($"{{{email.Item1}}}"))
                path = path.Replace($"{{{email.Item1}}}", await Host.WithDbAsync(db => db.Users.Where(u => u.Email == email.Item2).Select(u => u.Id).SingleAsync()));
        if (path.Contains("{skill}"))
            path = path.Replace("{skill}", (await Host.WithDbAsync(db => db.Skills.Select(s => s.Id).FirstAsync())).ToString());
        if (path.Contains("{webhook}") || path.Contains("{delivery}"))
        {
            if (!ids.ContainsKey("webhook"))
            {
                // Disabled, with one failed delivery: nothing is queued or sent while the attack runs.
                var webhook = new Server.Webhooks.WebhookSubscription
                {
                    Id = Guid.NewGuid(), SiteId = await Host.WithDbAsync(db => db.Sites.Where(s => s.Key == "demo").Select(s => s.Id).SingleAsync()),
                    Url = "https://example.com/hook", Secret = Server.Webhooks.WebhookSignature.NewSecret(), EventKinds = ["chat.ended"], Enabled = false,
                    CreatedAt = Host.Clock.GetUtcNow(),
                };
                var delivery = new Server.Webhooks.OutboxItem
                {
                    Id = Guid.NewGuid(), Channel = Server.Webhooks.OutboxChannels.Webhook, Kind = "chat.ended", SubscriptionId = webhook.Id, Payload = "{}",
                    Status = Server.Webhooks.OutboxStatus.Failed, Attempts = 8, CreatedAt = Host.Clock.GetUtcNow(), NextAttemptAt = Host.Clock.GetUtcNow(),
                };
                await Host.WithDbAsync(db =>
                {
                    db.WebhookSubscriptions.Add(webhook);
                    db.Outbox.Add(delivery);
                    return db.SaveChangesAsync();
                });
                (ids["webhook"], ids["delivery"]) = (webhook.Id.ToString(), delivery.Id.ToString());
            }
            path = path.Replace("{webhook}", ids["webhook"]).Replace("{delivery}", ids["delivery"]);
        }
        if (path.Contains("{answer}"))
        {
            if (!ids.ContainsKey("answer"))
            {
                using var admin = await TestApi.AdminClientAsync(Host);
                var created = await admin.PostAsJsonAsync("/api/answers/", new { title = "Refund policy", shortcut = "refund", body = "Refunds take 5 days." });
                ids["answer"] = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            }
            path = path.Replace("{answer}", ids["answer"]);
        }
        if (path.Contains("{token}"))
        {
            if (!ids.ContainsKey("token"))
            {
                using var admin = await TestApi.AdminClientAsync(Host);
                var created = await admin.PostAsJsonAsync("/api/admin/tokens", new { name = "Integration", scopes = new[] { "kpis:read" } });
                ids["token"] = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("apiToken").GetProperty("id").GetString()!;
            }
            path = path.Replace("{token}", ids["token"]);
        }
        if (path.Contains("{visitor}") || path.Contains("{conversation}"))
        {
            if (!ids.ContainsKey("conversation"))
            {
                await OperatorOnlineAsync("alice-hub", TestApi.AliceEmail, TestApi.AlicePassword);
                var (session, conversation) = await StartVisitorChatAsync("visitor");
                (ids["visitor"], ids["conversation"]) = (session.VisitorId.ToString(), conversation.ConversationId.ToString());
            }
            path = path.Replace("{visitor}", ids["visitor"]).Replace("{conversation}", ids["conversation"]);
        }
        return path;
    }
}
