using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Routing;

public sealed class RoutingAdminTests : ChatTestBase
{
    private Task<HttpClient> SignedInAsync(string email, string password) => TestApi.SignedInClientAsync(Host, email, password);

    private Task<HttpClient> AdminAsync() => TestApi.AdminClientAsync(Host);

    private async Task<OperatorRoutingDto> AliceAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<List<OperatorRoutingDto>>("/api/admin/operators", SignalRDriver.Json))!.Single(o => o.Email == TestApi.AliceEmail);

    [Fact]
    public async Task An_admin_creates_skills_and_sets_an_operators_levels_and_capacity()
    {
        using var admin = await AdminAsync();
        var created = await admin.PostAsJsonAsync("/api/admin/skills", new { key = "lang-fr", name = "French" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var alice = await AliceAsync(admin);

        var update = await admin.PutAsJsonAsync($"/api/admin/operators/{alice.Id}/routing",
            new { maxConcurrentChats = 5, skills = new[] { new { skill = "billing", proficiency = 4 }, new { skill = "lang-fr", proficiency = 2 } } });

        Assert.Equal(HttpStatusCode.NoContent, update.StatusCode);
        var after = await AliceAsync(admin);
        Assert.Equal(5, after.MaxConcurrentChats);
        Assert.Equal([new SkillLevel("billing", 4), new SkillLevel("lang-fr", 2)], after.Skills);
    }

    [Theory]
    [InlineData(3, "billing", 6, "Invalid proficiency")]
    [InlineData(3, "billing", 0, "Invalid proficiency")]
    [InlineData(3, "astrology", 3, "Unknown skills")]
    [InlineData(0, "billing", 3, "Invalid capacity")]
    [InlineData(-2, "billing", 3, "Invalid capacity")]
    public async Task Bad_levels_and_capacities_are_refused_and_nothing_changes(int capacity, string skill, int proficiency, string title)
    {
        using var admin = await AdminAsync();
        var before = await AliceAsync(admin);

        var response = await admin.PutAsJsonAsync($"/api/admin/operators/{before.Id}/routing",
            new { maxConcurrentChats = capacity, skills = new[] { new { skill, proficiency } } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(title, await response.Content.ReadAsStringAsync());
        var after = await AliceAsync(admin);
        Assert.Equal(before.MaxConcurrentChats, after.MaxConcurrentChats);
        Assert.Equal(before.Skills, after.Skills);
    }

    [Fact]
    public async Task Duplicate_or_malformed_skills_and_unknown_operators_are_refused()
    {
        using var admin = await AdminAsync();
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/admin/skills", new { key = "billing", name = "Billing again" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/admin/skills", new { key = "Bad Key!", name = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/admin/skills", new { key = "ok", name = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/admin/operators/nobody/routing", new { maxConcurrentChats = 2 })).StatusCode);
        Assert.Equal(3, await CountAsync(db => db.Skills.CountAsync()));
    }

    [Fact]
    public async Task Only_admins_may_change_routing_and_only_with_the_antiforgery_header()
    {
        using var alice = await SignedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsJsonAsync("/api/admin/skills", new { key = "vip", name = "VIP" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/api/admin/operators")).StatusCode);
        using var anonymous = TestApi.CreateClient(Host);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/admin/skills")).StatusCode);

        using var admin = await AdminAsync();
        admin.DefaultRequestHeaders.Remove("X-XSRF-TOKEN");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsJsonAsync("/api/admin/skills", new { key = "vip", name = "VIP" })).StatusCode);
        Assert.Equal(3, await CountAsync(db => db.Skills.CountAsync()));
    }

    [Fact]
    public async Task Raising_an_operators_capacity_lets_a_waiting_chat_through()
    {
        using var admin = await AdminAsync();
        var alice = await AliceAsync(admin);
        await admin.PutAsJsonAsync($"/api/admin/operators/{alice.Id}/routing", new { maxConcurrentChats = 1 });
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await StartVisitorChatAsync("first");
        var (_, waiting) = await StartVisitorChatAsync("second");
        Assert.Equal(ConversationStatus.Queued, waiting.Status);

        await admin.PutAsJsonAsync($"/api/admin/operators/{alice.Id}/routing", new { maxConcurrentChats = 2 });

        await Driver.WaitForEventsAsync("second", "ChatAssigned");
    }
}
