using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Routing;
using ChatDesk.Server.Widget;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Widget;

public sealed class SiteAdminTests : ChatTestBase
{
    private const string ShopOrigin = "https://shop.example";

    private static object NewSite(string key = "shop", string origin = ShopOrigin, string skill = "billing") => new
    {
        key, name = "The Shop", allowedOrigins = new[] { origin }, timeZone = "Europe/Paris", languages = new[] { "fr", "en" },
        topics = new[] { new { key = "orders", labelEn = "Orders", labelFr = "Commandes", skill, priority = 0 } },
    };

    private async Task<HttpResponseMessage> WidgetSessionAsync(string siteKey, string origin, string language = "en")
    {
        using var client = TestApi.CreateClient(Host);
        return await client.PostAsJsonAsync("/api/widget/session", new { siteKey, hostOrigin = origin, language });
    }

    private Task<string> SitesFingerprintAsync() => Host.WithDbAsync(async db =>
        JsonSerializer.Serialize(new
        {
            sites = await db.Sites.AsNoTracking().OrderBy(s => s.Key).Select(s => new { s.Key, s.Name, s.AllowedOrigins, s.Version, s.DisabledAt }).ToListAsync(),
            topics = await db.SiteTopics.AsNoTracking().OrderBy(t => t.Key).Select(t => new { t.Key, t.LabelEn, t.SkillId }).ToListAsync(),
            audit = await db.Events.CountAsync(e => e.Type.StartsWith("admin.")),
        }));

    [Fact]
    public async Task An_admin_creates_a_site_whose_origin_then_opens_chats_in_its_languages_with_its_topics()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var created = await admin.PostAsJsonAsync("/api/admin/sites", NewSite());
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var site = (await created.Content.ReadFromJsonAsync<SiteAdminDto>(SignalRDriver.Json))!;
        Assert.Equal($"<script src=\"{Host.ChatDeskOrigin}/widget/widget.js\" async data-site=\"shop\"></script>", site.Snippet);
        Assert.Equal(["fr", "en"], site.Languages);

        var session = (await (await WidgetSessionAsync("shop", ShopOrigin, "fr")).Content.ReadFromJsonAsync<WidgetSessionResponse>(SignalRDriver.Json))!;
        Assert.Equal([new TopicDto("orders", "Commandes")], session.Site.Topics);
        Assert.Equal((false, "fr,en"), (session.Site.Closed, string.Join(",", session.Site.Languages)));
        Assert.Equal(HttpStatusCode.Forbidden, (await WidgetSessionAsync("shop", "https://evil.example")).StatusCode);

        var frame = await TestApi.CreateClient(Host).GetAsync("/widget/frame.html?site=shop");
        Assert.Contains($"frame-ancestors {ShopOrigin}", frame.Headers.GetValues("Content-Security-Policy").Single());

        var audit = await Host.WithDbAsync(db => db.Events.SingleAsync(e => e.Type == AdminEventTypes.SiteCreated));
        Assert.Equal("orders", JsonDocument.Parse(audit.Data).RootElement.GetProperty("after").GetProperty("topics")[0].GetProperty("key").GetString());
    }

    [Fact]
    public async Task Editing_a_site_keeps_topic_ids_by_key_and_a_stale_version_is_refused()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var site = (await (await admin.PostAsJsonAsync("/api/admin/sites", NewSite())).Content.ReadFromJsonAsync<SiteAdminDto>(SignalRDriver.Json))!;
        var ordersId = await Host.WithDbAsync(db => db.SiteTopics.Where(t => t.Key == "orders").Select(t => t.Id).SingleAsync());

        var update = new
        {
            name = "The Big Shop", allowedOrigins = new[] { ShopOrigin, "https://*.shop.example" }, timeZone = "UTC", languages = new[] { "en" },
            disabled = false, missWhenOnlyAway = true, retentionDays = 90, version = site.Version,
            topics = new[]
            {
                new { key = "returns", labelEn = "Returns", labelFr = "Retours", skill = "sales", priority = 10 },
                new { key = "orders", labelEn = "My orders", labelFr = "Mes commandes", skill = "billing", priority = 0 },
            },
        };
        var saved = await admin.PutAsJsonAsync("/api/admin/sites/shop", update);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var after = (await saved.Content.ReadFromJsonAsync<SiteAdminDto>(SignalRDriver.Json))!;
        Assert.Equal(["returns", "orders"], after.Topics.Select(t => t.Key));
        Assert.Equal((90, true), (after.RetentionDays, after.MissWhenOnlyAway));
        Assert.Equal(ordersId, await Host.WithDbAsync(db => db.SiteTopics.Where(t => t.Key == "orders").Select(t => t.Id).SingleAsync()));
        Assert.Equal(HttpStatusCode.OK, (await WidgetSessionAsync("shop", "https://help.shop.example")).StatusCode);

        var fingerprint = await SitesFingerprintAsync();
        var stale = await admin.PutAsJsonAsync("/api/admin/sites/shop", update with { });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(fingerprint, await SitesFingerprintAsync());
    }

    public static TheoryData<string, string, object> BadSites => new()
    {
        { "allowedOrigins", "path", NewSite(origin: "https://shop.example/checkout") },
        { "allowedOrigins", "wildcard", NewSite(origin: "https://*") },
        { "allowedOrigins", "scheme", NewSite(origin: "shop.example") },
        { "key", "key", NewSite(key: "Shop Site") },
        { "topics[0].skill", "unknown skill", NewSite(skill: "astrology") },
        { "timeZone", "time zone", new { key = "shop", name = "Shop", allowedOrigins = new[] { ShopOrigin }, timeZone = "Mars/Olympus" } },
        { "name", "name", new { key = "shop", name = "", allowedOrigins = new[] { ShopOrigin } } },
        { "topics[1].key", "duplicate topic", new { key = "shop", name = "Shop", allowedOrigins = new[] { ShopOrigin }, topics = new[]
            { new { key = "a", labelEn = "A", labelFr = "A", skill = "sales", priority = 0 }, new { key = "a", labelEn = "B", labelFr = "B", skill = "sales", priority = 0 } } } },
    };

    [Theory]
    [MemberData(nameof(BadSites))]
    public async Task A_bad_site_is_refused_next_to_the_field_and_nothing_is_created(string field, string because, object body)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var fingerprint = await SitesFingerprintAsync();
        var response = await admin.PostAsJsonAsync("/api/admin/sites", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _), because);
        Assert.Equal(fingerprint, await SitesFingerprintAsync());
    }

    [Fact]
    public async Task Duplicate_keys_unknown_sites_and_non_admins_are_refused_with_nothing_changed()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        using var operatorClient = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        var fingerprint = await SitesFingerprintAsync();

        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/admin/sites", NewSite(key: "demo"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync("/api/admin/sites/nope")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/admin/sites/nope", new { name = "X", allowedOrigins = Array.Empty<string>(), timeZone = "UTC", version = "1" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsJsonAsync("/api/admin/sites", NewSite())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync("/api/admin/sites", NewSite())).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync("/api/admin/sites/demo")).StatusCode);

        Assert.Equal(fingerprint, await SitesFingerprintAsync());
    }

    [Fact]
    public async Task A_disabled_site_says_it_is_closed_refuses_new_chats_and_loses_nothing()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (session, earlier) = await StartVisitorChatAsync("visitor", topic: "billing");
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("Hello before closing"));
        await Driver.InvokeAsync("visitor", "EndChat");

        var demo = (await admin.GetFromJsonAsync<SiteAdminDto>("/api/admin/sites/demo", SignalRDriver.Json))!;
        var closing = await admin.PutAsJsonAsync("/api/admin/sites/demo", new
        {
            demo.Name, demo.AllowedOrigins, demo.TimeZone, demo.Languages, disabled = true, demo.MissWhenOnlyAway, demo.RetentionDays,
            demo.Topics, demo.Version,
        });
        Assert.Equal(HttpStatusCode.OK, closing.StatusCode);

        var widget = (await (await WidgetSessionAsync("demo", Host.DemoSiteOrigin)).Content.ReadFromJsonAsync<WidgetSessionResponse>(SignalRDriver.Json))!;
        Assert.True(widget.Site.Closed);
        Assert.Contains(ChatService.SiteClosedMessage, await Driver.InvokeExpectingErrorAsync("visitor", "StartChat", TestApi.ChatRequest()));
        var kept = await Driver.InvokeAsync<ConversationView>("visitor", "GetConversation");
        Assert.Equal(earlier.ConversationId, kept.ConversationId);
        Assert.Contains(kept.Messages, m => m.Text == "Hello before closing");
        Assert.Equal(1, await CountAsync(db => db.Conversations.CountAsync()));
    }

    [Fact]
    public async Task Skills_are_renamed_retired_only_when_unused_and_restored()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var skills = (await admin.GetFromJsonAsync<List<SkillDto>>("/api/admin/skills", SignalRDriver.Json))!;
        var billing = skills.Single(s => s.Key == "billing");

        var inUse = await admin.PostAsync($"/api/admin/skills/{billing.Id}/retire", null);
        Assert.Equal(HttpStatusCode.Conflict, inUse.StatusCode);
        Assert.Contains("billing", await inUse.Content.ReadAsStringAsync());

        var created = (await (await admin.PostAsJsonAsync("/api/admin/skills", new { key = "returns", name = "Returns" })).Content.ReadFromJsonAsync<SkillDto>(SignalRDriver.Json))!;
        var renamed = await admin.PutAsJsonAsync($"/api/admin/skills/{created.Id}", new { name = "Returns and refunds" });
        Assert.Equal("Returns and refunds", (await renamed.Content.ReadFromJsonAsync<SkillDto>(SignalRDriver.Json))!.Name);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync($"/api/admin/skills/{created.Id}", new { name = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync($"/api/admin/skills/{Guid.NewGuid()}", new { name = "X" })).StatusCode);

        var retired = (await (await admin.PostAsync($"/api/admin/skills/{created.Id}/retire", null)).Content.ReadFromJsonAsync<SkillDto>(SignalRDriver.Json))!;
        Assert.True(retired.Retired);
        var topicOnRetired = await admin.PostAsJsonAsync("/api/admin/sites", NewSite(skill: "returns"));
        Assert.Equal(HttpStatusCode.BadRequest, topicOnRetired.StatusCode);
        var levelOnRetired = await admin.PutAsJsonAsync($"/api/admin/operators/{await AliceIdAsync()}/routing",
            new { maxConcurrentChats = 3, skills = new[] { new { skill = "returns", proficiency = 3 } } });
        Assert.Equal(HttpStatusCode.BadRequest, levelOnRetired.StatusCode);

        Assert.False((await (await admin.PostAsync($"/api/admin/skills/{created.Id}/restore", null)).Content.ReadFromJsonAsync<SkillDto>(SignalRDriver.Json))!.Retired);
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/admin/sites", NewSite(skill: "returns"))).StatusCode);
        var types = await Host.WithDbAsync(db => db.Events.Where(e => e.Type.StartsWith("admin.skill")).OrderBy(e => e.Id).Select(e => e.Type).ToListAsync());
        Assert.Equal([AdminEventTypes.SkillCreated, AdminEventTypes.SkillUpdated, AdminEventTypes.SkillRetired, AdminEventTypes.SkillRestored], types);
    }

    private Task<string> AliceIdAsync() => Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).Select(u => u.Id).SingleAsync());
}
