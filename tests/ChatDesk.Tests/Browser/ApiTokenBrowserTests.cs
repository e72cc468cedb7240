using System.Net;
using ChatDesk.Tests.ApiTokens;
using ChatDesk.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

/// <summary>The API tokens page in the real console, with the token it shows used for real.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ApiTokenBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 15_000 };

    [Fact]
    public async Task An_admin_creates_a_token_copies_it_once_uses_it_and_revokes_it()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var admin = await context.NewPageAsync();
        await admin.GotoAsync(Host.ConsoleUrl + "#admin/tokens");
        await admin.Locator("input[name=email]").FillAsync("admin@chatdesk.local");
        await admin.Locator("input[name=password]").FillAsync("admin-demo-pass");
        await admin.Locator("[data-testid=login-submit]").ClickAsync();
        await admin.Locator("[data-testid=admin-nav-tokens]").ClickAsync();

        await admin.Locator("[data-testid=token-new]").ClickAsync();
        await admin.Locator("[data-testid=token-create]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid='field-error-scopes']")).ToBeVisibleAsync(Visible);
        var form = admin.Locator("[data-testid=token-form]");
        await form.Locator("input[name=name]").FillAsync("BI <b>export</b>");
        await form.Locator("input[name=scopes][value='kpis:read']").CheckAsync();
        await admin.Locator("[data-testid=token-create]").ClickAsync();
        var secret = admin.Locator("[data-testid=token-secret]");
        await Assertions.Expect(secret).ToBeVisibleAsync(Visible);
        var token = await secret.InputValueAsync();
        var row = admin.Locator("[data-testid=token-row]");
        await Assertions.Expect(row.Locator("strong")).ToHaveTextAsync("BI <b>export</b>", new() { Timeout = 15_000 });

        using var integration = ApiTokenTests.BearerClient(Host, token);
        Assert.StartsWith("cdk_", token);
        Assert.Equal(HttpStatusCode.OK, (await integration.GetAsync("/api/kpis/targets")).StatusCode);

        await row.Locator("[data-testid=token-revoke]").ClickAsync();
        await admin.Locator("[data-testid=confirm-ok]").ClickAsync();
        await Assertions.Expect(row.Locator("[data-testid=token-revoked]")).ToBeVisibleAsync(Visible);
        Assert.Equal(HttpStatusCode.Unauthorized, (await integration.GetAsync("/api/kpis/targets")).StatusCode);

        // Back on the page later, the secret is gone: it was shown once.
        await admin.Locator("[data-testid=admin-nav-audit]").ClickAsync();
        await admin.Locator("[data-testid=admin-nav-tokens]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=token-secret-box]")).ToBeHiddenAsync(new() { Timeout = 15_000 });
        await context.CloseAsync();
    }
}
