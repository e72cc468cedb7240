using ChatDesk.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

/// <summary>The webhooks page in the real console: create, the secret shown once, a delivery to a real receiver, a refused URL.</summary>
[Collection(BrowserCollection.Name)]
public sealed class WebhooksBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToContainTextOptions Contains = new() { Timeout = 15_000 };
    private TestWebhookReceiver receiver = null!;

    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?> { ["ChatDesk:Webhooks:AllowPrivateTargets"] = "true", ["ChatDesk:Outbox:PollMilliseconds"] = "50" },
    };

    public override async Task InitializeAsync()
    {
        receiver = await TestWebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await receiver.DisposeAsync();
    }

    [Fact]
    public async Task An_admin_subscribes_a_url_sees_the_secret_once_and_then_the_delivery_of_a_chat()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var admin = await context.NewPageAsync();
        await admin.GotoAsync(Host.ConsoleUrl + "#admin/webhooks");
        await admin.Locator("input[name=email]").FillAsync("admin@chatdesk.local");
        await admin.Locator("input[name=password]").FillAsync("admin-demo-pass");
        await admin.Locator("[data-testid=login-submit]").ClickAsync();
        await admin.Locator("[data-testid=admin-nav-webhooks]").ClickAsync();

        // Nothing ticked: the server's error shows next to the events.
        await admin.Locator("[data-testid=webhook-url]").FillAsync(receiver.Url);
        await admin.Locator("[data-testid=webhook-submit]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid='field-error-events']")).ToContainTextAsync("at least one", Contains);

        await admin.Locator("[data-testid='webhook-event-chat.requested']").CheckAsync();
        await admin.Locator("[data-testid=webhook-submit]").ClickAsync();
        var secret = admin.Locator("[data-testid=webhook-secret]");
        await Assertions.Expect(secret).ToBeVisibleAsync(Visible);
        var secretValue = await secret.InputValueAsync();
        Assert.StartsWith("whsec_", secretValue);
        await Assertions.Expect(admin.Locator("[data-testid=webhook-row-url]")).ToHaveTextAsync(receiver.Url);
        await Assertions.Expect(admin.Locator("[data-testid=webhook-row-secret]")).ToHaveTextAsync("whsec_…" + secretValue[^4..]);

        await StartVisitorChatAsync("visitor");
        var request = (await receiver.WaitForAsync(1))[0];
        Assert.True(ChatDesk.Server.Webhooks.WebhookSignature.Verify(secretValue, long.Parse(request.Timestamp!), request.Body, request.Signature));

        await admin.Locator("[data-testid=webhook-show-deliveries]").ClickAsync();
        var row = admin.Locator("[data-testid=delivery-row]");
        await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "delivered", new() { Timeout = 15_000 });
        await Assertions.Expect(row).ToContainTextAsync("chat.requested", Contains);
        await Assertions.Expect(row).ToContainTextAsync("200", Contains);
        await Assertions.Expect(admin.Locator("[data-testid=email-status]")).ToContainTextAsync("not configured", Contains);
        await context.CloseAsync();
    }
}
