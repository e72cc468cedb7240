using ChatDesk.Server.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>What people do in the browser, shared by the browser tests.</summary>
public sealed class BrowserSteps(BrowserFixture browser, ChatDeskTestHost host)
{
    public async Task<IPage> NewPageAsync(string locale = "en-US")
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = locale });
        return await context.NewPageAsync();
    }

    /// <summary>An operator signs in to the console and goes online.</summary>
    public async Task<IPage> OperatorLoggedInAsync(string email, string password)
    {
        var page = await NewPageAsync();
        await page.GotoAsync(host.ConsoleUrl);
        await page.Locator("input[name=email]").FillAsync(email);
        await page.Locator("input[name=password]").FillAsync(password);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=connection-status]")).ToHaveAttributeAsync("data-state", "connected", new() { Timeout = 15_000 });
        await page.Locator("[data-testid=presence]").SelectOptionAsync("online");
        for (var i = 0; i < 150 && !await IsOnlineAsync(email); i++)
            await Task.Delay(100);
        Assert.True(await IsOnlineAsync(email), $"{email} did not go online.");
        return page;
    }

    /// <summary>Opens the widget on a page of the demo site (or finds it open) and returns its frame.</summary>
    public static async Task<IFrameLocator> OpenWidgetAsync(IPage page)
    {
        var frame = page.FrameLocator("[data-testid=chatdesk-frame]");
        var launcher = page.Locator("[data-testid=chatdesk-launcher]");
        await Assertions.Expect(launcher).ToBeVisibleAsync(new() { Timeout = 15_000 });
        if (!await page.Locator("[data-testid=chatdesk-frame]").IsVisibleAsync())
            await launcher.ClickAsync();
        await Assertions.Expect(frame.Locator("[data-testid=prechat-form]:visible, [data-testid=message-list]:visible").First).ToBeVisibleAsync(new() { Timeout = 15_000 });
        return frame;
    }

    /// <summary>A visitor on the demo site opens the widget and submits the pre-chat form.</summary>
    public async Task<IFrameLocator> StartWidgetChatAsync(IPage page, string name, string topic, string? email = null)
    {
        await page.GotoAsync(host.DemoSiteUrl);
        var widget = await OpenWidgetAsync(page);
        await widget.Locator("input[name=name]").FillAsync(name);
        if (email is not null)
            await widget.Locator("input[name=email]").FillAsync(email);
        await widget.Locator("select[name=topic]").SelectOptionAsync(topic);
        await widget.Locator("[data-testid=prechat-submit]").ClickAsync();
        return widget;
    }

    public static ILocator MessageTexts(IPage page) => page.Locator("[data-testid=message] [data-testid=message-text]");

    public static ILocator MessageTexts(IFrameLocator frame) => frame.Locator("[data-testid=message] [data-testid=message-text]");

    private Task<bool> IsOnlineAsync(string email) =>
        host.WithDbAsync((ChatDeskDbContext db) => db.Users.AnyAsync(u => u.Email == email && u.Status == "online"));
}
