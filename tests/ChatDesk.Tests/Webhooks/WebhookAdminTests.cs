using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Events;
using ChatDesk.Server.Webhooks;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Webhooks;

public sealed class WebhookAdminTests : WebhookTestBase
{
    [Fact]
    public async Task Admins_create_list_edit_rotate_and_delete_subscriptions_audited_with_the_secret_shown_only_once()
    {
        var created = await SubscribeAsync(["chat.requested", "remote.*"]);
        Assert.StartsWith("whsec_", created.Secret);
        Assert.True(created.Secret.Length >= 40);
        using var admin = await TestApi.AdminClientAsync(Host);

        var listed = await admin.GetStringAsync("/api/admin/webhooks?site=demo");
        Assert.DoesNotContain(created.Secret, listed);
        var dto = Assert.Single(JsonSerializer.Deserialize<List<WebhookDto>>(listed, SignalRDriver.Json)!);
        Assert.Equal((created.Webhook.Id, "demo", Receiver.Url, "1"), (dto.Id, dto.Site, dto.Url, dto.Version));
        Assert.Equal(created.Secret[^4..], dto.SecretHint[^4..]);

        var updated = await admin.PutAsJsonAsync($"/api/admin/webhooks/{dto.Id}", new WebhookInput(null, Receiver.Url + "?v=2", ["chat.ended"], false, "edited", "1"));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var stale = await admin.PutAsJsonAsync($"/api/admin/webhooks/{dto.Id}", new WebhookInput(null, Receiver.Url, ["chat.ended"], true, null, "1"));
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);

        var rotated = await (await admin.PostAsync($"/api/admin/webhooks/{dto.Id}/secret", null)).Content.ReadFromJsonAsync<WebhookWithSecretDto>(SignalRDriver.Json);
        Assert.NotEqual(created.Secret, rotated!.Secret);
        Assert.Equal("3", rotated.Webhook.Version);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/admin/webhooks/{dto.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/admin/webhooks/{dto.Id}")).StatusCode);

        var audit = await Host.WithDbAsync(db => db.Events.Where(e => e.Type.StartsWith("admin.webhook")).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([AdminEventTypes.WebhookCreated, AdminEventTypes.WebhookUpdated, AdminEventTypes.WebhookSecretRotated, AdminEventTypes.WebhookDeleted],
            audit.Select(e => e.Type));
        Assert.All(audit, e => Assert.DoesNotContain(created.Secret, e.Data));
        Assert.All(audit, e => Assert.DoesNotContain(rotated.Secret, e.Data));
    }

    [Fact]
    public async Task Invalid_input_is_refused_by_field_and_only_admins_may_manage_webhooks()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var response = await admin.PostAsJsonAsync("/api/admin/webhooks",
            new WebhookInput("nosuchsite", "ftp://example.com/x", ["chat.requested", "chat.exploded"], true, new string('x', 201), null));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal(["description", "events", "site", "url"], errors.EnumerateObject().Select(p => p.Name).Order());
        Assert.Contains("chat.exploded", errors.GetProperty("events")[0].GetString());

        var none = await admin.PostAsJsonAsync("/api/admin/webhooks", new WebhookInput("demo", "https://user:pw@example.com/x", [], true, null, null));
        var noneErrors = (await none.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Contains("credentials", noneErrors.GetProperty("url")[0].GetString());
        Assert.Contains("at least one", noneErrors.GetProperty("events")[0].GetString());

        using var operatorClient = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync("/api/admin/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsJsonAsync("/api/admin/webhooks",
            new WebhookInput("demo", Receiver.Url, ["chat.requested"], true, null, null))).StatusCode);
        Assert.Equal(0, await Host.WithDbAsync(db => db.WebhookSubscriptions.CountAsync()));
    }
}
