using ChatDesk.Server.Chats;
using ChatDesk.Tests.Infrastructure;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Chats;

/// <summary>
/// The visitor reaches ChatDesk through a TCP proxy the test can cut: messages the operator sends
/// while the visitor is disconnected arrive after the reconnect, once each and in order.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ReconnectTests(BrowserFixture browser) : ChatTestBase
{
    private TcpProxy proxy = null!;

    protected override ChatDeskTestHost CreateHost()
    {
        var port = TestPostgres.FreePort();
        proxy = new TcpProxy(port);
        return new ChatDeskTestHost { Port = port, PublicUrlOverride = $"http://localhost:{proxy.Port}" };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await proxy.DisposeAsync();
    }

    [Fact]
    public async Task The_widget_shows_messages_sent_while_its_connection_was_cut_once_each_and_in_order()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var page = await (await browser.Browser.NewContextAsync()).NewPageAsync();
        await page.GotoAsync(Host.DemoSiteUrl);
        var widget = await BrowserSteps.OpenWidgetAsync(page);
        await widget.Locator("input[name=name]").FillAsync("Rita Reconnect");
        await widget.Locator("select[name=topic]").SelectOptionAsync("billing");
        await widget.Locator("[data-testid=prechat-submit]").ClickAsync();
        await Assertions.Expect(widget.Locator("[data-testid=operator-name]")).ToHaveTextAsync("Alice", new() { Timeout = 15_000 });
        await widget.Locator("[data-testid=composer]").FillAsync("before the cut");
        await widget.Locator("[data-testid=composer]").PressAsync("Enter");
        var conversationId = (await Driver.WaitForEventsAsync("alice", "ChatAssigned"))[0].Args[0]!["conversationId"]!.GetValue<Guid>();
        await Driver.WaitForEventsAsync("alice", "MessageReceived");

        proxy.Block();
        await Assertions.Expect(widget.Locator("[data-testid=connection-status]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        foreach (var text in new[] { "one", "two", "three" })
            await Driver.InvokeAsync("alice", "SendMessage", conversationId, TestApi.Message(text));
        proxy.Unblock();

        await Assertions.Expect(BrowserSteps.MessageTexts(widget))
            .ToHaveTextAsync(["before the cut", "one", "two", "three"], new() { Timeout = 30_000 });
        await Assertions.Expect(widget.Locator("[data-testid=message][data-seq]")).ToHaveCountAsync(4);
    }

    [Fact]
    public async Task After_a_cut_a_client_fetches_exactly_the_messages_after_the_last_sequence_it_saw()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("visitor", $"http://127.0.0.1:{proxy.Port}", session.VisitorToken, retryMs: [0, 100, 200, 400, 800, 1000, 1000, 1000]);
        var started = await Driver.InvokeAsync<ConversationView>("visitor", "StartChat", TestApi.ChatRequest());
        var first = await Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message("before the cut"));

        proxy.Block();
        await Driver.WaitForEventsAsync("visitor", "$reconnecting");
        foreach (var text in new[] { "one", "two", "three" })
            await Driver.InvokeAsync("alice", "SendMessage", started.ConversationId, TestApi.Message(text));
        proxy.Unblock();
        await Driver.WaitForEventsAsync("visitor", "$reconnected", timeout: TimeSpan.FromSeconds(20));

        var missed = await Driver.InvokeAsync<List<MessageDto>>("visitor", "GetMessagesAfter", first.Sequence);
        Assert.Equal(["one", "two", "three"], missed.Select(m => m.Text));
        Assert.Equal([2, 3, 4], missed.Select(m => m.Sequence));
        Assert.DoesNotContain(Driver.Events("visitor", "MessageReceived").Select(MessageOf), m => m.Sequence > 1);
    }
}
