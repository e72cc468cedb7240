using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Routing;
using ChatDesk.Server.Widget;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Routing;

public sealed class RoutingRulesTests : ChatTestBase
{
    private async Task<HttpResponseMessage> PutSiteRoutingAsync(object settings)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        return await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", settings);
    }

    private static object Settings(object? businessHours = null, bool routeByLanguage = false, object[]? pageRules = null,
        Dictionary<string, int>? priorities = null, int ringTimeoutSeconds = 30) => new
    {
        offerMode = false, ringTimeoutSeconds, routeByLanguage, businessHours,
        pageRules = pageRules ?? [], topicPriorities = priorities ?? new Dictionary<string, int>(),
    };

    private async Task SetSkillsAsync(string email, params (string Skill, int Level)[] skills)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var id = await Host.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        var response = await admin.PutAsJsonAsync($"/api/admin/operators/{id}/routing", new { skills = skills.Select(s => new { skill = s.Skill, proficiency = s.Level }) });
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task A_page_rule_adds_its_skill_and_only_operators_with_every_skill_qualify()
    {
        Assert.Equal(HttpStatusCode.NoContent, (await PutSiteRoutingAsync(Settings(pageRules: [new { urlPattern = "https://shop.example/pro/*", skill = "sales" }]))).StatusCode);
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword); // billing 5, technical 2
        // Alice has billing but not sales: nobody online can take a chat that needs both, so it is missed at once.
        var early = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("early", Host.BaseUrl, early.VisitorToken);
        var missed = await Driver.InvokeAsync<ConversationView>("early", "StartChat", TestApi.ChatRequest(topic: "billing") with { PageUrl = "https://shop.example/pro/a" });
        Assert.Equal((ConversationStatus.Ended, EndedReasons.NoOperator), (missed.Status, missed.EndedReason));
        await OperatorOnlineAsync("chloe", TestApi.ChloeEmail, TestApi.ChloePassword); // sales 5, billing 3

        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("pro", Host.BaseUrl, session.VisitorToken);
        var chat = await Driver.InvokeAsync<ConversationView>("pro", "StartChat", TestApi.ChatRequest(topic: "billing") with { PageUrl = "https://shop.example/pro/tents" });
        var (_, plain) = await StartVisitorChatAsync("plain", topic: "billing");

        Assert.Equal("Chloé", chat.OperatorName);
        Assert.Equal("Alice", plain.OperatorName);
    }

    [Fact]
    public async Task With_language_routing_a_french_visitor_needs_an_operator_with_the_french_skill()
    {
        using (var admin = await TestApi.AdminClientAsync(Host))
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/admin/skills", new { key = "lang-fr", name = "French" })).StatusCode);
        await SetSkillsAsync(TestApi.ChloeEmail, ("billing", 3), ("lang-fr", 4));
        Assert.Equal(HttpStatusCode.NoContent, (await PutSiteRoutingAsync(Settings(routeByLanguage: true))).StatusCode);
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await OperatorOnlineAsync("chloe", TestApi.ChloeEmail, TestApi.ChloePassword);

        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("fr", Host.BaseUrl, session.VisitorToken);
        var french = await Driver.InvokeAsync<ConversationView>("fr", "StartChat", TestApi.ChatRequest() with { Language = "fr-FR" });
        var (_, english) = await StartVisitorChatAsync("en");

        Assert.Equal("Chloé", french.OperatorName);
        Assert.Equal("Alice", english.OperatorName);
    }

    [Fact]
    public async Task A_higher_priority_topic_jumps_ahead_in_its_skill_queue()
    {
        await Host.WithDbAsync(async db =>
        {
            var site = await db.Sites.SingleAsync(s => s.Key == "demo");
            var billing = await db.Skills.SingleAsync(s => s.Key == "billing");
            db.SiteTopics.Add(new SiteTopic { Id = Guid.NewGuid(), SiteId = site.Id, Key = "billing-urgent", SkillId = billing.Id, LabelEn = "Urgent billing", LabelFr = "Facturation urgente", SortOrder = 9 });
            return await db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.NoContent, (await PutSiteRoutingAsync(Settings(priorities: new() { ["billing-urgent"] = 10 }))).StatusCode);
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, busy) = await StartVisitorChatAsync("busy");
        Host.Clock.Advance(TimeSpan.FromSeconds(1));
        await StartVisitorChatAsync("early");
        Host.Clock.Advance(TimeSpan.FromSeconds(1));
        await StartVisitorChatAsync("urgent", topic: "billing-urgent");

        var queue = await Driver.InvokeAsync<List<QueueEntry>>("alice", "GetQueue");
        Assert.Equal(["billing-urgent", "billing"], queue.Select(q => q.Topic));
        await Driver.InvokeAsync("alice", "EndChat", busy.ConversationId);
        await Driver.WaitForEventsAsync("urgent", "ChatAssigned");
        Assert.Empty(Driver.Events("early", "ChatAssigned"));
    }

    [Fact]
    public async Task Outside_business_hours_the_chat_is_missed_at_once()
    {
        var closedToday = Host.Clock.GetUtcNow().DayOfWeek == DayOfWeek.Monday ? "Tuesday" : "Monday";
        var hours = new { timeZone = "UTC", days = new Dictionary<string, string[]> { [closedToday] = ["00:00-23:59"] } };
        Assert.Equal(HttpStatusCode.NoContent, (await PutSiteRoutingAsync(Settings(businessHours: hours))).StatusCode);
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);

        var (_, chat) = await StartVisitorChatAsync("visitor");

        Assert.Equal((ConversationStatus.Ended, EndedReasons.OutsideHours), (chat.Status, chat.EndedReason));
    }

    [Theory]
    [InlineData("ring", "Invalid ring timeout")]
    [InlineData("hours", "Invalid business hours")]
    [InlineData("rule", "Unknown skills")]
    [InlineData("topic", "Unknown topics")]
    public async Task Bad_site_routing_settings_are_refused_and_nothing_changes(string what, string title)
    {
        var settings = what switch
        {
            "ring" => Settings(ringTimeoutSeconds: 2),
            "hours" => Settings(businessHours: new { timeZone = "Nowhere/Land", days = new Dictionary<string, string[]>() }),
            "rule" => Settings(pageRules: [new { urlPattern = "*", skill = "astrology" }]),
            _ => Settings(priorities: new() { ["astrology"] = 1 }),
        };
        var response = await PutSiteRoutingAsync(settings);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(title, await response.Content.ReadAsStringAsync());
        var site = await Host.WithDbAsync(db => db.Sites.AsNoTracking().SingleAsync(s => s.Key == "demo"));
        Assert.Equal((30, (BusinessHours?)null), (site.RingTimeoutSeconds, site.BusinessHours));
        Assert.Equal(0, await CountAsync(db => db.SitePageRules.CountAsync()));
    }
}
