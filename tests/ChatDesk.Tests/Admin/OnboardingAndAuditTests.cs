using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server.Admin;
using ChatDesk.Server.Identity;
using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests.Admin;

/// <summary>A fresh install outside demo mode: one admin from configuration and nothing else.</summary>
public sealed class OnboardingAndAuditTests : ChatTestBase
{
    public const string FirstAdminEmail = "owner@shop.example";
    public const string FirstAdminPassword = "owner-long-password";

    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["ChatDesk:Demo:Enabled"] = "false",
            ["ChatDesk:FirstAdmin:Email"] = FirstAdminEmail,
            ["ChatDesk:FirstAdmin:Password"] = FirstAdminPassword,
            ["ChatDesk:FirstAdmin:DisplayName"] = "Owner",
        },
    };

    private static async Task<Dictionary<string, bool>> StepsAsync(HttpClient admin)
    {
        var onboarding = (await admin.GetFromJsonAsync<OnboardingDto>("/api/admin/onboarding", SignalRDriver.Json))!;
        Assert.False(onboarding.Demo);
        return onboarding.Steps.ToDictionary(s => s.Key, s => s.Done);
    }

    [Fact]
    public async Task The_checklist_ticks_itself_as_the_first_admin_sets_ChatDesk_up()
    {
        using var admin = await TestApi.SignedInClientAsync(Host, FirstAdminEmail, FirstAdminPassword);
        Assert.Equal(["site", "topic", "operator", "snippet", "testChat"], (await StepsAsync(admin)).Keys);
        Assert.All((await StepsAsync(admin)).Values, Assert.False);

        (await admin.PostAsJsonAsync("/api/admin/skills", new { key = "orders", name = "Orders" })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/admin/sites", new { key = "shop", name = "Shop", allowedOrigins = new[] { "https://shop.example" } })).EnsureSuccessStatusCode();
        Assert.Equal((true, false), ((await StepsAsync(admin))["site"], (await StepsAsync(admin))["topic"]));

        var site = (await admin.GetFromJsonAsync<ChatDesk.Server.Widget.SiteAdminDto>("/api/admin/sites/shop", SignalRDriver.Json))!;
        (await admin.PutAsJsonAsync("/api/admin/sites/shop", new
        {
            site.Name, site.AllowedOrigins, site.TimeZone, site.Languages, disabled = false, missWhenOnlyAway = false, retentionDays = (int?)null, site.Version,
            topics = new[] { new { key = "orders", labelEn = "Orders", labelFr = "Commandes", skill = "orders", priority = 0 } },
        })).EnsureSuccessStatusCode();
        (await admin.PostAsJsonAsync("/api/admin/people", new { email = "op@shop.example", displayName = "Op", roles = new[] { "Operator" } })).EnsureSuccessStatusCode();
        var steps = await StepsAsync(admin);
        Assert.Equal((true, true, false), (steps["topic"], steps["operator"], steps["snippet"]));

        using var widget = TestApi.CreateClient(Host);
        var session = (await (await widget.PostAsJsonAsync("/api/widget/session", new { siteKey = "shop", hostOrigin = "https://shop.example" }))
            .Content.ReadFromJsonAsync<ChatDesk.Server.Widget.WidgetSessionResponse>(SignalRDriver.Json))!;
        Assert.True((await StepsAsync(admin))["snippet"]);
        await Driver.ConnectVisitorAsync("visitor", Host.BaseUrl, session.VisitorToken);
        await Driver.InvokeAsync("visitor", "StartChat", TestApi.ChatRequest(topic: "orders"));
        Assert.All((await StepsAsync(admin)).Values, Assert.True);
    }

    [Fact]
    public async Task The_audit_log_filters_by_type_actor_and_target_and_pages_newest_first()
    {
        using var admin = await TestApi.SignedInClientAsync(Host, FirstAdminEmail, FirstAdminPassword);
        for (var i = 0; i < 5; i++)
        {
            (await admin.PostAsJsonAsync("/api/admin/skills", new { key = $"skill-{i}", name = $"Skill {i}" })).EnsureSuccessStatusCode();
            Host.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        var person = (await (await admin.PostAsJsonAsync("/api/admin/people", new { email = "m@shop.example", displayName = "M", roles = new[] { "Manager" }, password = "manager-long-pw" }))
            .Content.ReadFromJsonAsync<CreatedPerson>(SignalRDriver.Json))!.Person;

        var all = (await admin.GetFromJsonAsync<AuditPage>("/api/admin/audit", SignalRDriver.Json))!;
        Assert.Equal(["admin.person_created", "admin.skill_created", "admin.skill_created", "admin.skill_created", "admin.skill_created", "admin.skill_created"],
            all.Entries.Select(e => e.Type));
        Assert.Equal(("Owner", "person", person.Id), (all.Entries[0].ActorName, all.Entries[0].TargetKind, all.Entries[0].TargetId));
        Assert.Null(all.Entries[0].Before);
        Assert.Equal("Manager", all.Entries[0].After!.Value.GetProperty("roles")[0].GetString());

        var firstPage = (await admin.GetFromJsonAsync<AuditPage>("/api/admin/audit?type=admin.skill&limit=2", SignalRDriver.Json))!;
        var secondPage = (await admin.GetFromJsonAsync<AuditPage>($"/api/admin/audit?type=admin.skill&limit=2&before={firstPage.Next}", SignalRDriver.Json))!;
        var thirdPage = (await admin.GetFromJsonAsync<AuditPage>($"/api/admin/audit?type=admin.skill&limit=2&before={secondPage.Next}", SignalRDriver.Json))!;
        Assert.Equal(["skill-4", "skill-3", "skill-2", "skill-1", "skill-0"], firstPage.Entries.Concat(secondPage.Entries).Concat(thirdPage.Entries).Select(e => e.TargetLabel));
        Assert.Null(thirdPage.Next);

        var byTarget = (await admin.GetFromJsonAsync<AuditPage>($"/api/admin/audit?target={person.Id}", SignalRDriver.Json))!;
        Assert.Equal(person.Id, Assert.Single(byTarget.Entries).TargetId);
        var from = Host.Clock.GetUtcNow() - TimeSpan.FromMinutes(2.5);
        var recent = (await admin.GetFromJsonAsync<AuditPage>($"/api/admin/audit?type=admin.skill&from={Uri.EscapeDataString(from.ToString("O"))}", SignalRDriver.Json))!;
        Assert.Equal(["skill-4", "skill-3"], recent.Entries.Select(e => e.TargetLabel));
        Assert.Empty((await admin.GetFromJsonAsync<AuditPage>("/api/admin/audit?actor=someone-else", SignalRDriver.Json))!.Entries);
        var (firstDay, lastDay) = (all.Entries[^1].OccurredAt.UtcDateTime.ToString("yyyy-MM-dd"), all.Entries[0].OccurredAt.UtcDateTime.ToString("yyyy-MM-dd"));
        Assert.Equal(6, (await admin.GetFromJsonAsync<AuditPage>($"/api/admin/audit?from={firstDay}&to={lastDay}", SignalRDriver.Json))!.Entries.Count);
        var tomorrow = all.Entries[0].OccurredAt.UtcDateTime.AddDays(1).ToString("yyyy-MM-dd");
        Assert.Empty((await admin.GetFromJsonAsync<AuditPage>($"/api/admin/audit?from={tomorrow}", SignalRDriver.Json))!.Entries);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/audit?from=yesterday")).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/audit?type=admin.%25")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/audit?limit=1000")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/audit?before=abc")).StatusCode);
        using var manager = await TestApi.SignedInClientAsync(Host, "m@shop.example", "manager-long-pw");
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/api/admin/audit")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/api/admin/onboarding")).StatusCode);
    }
}
