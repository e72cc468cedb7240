using ChatDesk.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

/// <summary>
/// A fresh install outside demo mode, used as a new team would: the first admin sets up a skill, a site and an
/// operator from the console; the operator accepts the invitation in another browser; a visitor on the customer's
/// own website (on its own origin) chats with them.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OnboardingBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private readonly int shopPort = TestPostgres.FreePort();

    /// <summary>The customer's website: its own server on its own loopback port, as another origin.</summary>
    private string ShopOrigin => $"http://127.0.0.1:{shopPort}";
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 15_000 };

    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["ChatDesk:Demo:Enabled"] = "false",
            ["ChatDesk:FirstAdmin:Email"] = "owner@shop.test",
            ["ChatDesk:FirstAdmin:Password"] = "owner-long-password",
        },
    };

    private async Task<IPage> NewPageAsync()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        return await context.NewPageAsync();
    }

    private async Task<WebApplication> ShopWebsiteAsync(string html)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(ShopOrigin);
        builder.Logging.ClearProviders();
        var site = builder.Build();
        site.MapGet("/", () => Results.Content(html, "text/html; charset=utf-8"));
        await site.StartAsync();
        return site;
    }

    private static Task ExpectDoneAsync(IPage admin, string step, bool done) =>
        Assertions.Expect(admin.Locator($"[data-testid=onboarding-step-{step}]")).ToHaveAttributeAsync("data-done", done ? "true" : "false", new() { Timeout = 15_000 });

    [Fact]
    public async Task The_first_admin_sets_up_a_site_a_skill_and_an_operator_who_then_chats_with_a_visitor_of_that_site()
    {
        var admin = await NewPageAsync();
        await admin.GotoAsync(Host.ConsoleUrl);
        await admin.Locator("input[name=email]").FillAsync("owner@shop.test");
        await admin.Locator("input[name=password]").FillAsync("owner-long-password");
        await admin.Locator("[data-testid=login-submit]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=admin-start]")).ToBeVisibleAsync(Visible);
        foreach (var step in new[] { "site", "topic", "operator", "snippet", "testChat" })
            await ExpectDoneAsync(admin, step, false);

        // A skill.
        await admin.Locator("[data-testid=admin-nav-skills]").ClickAsync();
        await admin.Locator("[data-testid=skill-new-key]").FillAsync("orders");
        await admin.Locator("[data-testid=skill-new-name]").FillAsync("Orders");
        await admin.Locator("[data-testid=skill-create]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=skill-row][data-key=orders]")).ToBeVisibleAsync(Visible);

        // A site with its origin and a topic asking for the skill; a bad origin is refused next to its field first.
        await admin.Locator("[data-testid=admin-nav-sites]").ClickAsync();
        await admin.Locator("[data-testid=site-new]").ClickAsync();
        var form = admin.Locator("[data-testid=site-form]");
        await form.Locator("input[name=key]").FillAsync("shop");
        await form.Locator("input[name=name]").FillAsync("Test Shop");
        await form.Locator("textarea[name=allowedOrigins]").FillAsync($"{ShopOrigin}/checkout");
        await admin.Locator("[data-testid=topic-add]").ClickAsync();
        var topic = admin.Locator("[data-testid=topic-row]").First;
        await topic.Locator("input[name=topicKey]").FillAsync("orders");
        await topic.Locator("input[name=topicLabelEn]").FillAsync("My orders");
        await topic.Locator("input[name=topicLabelFr]").FillAsync("Mes commandes");
        await topic.Locator("select[name=topicSkill]").SelectOptionAsync("orders");
        await admin.Locator("[data-testid=site-save]").ClickAsync();
        await Assertions.Expect(form.Locator("[data-testid='field-error-allowedOrigins']")).ToContainTextAsync("path", new() { Timeout = 15_000 });
        Assert.Equal(0, await CountAsync(db => db.Sites.CountAsync()));
        await form.Locator("textarea[name=allowedOrigins]").FillAsync(ShopOrigin);
        await admin.Locator("[data-testid=site-save]").ClickAsync();
        var snippet = admin.Locator("[data-testid=site-snippet]");
        try
        {
            await Assertions.Expect(snippet).ToContainTextAsync("data-site=\"shop\"", new() { Timeout = 30_000 });
        }
        catch (PlaywrightException)
        {
            // Say what the page showed instead (a refusal, an error), not just that the snippet is missing.
            throw new Xunit.Sdk.XunitException($"No snippet after saving the site. The page says: {await admin.Locator("[data-testid=admin-site]").InnerTextAsync()}");
        }
        await Assertions.Expect(admin.Locator("[data-testid=site-preview]")).ToContainTextAsync("My orders");
        var snippetHtml = await snippet.TextContentAsync();

        // An operator, invited.
        await admin.Locator("[data-testid=admin-nav-people]").ClickAsync();
        await admin.Locator("[data-testid=person-new]").ClickAsync();
        var person = admin.Locator("[data-testid=person-form]");
        await person.Locator("input[name=email]").FillAsync("olivia@shop.test");
        await person.Locator("input[name=displayName]").FillAsync("Olivia");
        await person.Locator("input[name=roles][value=Operator]").CheckAsync();
        await admin.Locator("[data-testid=person-save]").ClickAsync();
        var invitation = admin.Locator("[data-testid=invitation-url]");
        await Assertions.Expect(invitation).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("#invitation="), new() { Timeout = 15_000 });
        var invitationUrl = await invitation.InputValueAsync();

        // Her skill, in the grid of people by skills.
        await admin.Locator("[data-testid=admin-nav-skills]").ClickAsync();
        var row = admin.Locator("[data-testid=routing-row][data-email='olivia@shop.test']");
        await row.Locator("[data-testid=routing-cell-orders]").SelectOptionAsync("4");
        await row.Locator("[data-testid=routing-save]").ClickAsync();
        await Assertions.Expect(row.Locator("[data-testid=routing-row-status]")).ToHaveTextAsync("Saved.", new() { Timeout = 15_000 });
        Assert.Equal(4, await Host.WithDbAsync(db => db.OperatorSkills.Where(s => db.Users.Any(u => u.Id == s.OperatorId && u.Email == "olivia@shop.test"))
            .Select(s => s.Proficiency).SingleAsync()));

        await admin.Locator("[data-testid=admin-nav-start]").ClickAsync();
        await ExpectDoneAsync(admin, "site", true);
        await ExpectDoneAsync(admin, "topic", true);
        await ExpectDoneAsync(admin, "operator", true);
        await ExpectDoneAsync(admin, "snippet", false);

        // The operator accepts in their own browser, sets a password and goes online.
        var operatorPage = await NewPageAsync();
        await operatorPage.GotoAsync(invitationUrl);
        await Assertions.Expect(operatorPage.Locator("[data-testid=invitation-email]")).ToHaveTextAsync("olivia@shop.test", new() { Timeout = 15_000 });
        await operatorPage.Locator("input[name=password]").FillAsync("olivia-long-pass");
        await operatorPage.Locator("input[name=confirmPassword]").FillAsync("olivia-long-pass");
        await operatorPage.Locator("[data-testid=invitation-submit]").ClickAsync();
        await Assertions.Expect(operatorPage.Locator("[data-testid=connection-status]")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 15_000 });
        await operatorPage.Locator("[data-testid=presence]").SelectOptionAsync("online");
        for (var i = 0; i < 150 && !await Host.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "olivia@shop.test" && u.Status == "online")); i++)
            await Task.Delay(100);
        Assert.True(await Host.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "olivia@shop.test" && u.Status == "online")), "Olivia did not go online.");

        // The customer's website: one page of that origin with the snippet pasted in.
        await using var shop = await ShopWebsiteAsync($"<!doctype html><html><head><title>Test Shop</title></head><body><h1>Test Shop</h1>{snippetHtml}</body></html>");
        var visitorPage = await NewPageAsync();
        await visitorPage.GotoAsync($"{ShopOrigin}/");
        var widget = await BrowserSteps.OpenWidgetAsync(visitorPage);
        await widget.Locator("input[name=name]").FillAsync("Vic Visitor");
        await widget.Locator("select[name=topic]").SelectOptionAsync("orders");
        await widget.Locator("[data-testid=prechat-submit]").ClickAsync();
        await Assertions.Expect(widget.Locator("[data-testid=operator-name]")).ToHaveTextAsync("Olivia", new() { Timeout = 15_000 });

        await widget.Locator("[data-testid=composer]").FillAsync("Where is my order?");
        await widget.Locator("[data-testid=composer]").PressAsync("Enter");
        var chatItem = operatorPage.Locator("[data-testid=chat-item]");
        await Assertions.Expect(chatItem).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await chatItem.ClickAsync();
        await Assertions.Expect(operatorPage.Locator("[data-testid=visitor-name]")).ToHaveTextAsync("Vic Visitor");
        await Assertions.Expect(BrowserSteps.MessageTexts(operatorPage)).ToHaveTextAsync(["Where is my order?"], new() { Timeout = 15_000 });
        await operatorPage.Locator("[data-testid=composer]").FillAsync("It ships today.");
        await operatorPage.Locator("[data-testid=send]").ClickAsync();
        await Assertions.Expect(BrowserSteps.MessageTexts(widget)).ToHaveTextAsync(["Where is my order?", "It ships today."], new() { Timeout = 15_000 });

        await admin.ReloadAsync();
        foreach (var step in new[] { "site", "topic", "operator", "snippet", "testChat" })
            await ExpectDoneAsync(admin, step, true);
    }
}
