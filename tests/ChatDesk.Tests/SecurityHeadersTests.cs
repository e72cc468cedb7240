using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests;

public sealed class SecurityHeadersTests : ChatTestBase
{
    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?> { ["ChatDesk:PublicUrl"] = "https://chat.example.com", ["ChatDesk:KnownProxies"] = "127.0.0.1" },
    };

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    [Fact]
    public async Task The_console_cannot_be_framed_the_widget_frame_can_by_its_sites_and_every_answer_forbids_sniffing()
    {
        using var client = TestApi.CreateClient(Host);
        var console = await client.GetAsync("/console/");
        Assert.Equal("DENY", Header(console, "X-Frame-Options"));
        Assert.Contains("; frame-ancestors 'none'", Header(console, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(console, "X-Content-Type-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(console, "Referrer-Policy"));

        var frame = await client.GetAsync("/widget/frame.html?site=demo");
        Assert.Null(Header(frame, "X-Frame-Options"));
        Assert.EndsWith($"; frame-ancestors {Host.DemoSiteOrigin}", Header(frame, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(await client.GetAsync("/api/auth/me"), "X-Content-Type-Options"));
    }

    [Fact]
    public async Task Behind_TLS_responses_carry_HSTS_and_with_an_https_public_url_the_cookies_are_secure_even_on_an_http_hop()
    {
        using var client = TestApi.CreateClient(Host);
        using var overTls = new HttpRequestMessage(HttpMethod.Get, "/healthz");
        overTls.Headers.Add("X-Forwarded-Proto", "https");
        Assert.Equal("max-age=31536000", Header(await client.SendAsync(overTls), "Strict-Transport-Security"));
        Assert.Null(Header(await client.GetAsync("/healthz"), "Strict-Transport-Security"));

        // No cookie jar: it would keep Secure cookies away from an http request, and the test reads them raw.
        using var raw = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(Host.BaseUrl) };
        var onHttpHop = (await raw.GetAsync("/api/auth/me")).Headers.GetValues("Set-Cookie").ToList();
        Assert.Contains("secure", onHttpHop.Single(c => c.StartsWith("XSRF-TOKEN=", StringComparison.Ordinal)), StringComparison.OrdinalIgnoreCase);
        using var forwarded = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
        forwarded.Headers.Add("X-Forwarded-Proto", "https");
        var behindTls = (await raw.SendAsync(forwarded)).Headers.GetValues("Set-Cookie").ToList();
        Assert.Equal(["XSRF-TOKEN", "chatdesk.af"], behindTls.Select(c => c[..c.IndexOf('=')]).Order(StringComparer.Ordinal));
        Assert.All(behindTls, cookie => Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase));
    }
}
