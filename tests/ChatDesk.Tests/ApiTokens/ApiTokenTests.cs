using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.Events;
using ChatDesk.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatDesk.Tests.ApiTokens;

/// <summary>
/// API tokens end to end on a real server and database: created by an admin, used with Authorization: Bearer,
/// limited to their scopes, refused once revoked (on another node too), and never written to the logs.
/// </summary>
public sealed class ApiTokenTests : ChatTestBase
{
    private readonly CapturedLogs logs = new();

    // Every category down to Debug: the secret must not appear in anything the server could log.
    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Debug",
            ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Debug",
            ["Logging:Console:LogLevel:Default"] = "Warning", // captured here, not written to the test run's output
        },
        ConfigureServices = services => services.AddSingleton<ILoggerProvider>(logs),
    };

    [Fact]
    public async Task An_admin_creates_a_token_shown_once_stored_hashed_listed_without_its_secret_and_audited()
    {
        using var admin = await TestApi.AdminClientAsync(Host);

        var created = await CreateAsync(admin, "Reporting export", [ApiScopes.KpisRead, ApiScopes.ConversationsRead]);

        Assert.StartsWith("cdk_", created.Token);
        Assert.True(created.Token.Length >= 40);
        Assert.Equal([ApiScopes.ConversationsRead, ApiScopes.KpisRead], created.ApiToken.Scopes);
        var row = await Host.WithDbAsync(db => db.ApiTokens.SingleAsync());
        Assert.Equal(ApiToken.Hash(created.Token), row.TokenHash);
        var list = await admin.GetStringAsync("/api/admin/tokens");
        Assert.Contains("Reporting export", list);
        Assert.DoesNotContain(created.Token, list);
        Assert.DoesNotContain(created.Token, await Host.WithDbAsync(db => db.Events.Select(e => e.Data).ToListAsync()).ContinueWith(t => string.Join("\n", t.Result)));
        var audit = await Host.WithDbAsync(db => db.Events.Where(e => e.Type == AdminEventTypes.TokenCreated).ToListAsync());
        Assert.Contains(created.ApiToken.Id.ToString(), Assert.Single(audit).Data);
    }

    [Theory]
    [InlineData("""{"name":"","scopes":["kpis:read"]}""", "name")]
    [InlineData("""{"name":"x","scopes":[]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["people:write"]}""", "scopes")]
    [InlineData("""{"name":"x","scopes":["kpis:read"],"expiresAt":"2001-01-01T00:00:00Z"}""", "expiresAt")]
    public async Task A_bad_token_request_is_refused_by_field_and_creates_nothing(string body, string field)
    {
        using var admin = await TestApi.AdminClientAsync(Host);

        var response = await admin.PostAsync("/api/admin/tokens", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(0, await CountAsync(db => db.ApiTokens.CountAsync()));
    }

    /// <summary>Each endpoint opened to tokens: refused (403) without its scope, answered with it.</summary>
    public static TheoryData<string, string, string, string, HttpStatusCode> ScopedEndpoints => new()
    {
        { ApiScopes.KpisRead, "GET", "/api/kpis/", "", HttpStatusCode.OK },
        { ApiScopes.ConversationsRead, "GET", "/api/kpis/", "", HttpStatusCode.Forbidden },
        { ApiScopes.KpisRead, "GET", "/api/kpis/targets", "", HttpStatusCode.OK },
        { ApiScopes.KpisRead, "GET", "/api/kpis/conversations", "", HttpStatusCode.OK },
        { ApiScopes.KpisRead, "PUT", "/api/kpis/targets", "[]", HttpStatusCode.Forbidden },
        { ApiScopes.AnswersRead, "GET", "/api/answers/", "", HttpStatusCode.OK },
        { ApiScopes.AnswersWrite, "GET", "/api/answers/", "", HttpStatusCode.Forbidden },
        { ApiScopes.KpisRead, "GET", "/api/answers/", "", HttpStatusCode.Forbidden },
        { ApiScopes.AnswersWrite, "POST", "/api/answers/", """{"title":"Opening hours","shortcut":"hours","body":"9 to 5."}""", HttpStatusCode.Created },
        { ApiScopes.AnswersRead, "POST", "/api/answers/", """{"title":"Opening hours","shortcut":"hours","body":"9 to 5."}""", HttpStatusCode.Forbidden },
        { ApiScopes.AnswersWrite, "POST", "/api/answers/", """{"title":"Mine","shortcut":"mine","body":"Mine.","personal":true}""", HttpStatusCode.BadRequest },
        { ApiScopes.ConversationsRead, "GET", "/api/conversations", "", HttpStatusCode.OK },
        { ApiScopes.KpisRead, "GET", "/api/conversations", "", HttpStatusCode.Forbidden },
        { ApiScopes.MetricsRead, "GET", "/api/kpis/", "", HttpStatusCode.Forbidden },
    };

    [Theory]
    [MemberData(nameof(ScopedEndpoints))]
    public async Task A_token_reaches_an_endpoint_only_with_its_scope(string scope, string method, string path, string body, HttpStatusCode expected)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var token = (await CreateAsync(admin, "Integration", [scope])).Token;
        using var client = BearerClient(Host, token);

        using var response = await client.SendAsync(Request(method, path, body));

        Assert.Equal(expected, response.StatusCode);
    }

    /// <summary>What no scope grants: people, tokens, admin settings, one's account, the hubs.</summary>
    public static TheoryData<string, string, string> NeverForTokens => new()
    {
        { "GET", "/api/admin/people", "" },
        { "POST", "/api/admin/people", """{"email":"mallory@evil.example","displayName":"Mallory","roles":["admin"],"language":"en","password":"attacker-chosen-123"}""" },
        { "GET", "/api/admin/tokens", "" },
        { "POST", "/api/admin/tokens", """{"name":"More","scopes":["kpis:read"]}""" },
        { "POST", "/api/admin/skills", """{"key":"pwned","name":"Pwned"}""" },
        { "GET", "/api/admin/audit", "" },
        { "PUT", "/api/auth/me", """{"displayName":"Pwned","language":"fr"}""" },
        { "POST", "/api/auth/password", """{"currentPassword":"x","newPassword":"attacker-chosen-123"}""" },
        { "GET", "/api/answers/export.csv", "" },
        { "POST", "/api/answers/import", "title,shortcut,body\nPwned,pwned,Pwned\n" },
        { "POST", "/api/admin/kpis/rebuild", "{}" },
        { "POST", "/hubs/board/negotiate?negotiateVersion=1", "" },
    };

    [Theory]
    [MemberData(nameof(NeverForTokens))]
    public async Task A_token_with_every_scope_cannot_manage_people_tokens_settings_or_use_the_hubs(string method, string path, string body)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var token = (await CreateAsync(admin, "Everything", [.. ApiScopes.All])).Token;
        using var client = BearerClient(Host, token);
        var people = await CountAsync(db => db.Users.CountAsync());
        var tokens = await CountAsync(db => db.ApiTokens.CountAsync());

        using var response = await client.SendAsync(Request(method, path, body));

        Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Forbidden, HttpStatusCode.Unauthorized });
        Assert.Equal(people, await CountAsync(db => db.Users.CountAsync()));
        Assert.Equal(tokens, await CountAsync(db => db.ApiTokens.CountAsync()));
    }

    [Fact]
    public async Task The_operator_hub_does_not_accept_a_token()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var token = (await CreateAsync(admin, "Everything", [.. ApiScopes.All])).Token;
        using var client = BearerClient(Host, token);

        using var response = await client.PostAsync("/hubs/operator/negotiate?negotiateVersion=1", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_cookie_request_still_needs_the_antiforgery_header_while_a_token_request_does_not()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var token = (await CreateAsync(admin, "Library sync", [ApiScopes.AnswersWrite])).Token;
        admin.DefaultRequestHeaders.Remove("X-XSRF-TOKEN");
        using var bearer = BearerClient(Host, token);

        var byCookie = await admin.PostAsJsonAsync("/api/answers/", new { title = "By cookie", shortcut = "cookie", body = "Cookie." });
        var byToken = await bearer.PostAsJsonAsync("/api/answers/", new { title = "By token", shortcut = "token", body = "Token." });

        Assert.Equal(HttpStatusCode.BadRequest, byCookie.StatusCode);
        Assert.Contains("antiforgery", await byCookie.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, byToken.StatusCode);
        Assert.Equal(["By token"], await Host.WithDbAsync(db => db.Answers.Select(a => a.Title).ToListAsync()));
    }

    [Fact]
    public async Task A_request_with_a_token_is_judged_by_the_token_alone_even_beside_an_admin_cookie()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var token = (await CreateAsync(admin, "Read only", [ApiScopes.KpisRead])).Token;
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var people = await admin.GetAsync("/api/admin/people");
        var kpis = await admin.GetAsync("/api/kpis/");

        Assert.Equal(HttpStatusCode.Forbidden, people.StatusCode);
        Assert.Equal(HttpStatusCode.OK, kpis.StatusCode);
    }

    [Fact]
    public async Task A_token_revoked_on_one_node_is_refused_at_once_by_another()
    {
        var second = await StartAnotherNodeAsync();
        using var admin = await TestApi.AdminClientAsync(Host);
        var created = await CreateAsync(admin, "Dashboard", [ApiScopes.KpisRead]);
        using var onSecond = BearerClient(second, created.Token);
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/kpis/targets")).StatusCode);

        var revoked = await admin.PostAsync($"/api/admin/tokens/{created.ApiToken.Id}/revoke", null);

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        var refused = await onSecond.GetAsync("/api/kpis/targets");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Bearer", refused.Headers.WwwAuthenticate.ToString());
        var audit = await Host.WithDbAsync(db => db.Events.Where(e => e.Type == AdminEventTypes.TokenRevoked).Select(e => e.Data).ToListAsync());
        Assert.Contains(created.ApiToken.Id.ToString(), Assert.Single(audit));
        var listed = (await admin.GetFromJsonAsync<List<ApiTokenDto>>("/api/admin/tokens", SignalRDriver.Json))!.Single();
        Assert.NotNull(listed.RevokedAt);
        Assert.False(listed.Usable);
    }

    [Fact]
    public async Task An_expired_token_and_a_token_whose_owner_was_disabled_are_refused()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var expiring = await CreateAsync(admin, "Short lived", [ApiScopes.KpisRead], Host.Clock.GetUtcNow().AddHours(1));
        using var expiringClient = BearerClient(Host, expiring.Token);
        Assert.Equal(HttpStatusCode.OK, (await expiringClient.GetAsync("/api/kpis/targets")).StatusCode);
        Host.Clock.Advance(TimeSpan.FromHours(1));
        Assert.Equal(HttpStatusCode.Unauthorized, (await expiringClient.GetAsync("/api/kpis/targets")).StatusCode);

        // A second admin's token stops when that admin's account is disabled.
        var other = await admin.PostAsJsonAsync("/api/admin/people",
            new { email = "ada@chatdesk.local", displayName = "Ada", roles = new[] { "admin" }, language = "en", password = "ada-admin-pass-1" });
        other.EnsureSuccessStatusCode();
        var adaId = JsonDocument.Parse(await other.Content.ReadAsStringAsync()).RootElement.GetProperty("person").GetProperty("id").GetString();
        using var ada = await TestApi.SignedInClientAsync(Host, "ada@chatdesk.local", "ada-admin-pass-1");
        var adas = await CreateAsync(ada, "Ada's", [ApiScopes.KpisRead]);
        using var adasClient = BearerClient(Host, adas.Token);
        Assert.Equal(HttpStatusCode.OK, (await adasClient.GetAsync("/api/kpis/targets")).StatusCode);
        (await admin.PostAsync($"/api/admin/people/{adaId}/disable", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await adasClient.GetAsync("/api/kpis/targets")).StatusCode);
    }

    [Fact]
    public async Task A_token_that_is_unknown_or_malformed_is_refused()
    {
        using var unknown = BearerClient(Host, ApiToken.NewSecret());
        using var malformed = BearerClient(Host, "cdk_" + new string('a', 200));

        Assert.Equal(HttpStatusCode.Unauthorized, (await unknown.GetAsync("/api/kpis/targets")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await malformed.GetAsync("/api/kpis/targets")).StatusCode);
    }

    [Fact]
    public async Task Last_use_is_recorded_at_most_once_a_minute()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var created = await CreateAsync(admin, "Poller", [ApiScopes.KpisRead]);
        using var client = BearerClient(Host, created.Token);
        Task<DateTimeOffset?> LastUsed() => Host.WithDbAsync(db => db.ApiTokens.Select(t => t.LastUsedAt).SingleAsync());

        await client.GetAsync("/api/kpis/targets");
        var first = await LastUsed();
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        await client.GetAsync("/api/kpis/targets");
        var withinTheMinute = await LastUsed();
        Host.Clock.Advance(TimeSpan.FromSeconds(31));
        await client.GetAsync("/api/kpis/targets");

        Assert.NotNull(first);
        Assert.Equal(first, withinTheMinute);
        Assert.Equal(first + TimeSpan.FromSeconds(61), await LastUsed());
    }

    [Fact]
    public async Task Token_use_is_attributed_in_the_logs_by_id_and_name_and_the_secret_never_appears()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var created = await CreateAsync(admin, "Warehouse sync", [ApiScopes.KpisRead]);
        using var client = BearerClient(Host, created.Token);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/kpis/targets")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/answers/")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/admin/people")).StatusCode);
        (await admin.PostAsync($"/api/admin/tokens/{created.ApiToken.Id}/revoke", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/kpis/targets")).StatusCode);

        var lines = logs.Lines.Select(l => l.Text).ToList();
        Assert.True(lines.Count > 20, $"Only {lines.Count} log lines captured.");
        Assert.DoesNotContain(lines, line => line.Contains(created.Token, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, line => line.Contains(created.Token[4..], StringComparison.Ordinal));
        var attributed = lines.Where(l => l.Contains(created.ApiToken.Id.ToString()) && l.Contains("Warehouse sync")).ToList();
        Assert.Contains(attributed, l => l.Contains("GET /api/kpis/targets") && l.Contains("authenticated"));
        Assert.Contains(attributed, l => l.Contains("revoked"));
    }

    [Theory]
    [InlineData("token", ApiScopes.MetricsRead, true)]
    [InlineData("token", ApiScopes.KpisRead, false)]
    [InlineData("cookie", "Admin", true)]
    [InlineData("cookie", "Manager", false)]
    public async Task The_metrics_policy_takes_an_admin_or_a_token_with_metrics_read(string kind, string roleOrScope, bool allowed)
    {
        var identity = kind == "token"
            ? new ClaimsIdentity([new Claim(ApiScopes.ScopeClaim, roleOrScope)], ApiTokenAuthentication.SchemeName, ClaimTypes.Name, "chatdesk:no_roles")
            : new ClaimsIdentity([new Claim(ClaimTypes.Role, roleOrScope)], IdentityConstants.ApplicationScheme);
        var authorization = Host.Services.GetRequiredService<IAuthorizationService>();

        var result = await authorization.AuthorizeAsync(new ClaimsPrincipal(identity), ApiPolicies.MetricsRead);

        Assert.Equal(allowed, result.Succeeded);
    }

    internal static async Task<CreatedApiToken> CreateAsync(HttpClient admin, string name, string[] scopes, DateTimeOffset? expiresAt = null)
    {
        var response = await admin.PostAsJsonAsync("/api/admin/tokens", new { name, scopes, expiresAt });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<CreatedApiToken>(SignalRDriver.Json))!;
    }

    /// <summary>An integration's client: no cookie jar, the token in the Authorization header.</summary>
    internal static HttpClient BearerClient(ChatDeskTestHost host, string token)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = new Uri(host.BaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static HttpRequestMessage Request(string method, string path, string body)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method != "GET")
            request.Content = new StringContent(body, System.Text.Encoding.UTF8, body.StartsWith('{') || body.StartsWith('[') ? "application/json" : "text/plain");
        return request;
    }
}
