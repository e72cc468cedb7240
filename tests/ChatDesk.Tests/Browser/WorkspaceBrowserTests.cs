using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class WorkspaceBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private static readonly LocatorAssertionsToHaveTextOptions Wait = new() { Timeout = 15_000 };
    private BrowserSteps Steps => new(browser, Host);

    private static ILocator ChatItem(IPage page, Guid conversationId) =>
        page.Locator($"[data-testid=chat-item][data-conversation-id='{conversationId}']");

    private Task<string> IdOfAsync(string email) => Host.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    [Fact]
    public async Task An_operator_juggles_three_chats_with_correct_unread_counts()
    {
        var console = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var chats = new List<Guid>();
        foreach (var name in new[] { "Ann", "Ben", "Cat" })
            chats.Add((await StartVisitorChatAsync(name, name: name)).Conversation.ConversationId);
        await Assertions.Expect(console.Locator("[data-testid=chat-item]")).ToHaveCountAsync(3, new() { Timeout = 15_000 });

        await ChatItem(console, chats[0]).ClickAsync();
        await Driver.InvokeAsync("Ann", "SendMessage", TestApi.Message("I am in the open chat"));
        await Driver.InvokeAsync("Ben", "SendMessage", TestApi.Message("Hello?"));
        await Driver.InvokeAsync("Ben", "SendMessage", TestApi.Message("Anyone there?"));
        await Driver.InvokeAsync("Cat", "SendMessage", TestApi.Message("Question about boots"));

        await Assertions.Expect(ChatItem(console, chats[1]).Locator("[data-testid=unread]")).ToHaveTextAsync("2", Wait);
        await Assertions.Expect(ChatItem(console, chats[2]).Locator("[data-testid=unread]")).ToHaveTextAsync("1", Wait);
        await Assertions.Expect(ChatItem(console, chats[0]).Locator("[data-testid=unread]")).ToBeHiddenAsync();
        await Assertions.Expect(BrowserSteps.MessageTexts(console)).ToHaveTextAsync(["I am in the open chat"], Wait);

        await ChatItem(console, chats[1]).ClickAsync();
        await Assertions.Expect(BrowserSteps.MessageTexts(console)).ToHaveTextAsync(["Hello?", "Anyone there?"], Wait);
        await Assertions.Expect(ChatItem(console, chats[1]).Locator("[data-testid=unread]")).ToBeHiddenAsync();
        await Assertions.Expect(ChatItem(console, chats[2]).Locator("[data-testid=unread]")).ToHaveTextAsync("1");
    }

    [Fact]
    public async Task Typing_a_shortcut_and_Tab_inserts_the_answer_with_the_visitors_name()
    {
        using (var admin = await TestApi.AdminClientAsync(Host))
            (await admin.PostAsJsonAsync("/api/answers", new { shortcut = "#refund", title = "Refund policy", body = "Hello {visitor.name}, your refund takes 5 days.", personal = false })).EnsureSuccessStatusCode();
        var console = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", name: "Vera");
        await ChatItem(console, chat.ConversationId).ClickAsync();

        var composer = console.Locator("[data-testid=composer]");
        await composer.PressSequentiallyAsync("#ref");
        await Assertions.Expect(console.Locator("[data-testid=answer-suggestion]")).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await composer.PressAsync("Tab");

        await Assertions.Expect(composer).ToHaveValueAsync("Hello Vera, your refund takes 5 days.");
        await composer.PressAsync("Enter");
        var received = MessageOf((await Driver.WaitForEventsAsync("visitor", "MessageReceived"))[0]);
        Assert.Equal("Hello Vera, your refund takes 5 days.", received.Text);
        for (var i = 0; i < 100 && await CountAsync(db => db.Answers.CountAsync(a => a.UsageCount == 1)) == 0; i++)
            await Task.Delay(50);
        Assert.Equal(1, await CountAsync(db => db.Answers.CountAsync(a => a.UsageCount == 1)));
    }

    [Fact]
    public async Task The_operator_sees_the_visitors_draft_before_they_press_Enter()
    {
        var console = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var visitor = await Steps.NewPageAsync();
        var widget = await Steps.StartWidgetChatAsync(visitor, "Dora Draft", "billing");
        await Assertions.Expect(widget.Locator("[data-testid=operator-name]")).ToHaveTextAsync("Alice", Wait);
        await Assertions.Expect(widget.Locator("[data-testid=typing-preview-notice]")).ToBeVisibleAsync();
        await console.Locator("[data-testid=chat-item]").ClickAsync();

        await widget.Locator("[data-testid=composer]").PressSequentiallyAsync("My order 1234 never arrived");

        await Assertions.Expect(console.Locator("[data-testid=visitor-draft]")).ToContainTextAsync("My order 1234 never arrived", new() { Timeout = 15_000 });
        Assert.Equal(0, await CountAsync(db => db.Messages.CountAsync()));
    }

    [Fact]
    public async Task A_transfer_between_two_operator_browsers_keeps_the_history_and_the_note()
    {
        var alice = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var chloe = await Steps.OperatorLoggedInAsync(TestApi.ChloeEmail, TestApi.ChloePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", name: "Tom Transfer");
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("I was charged twice"));
        await ChatItem(alice, chat.ConversationId).ClickAsync();
        await Assertions.Expect(BrowserSteps.MessageTexts(alice)).ToHaveTextAsync(["I was charged twice"], Wait);

        await alice.Locator("[data-testid=transfer]").ClickAsync();
        var dialog = alice.Locator("[data-testid=transfer-dialog]");
        await dialog.Locator($"[data-testid=transfer-operator][value='{await IdOfAsync(TestApi.ChloeEmail)}']").CheckAsync();
        await dialog.Locator("textarea[name=note]").FillAsync("Double charge on invoice 42, refund approved");
        await dialog.Locator("[data-testid=transfer-confirm]").ClickAsync();

        await ChatItem(chloe, chat.ConversationId).ClickAsync(new() { Timeout = 15_000 });
        await Assertions.Expect(BrowserSteps.MessageTexts(chloe).First).ToHaveTextAsync("I was charged twice", Wait);
        await Assertions.Expect(chloe.Locator("[data-testid=note]")).ToContainTextAsync("Double charge on invoice 42, refund approved", new() { Timeout = 15_000 });
        Assert.Equal("Chloé", (await Driver.WaitForEventsAsync("visitor", "ChatAssigned", 2))[^1].Args[0]!["operatorName"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_invited_operator_writes_in_the_same_chat()
    {
        var alice = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var chloe = await Steps.OperatorLoggedInAsync(TestApi.ChloeEmail, TestApi.ChloePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", name: "Ivy Invite");
        await ChatItem(alice, chat.ConversationId).ClickAsync();

        await alice.Locator("[data-testid=invite]").ClickAsync();
        var dialog = alice.Locator("[data-testid=invite-dialog]");
        await dialog.Locator($"[data-testid=invite-operator][value='{await IdOfAsync(TestApi.ChloeEmail)}']").CheckAsync();
        await dialog.Locator("[data-testid=invite-confirm]").ClickAsync();

        await ChatItem(chloe, chat.ConversationId).ClickAsync(new() { Timeout = 15_000 });
        await chloe.Locator("[data-testid=composer]").FillAsync("Chloé from billing here");
        await chloe.Locator("[data-testid=send]").ClickAsync();

        await Assertions.Expect(BrowserSteps.MessageTexts(alice).Filter(new() { HasText = "Chloé from billing here" })).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await Driver.WaitForEventsAsync("visitor", "MessageReceived", 2); // the "joined" notice and Chloé's message
        Assert.Contains(Driver.Events("visitor", "MessageReceived").Select(MessageOf), m => m.Text == "Chloé from billing here" && m.AuthorName == "Chloé");
    }

    [Fact]
    public async Task A_wrap_up_disposition_is_recorded()
    {
        var alice = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", name: "Wes Wrap");
        await ChatItem(alice, chat.ConversationId).ClickAsync();
        await alice.Locator("[data-testid=end-chat]").ClickAsync();

        var form = alice.Locator("[data-testid=wrapup-form]");
        await Assertions.Expect(form).ToBeVisibleAsync(new() { Timeout = 15_000 });
        await form.Locator("select[name=disposition]").SelectOptionAsync("follow_up");
        await form.Locator("textarea[name=notes]").FillAsync("Call back on Monday");
        await form.Locator("input[name=tags]").FillAsync("refund, vip");
        await form.Locator("[data-testid=wrapup-submit]").ClickAsync();

        await Assertions.Expect(alice.Locator("[data-testid=wrapup-done]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var recorded = await Host.WithDbAsync(db => db.Conversations.AsNoTracking().SingleAsync(c => c.Id == chat.ConversationId));
        Assert.Equal(("follow_up", "Call back on Monday", false), (recorded.Disposition, recorded.WrapUpNotes, recorded.WrapUpAuto));
        Assert.Equal(["refund", "vip"], recorded.Tags);
    }
}
