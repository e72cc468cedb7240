using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server.Widget;
using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests.Widget;

public sealed class WidgetSessionTests : ChatTestBase
{
    private async Task<HttpResponseMessage> PostSessionAsync(object body)
    {
        using var client = TestApi.CreateClient(Host);
        return await client.PostAsJsonAsync("/api/widget/session", body);
    }

    [Fact]
    public async Task An_allowed_site_origin_gets_a_visitor_token_and_translated_topics()
    {
        var response = await PostSessionAsync(new { siteKey = "demo", hostOrigin = Host.DemoSiteOrigin, language = "fr" });
        var session = await response.Content.ReadFromJsonAsync<WidgetSessionResponse>(SignalRDriver.Json);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(session!.VisitorToken));
        Assert.Equal(["Facturation", "Support technique", "Ventes"], session.Site.Topics.Select(t => t.Label));
    }

    [Fact]
    public async Task A_returning_visitor_keeps_their_identity()
    {
        var first = await TestApi.CreateVisitorAsync(Host);
        var again = await TestApi.CreateVisitorAsync(Host, first.VisitorToken);
        Assert.Equal(first.VisitorId, again.VisitorId);
    }

    [Theory]
    [InlineData("demo", "http://evil.example", HttpStatusCode.Forbidden, "Origin not allowed")]
    [InlineData("demo", null, HttpStatusCode.Forbidden, "Origin not allowed")]
    [InlineData("nope", "http://127.0.0.1", HttpStatusCode.NotFound, "Unknown site")]
    [InlineData("", "http://127.0.0.1", HttpStatusCode.BadRequest, "A site key is required")]
    public async Task Bad_sites_and_origins_are_refused_with_a_problem(string siteKey, string? hostOrigin, HttpStatusCode status, string title)
    {
        var visitorsBefore = await CountAsync(db => Task.FromResult(db.Visitors.Count()));
        var response = await PostSessionAsync(new { siteKey, hostOrigin });

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(title, await response.Content.ReadAsStringAsync());
        Assert.Equal(visitorsBefore, await CountAsync(db => Task.FromResult(db.Visitors.Count())));
    }

    [Fact]
    public async Task A_forged_or_expired_token_is_refused_so_the_widget_starts_afresh()
    {
        var session = await TestApi.CreateVisitorAsync(Host);
        var forged = await PostSessionAsync(new { siteKey = "demo", hostOrigin = Host.DemoSiteOrigin, visitorToken = session.VisitorToken[..^4] + "AAAA" });
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);

        Host.Clock.Advance(TimeSpan.FromDays(30));
        var expired = await PostSessionAsync(new { siteKey = "demo", hostOrigin = Host.DemoSiteOrigin, visitorToken = session.VisitorToken });
        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Contains("expired", await expired.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_chat_frame_may_only_be_embedded_by_the_sites_allowed_origins()
    {
        using var client = TestApi.CreateClient(Host);
        var demo = await client.GetAsync("/widget/frame.html?site=demo");
        var unknown = await client.GetAsync("/widget/frame.html?site=unknown");

        Assert.EndsWith($"; frame-ancestors {Host.DemoSiteOrigin}", demo.Headers.GetValues("Content-Security-Policy").Single());
        Assert.EndsWith("; frame-ancestors 'none'", unknown.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task The_demo_page_embeds_the_widget_from_the_public_url()
    {
        using var client = TestApi.CreateClient(Host);
        var html = await client.GetStringAsync("/demo/");
        Assert.Contains($"<script src=\"{Host.ChatDeskOrigin}/widget/widget.js\" async data-site=\"demo\"></script>", html);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/demo/missing")).StatusCode);
    }
}
