using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Webhooks;
using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests.Webhooks;

/// <summary>The default: webhooks never go to loopback, link-local, private or metadata addresses.</summary>
public sealed class WebhookSsrfTests : WebhookTestBase
{
    protected override Dictionary<string, string?> OutboxSettings()
    {
        var settings = base.OutboxSettings();
        settings.Remove("ChatDesk:Webhooks:AllowPrivateTargets");
        return settings;
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook", "loopback")]
    [InlineData("http://localhost/hook", "loopback")]
    [InlineData("http://[::1]/hook", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data", "metadata")]
    [InlineData("http://10.1.2.3/hook", "private")]
    [InlineData("https://192.168.0.10/hook", "private")]
    [InlineData("http://[::ffff:127.0.0.1]/hook", "loopback")]
    public async Task Creating_a_webhook_to_a_private_target_is_refused_with_a_clear_field_error(string url, string why)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var response = await admin.PostAsJsonAsync("/api/admin/webhooks", new WebhookInput("demo", url, ["chat.requested"], true, null, null));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var message = problem.GetProperty("errors").GetProperty("url")[0].GetString()!;
        Assert.Contains(why, message);
        Assert.Contains("does not send webhooks to loopback, link-local, private or metadata addresses", message);
    }

    [Fact]
    public async Task A_subscription_whose_target_resolves_to_loopback_at_send_time_fails_without_a_request_and_says_why()
    {
        // As if its name had resolved to a public address when it was created (DNS rebinding): written straight to the table.
        var siteId = await Host.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(db.Sites, s => s.Key == "demo"));
        await Host.WithDbAsync(async db =>
        {
            db.WebhookSubscriptions.Add(new WebhookSubscription
            {
                Id = Guid.NewGuid(), SiteId = siteId.Id, Url = $"http://localhost:{Receiver.Port}/hook", Secret = WebhookSignature.NewSecret(),
                EventKinds = ["chat.requested"], CreatedAt = Host.Clock.GetUtcNow(),
            });
            return await db.SaveChangesAsync();
        });
        await StartChatAsync();

        var row = (await DeliveriesAsync()).Single();
        row = await WaitForDeliveryAsync(row.Id, r => r.Status != OutboxStatus.Pending);
        Assert.Equal((OutboxStatus.Failed, 1), (row.Status, row.Attempts));
        Assert.Contains("resolves to", row.LastError);
        Assert.Contains("(loopback)", row.LastError);
        Assert.Empty(Receiver.Requests);
    }
}
