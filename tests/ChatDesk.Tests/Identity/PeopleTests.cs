using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Identity;

public sealed class PeopleTests : ChatTestBase
{
    private Task<int> AuditCountAsync() => CountAsync(db => db.Events.CountAsync(e => e.Type.StartsWith("admin.")));

    private Task<int> PeopleCountAsync() => CountAsync(db => db.Users.CountAsync());

    private static async Task<List<PersonDto>> PeopleAsync(HttpClient admin, string? search = null) =>
        (await admin.GetFromJsonAsync<List<PersonDto>>($"/api/admin/people{(search is null ? "" : $"?search={Uri.EscapeDataString(search)}")}", SignalRDriver.Json))!;

    private static string TokenOf(string invitationUrl) => invitationUrl[(invitationUrl.IndexOf("#invitation=", StringComparison.Ordinal) + "#invitation=".Length)..];

    private async Task<HttpClient> AnonymousWithXsrfAsync()
    {
        var cookies = new CookieContainer();
        var client = TestApi.CreateClient(Host, cookies);
        await client.GetAsync("/api/auth/me");
        client.DefaultRequestHeaders.Add("X-XSRF-TOKEN", cookies.GetCookies(client.BaseAddress!)["XSRF-TOKEN"]!.Value);
        return client;
    }

    [Fact]
    public async Task An_invited_operator_sets_their_password_once_signs_in_and_the_link_is_then_dead()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var response = await admin.PostAsJsonAsync("/api/admin/people",
            new { email = "olivia@shop.example", displayName = "Olivia", roles = new[] { "operator" }, language = "fr" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<CreatedPerson>(SignalRDriver.Json))!;
        Assert.Equal(("Operator", "fr", true, false), (string.Join(",", created.Person.Roles), created.Person.Language, created.Person.InvitationPending, created.Person.Disabled));
        Assert.StartsWith($"{Host.ChatDeskOrigin}/console/#invitation=", created.InvitationUrl);
        var token = TokenOf(created.InvitationUrl!);
        // Only a hash of the token is kept.
        Assert.False(await Host.WithDbAsync(db => db.Invitations.AnyAsync(i => i.TokenHash == System.Text.Encoding.UTF8.GetBytes(token))));

        using var invitee = await AnonymousWithXsrfAsync();
        var lookup = await invitee.PostAsJsonAsync("/api/auth/invitations/lookup", new { token });
        Assert.Equal("no-store", lookup.Headers.CacheControl?.ToString());
        var shown = (await lookup.Content.ReadFromJsonAsync<InvitationDto>(SignalRDriver.Json))!;
        Assert.Equal(("olivia@shop.example", "Olivia"), (shown.Email, shown.DisplayName));

        var tooShort = await invitee.PostAsJsonAsync("/api/auth/invitations/accept", new { token, password = "short" });
        Assert.Equal(HttpStatusCode.BadRequest, tooShort.StatusCode);
        Assert.True(JsonDocument.Parse(await tooShort.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty("password", out _));

        var accepted = await invitee.PostAsJsonAsync("/api/auth/invitations/accept", new { token, password = "olivia-long-pass", displayName = "Olivia M." });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal("Olivia M.", (await accepted.Content.ReadFromJsonAsync<MeResponse>(SignalRDriver.Json))!.DisplayName);
        Assert.Equal(HttpStatusCode.OK, (await invitee.GetAsync("/api/auth/me")).StatusCode);

        using var replay = await AnonymousWithXsrfAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await replay.PostAsJsonAsync("/api/auth/invitations/accept", new { token, password = "another-long-pass" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await replay.PostAsJsonAsync("/api/auth/invitations/lookup", new { token })).StatusCode);
        using var signedIn = await TestApi.SignedInClientAsync(Host, "olivia@shop.example", "olivia-long-pass");
        var person = Assert.Single(await PeopleAsync(admin, "olivia"));
        Assert.False(person.InvitationPending);

        var types = await Host.WithDbAsync(db => db.Events.Where(e => e.Type.StartsWith("admin.")).OrderBy(e => e.Id).Select(e => e.Type).ToListAsync());
        Assert.Equal([AdminEventTypes.PersonInvited, AdminEventTypes.InvitationAccepted], types);
    }

    [Fact]
    public async Task An_expired_or_replaced_invitation_is_refused()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var created = (await (await admin.PostAsJsonAsync("/api/admin/people",
            new { email = "late@shop.example", displayName = "Late", roles = new[] { "Operator" } })).Content.ReadFromJsonAsync<CreatedPerson>(SignalRDriver.Json))!;
        var first = TokenOf(created.InvitationUrl!);
        var renewed = (await (await admin.PostAsync($"/api/admin/people/{created.Person.Id}/invitation", null)).Content.ReadFromJsonAsync<InvitationLink>(SignalRDriver.Json))!;
        using var invitee = await AnonymousWithXsrfAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await invitee.PostAsJsonAsync("/api/auth/invitations/lookup", new { token = first })).StatusCode);

        Host.Clock.Advance(Invitation.Lifetime + TimeSpan.FromMinutes(1));
        var expired = await invitee.PostAsJsonAsync("/api/auth/invitations/accept", new { token = TokenOf(renewed.InvitationUrl), password = "late-but-long-pass" });
        Assert.Equal(HttpStatusCode.NotFound, expired.StatusCode);
        Assert.Null(await Host.WithDbAsync(db => db.Users.Where(u => u.Email == "late@shop.example").Select(u => u.PasswordHash).SingleAsync()));
    }

    [Fact]
    public async Task An_admin_creates_an_active_account_edits_it_and_a_stale_edit_is_refused()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var created = (await (await admin.PostAsJsonAsync("/api/admin/people",
            new { email = "max2@shop.example", displayName = "Max", roles = new[] { "Manager" }, password = "max-long-password" }))
            .Content.ReadFromJsonAsync<CreatedPerson>(SignalRDriver.Json))!;
        Assert.Null(created.InvitationUrl);
        using var manager = await TestApi.SignedInClientAsync(Host, "max2@shop.example", "max-long-password");

        var edit = await admin.PutAsJsonAsync($"/api/admin/people/{created.Person.Id}",
            new { displayName = "Max Power", roles = new[] { "Manager", "Operator" }, language = "fr", version = created.Person.Version });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var edited = (await edit.Content.ReadFromJsonAsync<PersonDto>(SignalRDriver.Json))!;
        Assert.Equal(("Max Power", "Manager,Operator", "fr"), (edited.DisplayName, string.Join(",", edited.Roles), edited.Language));

        var auditBefore = await AuditCountAsync();
        var stale = await admin.PutAsJsonAsync($"/api/admin/people/{created.Person.Id}",
            new { displayName = "Someone Else", roles = new[] { "Manager" }, language = "en", version = created.Person.Version });
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("Max Power", Assert.Single(await PeopleAsync(admin, "max2@")).DisplayName);
        Assert.Equal(auditBefore, await AuditCountAsync());

        var entry = await Host.WithDbAsync(db => db.Events.Where(e => e.Type == AdminEventTypes.PersonUpdated).SingleAsync());
        var data = JsonDocument.Parse(entry.Data).RootElement;
        Assert.Equal("Max", data.GetProperty("before").GetProperty("displayName").GetString());
        Assert.Equal("Max Power", data.GetProperty("after").GetProperty("displayName").GetString());
        Assert.Equal(await Host.WithDbAsync(db => db.Users.Where(u => u.Email == "admin@chatdesk.local").Select(u => u.Id).SingleAsync()), entry.OperatorId);
    }

    public static TheoryData<string, object> BadPeople => new()
    {
        { "email", new { email = "not-an-email", displayName = "X", roles = new[] { "Operator" } } },
        { "displayName", new { email = "x@shop.example", displayName = "", roles = new[] { "Operator" } } },
        { "displayName", new { email = "x@shop.example", displayName = new string('x', 101), roles = new[] { "Operator" } } },
        { "roles", new { email = "x@shop.example", displayName = "X", roles = Array.Empty<string>() } },
        { "roles", new { email = "x@shop.example", displayName = "X", roles = new[] { "Superuser" } } },
        { "language", new { email = "x@shop.example", displayName = "X", roles = new[] { "Operator" }, language = "de" } },
        { "password", new { email = "x@shop.example", displayName = "X", roles = new[] { "Operator" }, password = "short" } },
    };

    [Theory]
    [MemberData(nameof(BadPeople))]
    public async Task Bad_fields_are_refused_next_to_the_field_and_nobody_is_created(string field, object body)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var (people, audit) = (await PeopleCountAsync(), await AuditCountAsync());

        var response = await admin.PostAsJsonAsync("/api/admin/people", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal((people, audit), (await PeopleCountAsync(), await AuditCountAsync()));
    }

    [Fact]
    public async Task Refusals_change_nothing_non_admins_duplicates_unknown_ids_missing_antiforgery_self_disable()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        using var operatorClient = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        using var anonymous = TestApi.CreateClient(Host);
        var alice = Assert.Single(await PeopleAsync(admin, TestApi.AliceEmail));
        var self = Assert.Single(await PeopleAsync(admin, "admin@chatdesk.local"));
        var (people, audit) = (await PeopleCountAsync(), await AuditCountAsync());
        var newPerson = new { email = "new@shop.example", displayName = "New", roles = new[] { "Operator" } };

        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync("/api/admin/people", newPerson)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsJsonAsync("/api/admin/people", newPerson)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await manager.GetAsync("/api/admin/people")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsync($"/api/admin/people/{alice.Id}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/admin/people", newPerson)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsJsonAsync("/api/admin/people",
            new { email = "ALICE@chatdesk.local", displayName = "Alice again", roles = new[] { "Operator" } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync("/api/admin/people/no-such-id/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsJsonAsync("/api/admin/people/no-such-id",
            new { displayName = "X", roles = new[] { "Operator" }, version = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync($"/api/admin/people/{self.Id}/disable", null)).StatusCode);
        var demote = await admin.PutAsJsonAsync($"/api/admin/people/{self.Id}", new { displayName = self.DisplayName, roles = new[] { "Operator" }, version = self.Version });
        Assert.Equal(HttpStatusCode.BadRequest, demote.StatusCode);
        Assert.Contains("own Admin role", await demote.Content.ReadAsStringAsync());

        using var noAntiforgery = TestApi.CreateClient(Host, new CookieContainer());
        var cookie = await TestApi.LoginAsync(Host, "admin@chatdesk.local", "admin-demo-pass");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/admin/people/{alice.Id}/disable");
        request.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.BadRequest, (await noAntiforgery.SendAsync(request)).StatusCode);

        Assert.Equal((people, audit), (await PeopleCountAsync(), await AuditCountAsync()));
        Assert.False(Assert.Single(await PeopleAsync(admin, TestApi.AliceEmail)).Disabled);
        Assert.Contains("Admin", Assert.Single(await PeopleAsync(admin, "admin@chatdesk.local")).Roles);
    }
}
