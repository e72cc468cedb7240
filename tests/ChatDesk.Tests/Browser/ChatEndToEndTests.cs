using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class ChatEndToEndTests(BrowserFixture browser) : ChatTestBase
{
    private BrowserSteps Steps => new(browser, Host);

    private static readonly LocatorAssertionsToHaveCountOptions Wait = new() { Timeout = 15_000 };

    [Fact]
    public async Task A_visitor_and_an_operator_chat_from_the_widget_to_the_console_and_the_history_survives_a_reload()
    {
        var operatorPage = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var visitorPage = await Steps.NewPageAsync();
        var widget = await Steps.StartWidgetChatAsync(visitorPage, "Vera Visitor", "billing", "vera@example.com");
        await Assertions.Expect(widget.Locator("[data-testid=operator-name]")).ToHaveTextAsync("Alice", new() { Timeout = 15_000 });

        await widget.Locator("[data-testid=composer]").FillAsync("Hello, my invoice is wrong");
        await widget.Locator("[data-testid=composer]").PressAsync("Enter");

        var chatItem = operatorPage.Locator("[data-testid=chat-item]");
        await Assertions.Expect(chatItem).ToHaveCountAsync(1, Wait);
        await chatItem.ClickAsync();
        await Assertions.Expect(operatorPage.Locator("[data-testid=visitor-name]")).ToHaveTextAsync("Vera Visitor");
        await Assertions.Expect(BrowserSteps.MessageTexts(operatorPage)).ToHaveTextAsync(["Hello, my invoice is wrong"]);
        await operatorPage.Locator("[data-testid=composer]").FillAsync("Let me check that for you.");
        await operatorPage.Locator("[data-testid=send]").ClickAsync();

        string[] conversation = ["Hello, my invoice is wrong", "Let me check that for you."];
        await Assertions.Expect(BrowserSteps.MessageTexts(widget)).ToHaveTextAsync(conversation);
        await Assertions.Expect(BrowserSteps.MessageTexts(operatorPage)).ToHaveTextAsync(conversation);
        await Assertions.Expect(widget.Locator("[data-testid=message][data-seq='2']")).ToHaveAttributeAsync("data-author", "operator");

        await visitorPage.ReloadAsync();
        widget = await BrowserSteps.OpenWidgetAsync(visitorPage);
        await Assertions.Expect(BrowserSteps.MessageTexts(widget)).ToHaveTextAsync(conversation, new() { Timeout = 15_000 });

        await visitorPage.GotoAsync(Host.DemoSiteOrigin + "/demo/pricing");
        widget = await BrowserSteps.OpenWidgetAsync(visitorPage);
        await Assertions.Expect(BrowserSteps.MessageTexts(widget)).ToHaveTextAsync(conversation, new() { Timeout = 15_000 });
        await widget.Locator("[data-testid=composer]").FillAsync("I am on the pricing page now");
        await widget.Locator("[data-testid=send]").ClickAsync();
        await Assertions.Expect(BrowserSteps.MessageTexts(operatorPage)).ToHaveTextAsync([.. conversation, "I am on the pricing page now"]);

        await operatorPage.Locator("[data-testid=end-chat]").ClickAsync();
        await Assertions.Expect(widget.Locator("[data-testid=chat-ended]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(widget.Locator("[data-testid=composer]")).ToBeDisabledAsync();
        Assert.Equal(1, await CountAsync(db => db.Conversations.CountAsync(c => c.Status == "ended" && c.EndedBy == "operator")));
    }

    [Fact]
    public async Task Names_and_messages_are_shown_as_text_never_as_markup()
    {
        var operatorPage = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        const string name = "<img src=x onerror=\"window.__pwned=1\">";
        const string text = "<b>bold?</b><script>window.__pwned=2</script>";
        await StartVisitorChatAsync("visitor", name: name);
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message(text));

        var chatItem = operatorPage.Locator("[data-testid=chat-item]");
        await Assertions.Expect(chatItem).ToHaveCountAsync(1, Wait);
        await chatItem.ClickAsync();
        await Assertions.Expect(operatorPage.Locator("[data-testid=visitor-name]")).ToHaveTextAsync(name);
        await Assertions.Expect(BrowserSteps.MessageTexts(operatorPage)).ToHaveTextAsync([text]);
        Assert.Equal(0, await operatorPage.Locator("[data-testid=chat-view] img, [data-testid=chat-view] b").CountAsync());
        Assert.True(await operatorPage.EvaluateAsync<bool>("() => window.__pwned === undefined"));
    }

    [Fact]
    public async Task The_console_shows_a_clear_error_for_a_wrong_password()
    {
        var page = await Steps.NewPageAsync(locale: "fr-FR");
        await page.GotoAsync(Host.ConsoleUrl);
        await page.Locator("input[name=email]").FillAsync(TestApi.AliceEmail);
        await page.Locator("input[name=password]").FillAsync("wrong-password");
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=login-error]")).ToBeVisibleAsync();
        Assert.Equal("fr", await page.EvaluateAsync<string>("() => document.documentElement.lang"));
        await Assertions.Expect(page.Locator("input[name=email]")).ToHaveValueAsync(TestApi.AliceEmail);
    }
}
