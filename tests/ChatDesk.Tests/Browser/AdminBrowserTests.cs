using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

/// <summary>Each admin page's main path and its validation errors, in the real console.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 15_000 };
    private static readonly LocatorAssertionsToContainTextOptions Contains = new() { Timeout = 15_000 };

    protected override ChatDeskTestHost CreateHost() => new() { Settings = new Dictionary<string, string?> { ["ChatDesk:Identity:MaxFailedLogins"] = "2" } };

    private async Task<IPage> SignedInAsync(string email, string password, string hash = "")
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { Locale = "en-US" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(Host.ConsoleUrl + hash);
        await page.Locator("input[name=email]").FillAsync(email);
        await page.Locator("input[name=password]").FillAsync(password);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        return page;
    }

    private Task<IPage> AdminAsync() => SignedInAsync("admin@chatdesk.local", "admin-demo-pass");

    [Fact]
    public async Task People_a_bad_email_is_shown_next_to_its_field_and_disabling_asks_first_then_shows_in_the_audit_log()
    {
        var admin = await AdminAsync();
        await admin.Locator("[data-testid=admin-nav-people]").ClickAsync();
        await admin.Locator("[data-testid=person-new]").ClickAsync();
        var form = admin.Locator("[data-testid=person-form]");
        await form.Locator("input[name=email]").FillAsync("not an email");
        await form.Locator("input[name=displayName]").FillAsync("Nina <b>New</b>");
        await form.Locator("input[name=roles][value=Manager]").CheckAsync();
        await admin.Locator("[data-testid=person-save]").ClickAsync();
        await Assertions.Expect(form.Locator("[data-testid='field-error-email']")).ToBeVisibleAsync(Visible);
        await form.Locator("input[name=email]").FillAsync("nina@shop.example");
        await form.Locator("input[name=password]").FillAsync("nina-long-password");
        await admin.Locator("[data-testid=person-save]").ClickAsync();
        var nina = admin.Locator("[data-testid=person-row][data-email='nina@shop.example']");
        await Assertions.Expect(nina).ToContainTextAsync("Nina <b>New</b>", Contains);

        var bob = admin.Locator($"[data-testid=person-row][data-email='{TestApi.BobEmail}']");
        await bob.Locator("[data-testid=person-disable]").ClickAsync();
        await admin.Locator("[data-testid=confirm-cancel]").ClickAsync();
        Assert.False(await Host.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == TestApi.BobEmail && u.DisabledAt != null)));
        await bob.Locator("[data-testid=person-disable]").ClickAsync();
        await admin.Locator("[data-testid=confirm-ok]").ClickAsync();
        await Assertions.Expect(bob.Locator("[data-testid=person-disabled]")).ToBeVisibleAsync(Visible);
        Assert.True(await Host.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == TestApi.BobEmail && u.DisabledAt != null)));

        await admin.Locator("[data-testid=admin-nav-audit]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=audit-row][data-type='admin.person_disabled']")).ToContainTextAsync(TestApi.BobEmail, Contains);
        await Assertions.Expect(admin.Locator("[data-testid=audit-row][data-type='admin.person_created']")).ToContainTextAsync("nina@shop.example", Contains);
        await admin.Locator("[data-testid=audit-filter-type]").SelectOptionAsync("admin.skill");
        await admin.Locator("[data-testid=audit-apply]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=audit-row]")).ToHaveCountAsync(0, new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task Skills_are_renamed_in_place_and_a_skill_a_topic_still_asks_for_cannot_be_retired()
    {
        var admin = await AdminAsync();
        await admin.Locator("[data-testid=admin-nav-skills]").ClickAsync();
        var sales = admin.Locator("[data-testid=skill-row][data-key=sales]");
        await sales.Locator("[data-testid=skill-rename]").ClickAsync();
        await sales.Locator("[data-testid=skill-rename-input]").FillAsync("Sales team");
        await sales.Locator("[data-testid=skill-rename-save]").ClickAsync();
        await Assertions.Expect(sales.Locator("[data-testid=skill-name]")).ToHaveTextAsync("Sales team", new() { Timeout = 15_000 });

        await admin.Locator("[data-testid=skill-row][data-key=billing] [data-testid=skill-retire]").ClickAsync();
        await admin.Locator("[data-testid=confirm-ok]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=confirm-error]")).ToContainTextAsync("billing", Contains);
        Assert.False(await Host.WithDbAsync(db => db.Skills.AnyAsync(s => s.Key == "billing" && s.RetiredAt != null)));
    }

    [Fact]
    public async Task Sites_a_bad_retention_and_ring_timeout_are_refused_next_to_their_fields_then_saved()
    {
        var admin = await AdminAsync();
        await admin.Locator("[data-testid=admin-nav-sites]").ClickAsync();
        await admin.Locator("[data-testid=site-row][data-key=demo] a").First.ClickAsync();
        var form = admin.Locator("[data-testid=site-form]");
        await Assertions.Expect(form.Locator("input[name=name]")).ToHaveValueAsync("Demo Outdoor Shop", new() { Timeout = 15_000 });
        await form.Locator("input[name=retentionDays]").FillAsync("0");
        await admin.Locator("[data-testid=site-save]").ClickAsync();
        await Assertions.Expect(form.Locator("[data-testid='field-error-retentionDays']")).ToBeVisibleAsync(Visible);
        await form.Locator("input[name=retentionDays]").FillAsync("30");
        await form.Locator("input[name=name]").FillAsync("Trailhead");
        await admin.Locator("[data-testid=site-save]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=site-status]")).ToContainTextAsync("Saved", Contains);
        await Assertions.Expect(admin.Locator("[data-testid=site-preview]")).ToContainTextAsync("Trailhead");
        Assert.Equal((30, "Trailhead"), await Host.WithDbAsync(db => db.Sites.Where(s => s.Key == "demo").Select(s => new ValueTuple<int?, string>(s.RetentionDays, s.Name)).SingleAsync()));

        var routing = admin.Locator("[data-testid=site-routing-form]");
        await routing.Locator("input[name=ringTimeoutSeconds]").FillAsync("1");
        await admin.Locator("[data-testid=site-routing-save]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=site-routing-status], [data-testid='field-error-ringTimeoutSeconds']").First).ToContainTextAsync("5", Contains);
        await routing.Locator("input[name=ringTimeoutSeconds]").FillAsync("45");
        await admin.Locator("[data-testid=site-routing-save]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=site-routing-status]")).ToContainTextAsync("Saved", Contains);
        Assert.Equal(45, await Host.WithDbAsync(db => db.Sites.Where(s => s.Key == "demo").Select(s => s.RingTimeoutSeconds).SingleAsync()));
    }

    [Fact]
    public async Task Privacy_an_admin_finds_a_visitor_by_email_exports_their_data_and_erases_it_after_confirming()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (session, chat) = await StartVisitorChatAsync("visitor");
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("My address is 1 Main St"));
        await Driver.InvokeAsync("visitor", "EndChat");

        var admin = await AdminAsync();
        await admin.Locator("[data-testid=admin-nav-privacy]").ClickAsync();
        var search = admin.Locator("[data-testid=privacy-search]");
        await search.Locator("input[name=email]").FillAsync("not-an-email");
        await admin.Locator("[data-testid=privacy-search-submit]").ClickAsync();
        await Assertions.Expect(search.Locator("[data-testid='field-error-email']")).ToBeVisibleAsync(Visible);
        await search.Locator("input[name=email]").FillAsync("vera@example.com");
        await admin.Locator("[data-testid=privacy-search-submit]").ClickAsync();
        var result = admin.Locator($"[data-testid=privacy-result][data-visitor-id='{session.VisitorId}']");
        await Assertions.Expect(result).ToContainTextAsync("Vera Visitor", Contains);
        var download = await admin.RunAndWaitForDownloadAsync(() => result.Locator("[data-testid=privacy-export]").ClickAsync());
        Assert.Contains("1 Main St", await File.ReadAllTextAsync((await download.PathAsync())!));

        await result.Locator("[data-testid=privacy-erase]").ClickAsync();
        await admin.Locator("[data-testid=confirm-ok]").ClickAsync();
        await Assertions.Expect(admin.Locator("[data-testid=privacy-erased]")).ToContainTextAsync("1", Contains);
        Assert.Equal(0, await CountAsync(db => db.Messages.CountAsync(m => m.ConversationId == chat.ConversationId)));
        Assert.Equal("", await Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == chat.ConversationId).Select(c => c.VisitorName).SingleAsync()));
    }

    [Fact]
    public async Task Account_a_wrong_current_password_is_refused_next_to_its_field_and_a_good_change_is_confirmed()
    {
        var page = await SignedInAsync(TestApi.ChloeEmail, TestApi.ChloePassword, "#account");
        await Assertions.Expect(page.Locator("[data-testid=password-form]")).ToBeVisibleAsync(Visible);
        var form = page.Locator("[data-testid=password-form]");
        await form.Locator("input[name=currentPassword]").FillAsync("not-my-password");
        await form.Locator("input[name=newPassword]").FillAsync("chloe-new-long-pass");
        await form.Locator("input[name=confirmPassword]").FillAsync("chloe-new-long-pass");
        await page.Locator("[data-testid=password-submit]").ClickAsync();
        await Assertions.Expect(form.Locator("[data-testid='field-error-currentPassword']")).ToBeVisibleAsync(Visible);
        await form.Locator("input[name=currentPassword]").FillAsync(TestApi.ChloePassword);
        await page.Locator("[data-testid=password-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=password-status]")).Not.ToBeEmptyAsync(new() { Timeout = 15_000 });
        await TestApi.LoginAsync(Host, TestApi.ChloeEmail, "chloe-new-long-pass");
    }

    [Fact]
    public async Task The_login_says_when_an_account_is_locked_and_says_the_same_for_an_unknown_email_and_a_wrong_password()
    {
        var page = await SignedInAsync("nobody@shop.example", "whatever-password");
        var error = page.Locator("[data-testid=login-error]");
        await Assertions.Expect(error).Not.ToBeEmptyAsync(new() { Timeout = 15_000 });
        var unknown = await error.TextContentAsync();
        await page.Locator("input[name=email]").FillAsync(TestApi.BobEmail);
        await page.Locator("input[name=password]").FillAsync("wrong-password");
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Assertions.Expect(error).ToHaveTextAsync(unknown!, new() { Timeout = 15_000 });
        await page.Locator("input[name=password]").FillAsync("wrong-password-again");
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Assertions.Expect(error).Not.ToHaveTextAsync(unknown!, new() { Timeout = 15_000 });
        await Assertions.Expect(error).ToContainTextAsync("locked", new() { Timeout = 15_000, IgnoreCase = true });
    }
}
