using ChatDesk.Server.Chats;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class RoutingBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private static readonly LocatorAssertionsToContainTextOptions Wait = new() { Timeout = 15_000 };

    private BrowserSteps Steps => new(browser, Host);

    [Fact]
    public async Task A_waiting_visitor_sees_their_place_go_3_2_1_and_then_the_operators_name()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.BobEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword);
        var ahead = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            ahead.Add((await StartVisitorChatAsync($"v{i}", topic: "sales")).Conversation.ConversationId);
            Host.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        var page = await Steps.NewPageAsync();
        var widget = await Steps.StartWidgetChatAsync(page, "Quentin Queue", "sales");
        var position = widget.Locator("[data-testid=queue-position]");
        await Assertions.Expect(position).ToContainTextAsync("3", Wait);
        await Assertions.Expect(widget.Locator("[data-testid=queue-estimate]")).ToBeVisibleAsync();

        foreach (var (conversationId, expected) in ahead.Zip(["2", "1"]))
        {
            await Driver.InvokeAsync("bob", "EndChat", conversationId);
            await Assertions.Expect(position).ToContainTextAsync(expected, Wait);
        }
        await Driver.InvokeAsync("bob", "EndChat", ahead[2]);

        await Assertions.Expect(widget.Locator("[data-testid=operator-name]")).ToHaveTextAsync("Bob", new() { Timeout = 15_000 });
        await Assertions.Expect(position).ToBeHiddenAsync();
    }

    [Fact]
    public async Task With_nobody_available_the_visitor_leaves_an_offline_message_that_reaches_the_console()
    {
        var console = await Steps.OperatorLoggedInAsync(TestApi.BobEmail, TestApi.BobPassword); // no billing skill
        var page = await Steps.NewPageAsync();
        var widget = await Steps.StartWidgetChatAsync(page, "Olga Offline", "billing");

        var form = widget.Locator("[data-testid=offline-form]");
        await Assertions.Expect(form).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await form.Locator("input[name=email]").FillAsync("olga@example.com");
        await form.Locator("textarea[name=text]").FillAsync("Please call me back <b>about</b> my invoice.");
        await widget.Locator("[data-testid=offline-submit]").ClickAsync();
        await Assertions.Expect(widget.Locator("[data-testid=offline-sent]")).ToBeVisibleAsync(new() { Timeout = 15_000 });

        var item = console.Locator("[data-testid=offline-message]");
        await Assertions.Expect(item).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Assertions.Expect(item).ToContainTextAsync("Please call me back <b>about</b> my invoice.");
        await Assertions.Expect(item).ToContainTextAsync("olga@example.com");
        await item.Locator("[data-testid=mark-handled]").ClickAsync();
        await Assertions.Expect(item.Locator("[data-testid=mark-handled]")).ToBeHiddenAsync(new() { Timeout = 15_000 });
        Assert.Equal(1, await CountAsync(db => db.OfflineMessages.CountAsync(m => m.HandledAt != null)));
    }
}
