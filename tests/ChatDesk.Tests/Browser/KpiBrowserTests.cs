using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Kpis;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

/// <summary>The manager dashboard and the live board in Chromium, on the real server.</summary>
[Collection(BrowserCollection.Name)]
public sealed class KpiBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private static readonly LocatorAssertionsToHaveTextOptions Wait = new() { Timeout = 20_000 };
    private BrowserSteps Steps => new(browser, Host);

    /// <summary>Signs in to the console without going online (managers are not operators).</summary>
    private async Task<IPage> SignedInAsync(string email, string password)
    {
        var page = await Steps.NewPageAsync();
        await page.GotoAsync(Host.ConsoleUrl);
        await page.Locator("input[name=email]").FillAsync(email);
        await page.Locator("input[name=password]").FillAsync(password);
        await page.Locator("[data-testid=login-submit]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=dashboard-open]")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        return page;
    }

    private static ILocator Card(IPage page, string kpi) => page.Locator($"[data-testid=kpi-card][data-kpi={kpi}]");

    [Fact]
    public async Task A_manager_sees_cards_against_targets_and_the_conversations_behind_a_figure_and_an_operator_only_their_own()
    {
        using (var api = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass"))
            (await api.PutAsJsonAsync("/api/kpis/targets", new[]
            {
                new TargetDto(null, "abandonmentRate", null, 0.03, "lower", "week"), new TargetDto(null, "nps", null, 70, "higher", "month"),
            })).EnsureSuccessStatusCode();
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        // Answered by Alice after 12 s and rated 10; another visitor leaves unanswered.
        var (_, answered) = await StartVisitorChatAsync("answered", name: "Paula Promoter");
        Host.Clock.Advance(TimeSpan.FromSeconds(12));
        await Driver.InvokeAsync("alice", "SendMessage", answered.ConversationId, TestApi.Message("Hello!"));
        await Driver.InvokeAsync("alice", "EndChat", answered.ConversationId);
        await Driver.InvokeAsync("alice", "CompleteWrapUp", answered.ConversationId, new WrapUpRequest("resolved", null, null));
        await Driver.InvokeAsync("answered", "SubmitSurvey", new ChatDesk.Server.Surveys.SurveyRequest(5, 10, null, true, null));
        await StartVisitorChatAsync("leaving", name: "Lena Leaving");
        await Driver.InvokeAsync("leaving", "EndChat");

        var manager = await SignedInAsync("manager@chatdesk.local", "manager-demo-pass");
        await manager.Locator("[data-testid=dashboard-open]").ClickAsync();
        await Assertions.Expect(Card(manager, "abandonmentRate").Locator("[data-testid=kpi-value]")).ToHaveTextAsync("50.0%", Wait);
        await Assertions.Expect(Card(manager, "abandonmentRate").Locator("[data-testid=kpi-status]")).ToHaveAttributeAsync("data-status", "red");
        await Assertions.Expect(Card(manager, "nps").Locator("[data-testid=kpi-status]")).ToHaveAttributeAsync("data-status", "green");
        await Assertions.Expect(Card(manager, "frt").Locator("[data-testid=kpi-value]")).ToHaveTextAsync("0:12");
        await Assertions.Expect(manager.Locator("[data-testid=operator-row]")).ToContainTextAsync(["Alice"], new() { Timeout = 20_000 });

        // The figure's conversations: only the answered chat has a first response.
        await Card(manager, "frt").ClickAsync();
        var rows = manager.Locator("[data-testid=kpi-drilldown] [data-testid=kpi-conversation-row]");
        await Assertions.Expect(rows).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Assertions.Expect(rows.Locator("[data-column=visitorName]")).ToHaveTextAsync("Paula Promoter");
        await Assertions.Expect(rows.Locator("[data-column=frt]")).ToHaveTextAsync("0:12");
        await Assertions.Expect(rows).ToHaveAttributeAsync("data-conversation-id", answered.ConversationId.ToString());

        // Bob, an operator, sees his own figures only (he answered nothing), and no operator table.
        var bob = await SignedInAsync(TestApi.BobEmail, TestApi.BobPassword);
        await bob.Locator("[data-testid=dashboard-open]").ClickAsync();
        await Assertions.Expect(Card(bob, "frt").Locator("[data-testid=kpi-value]")).ToHaveTextAsync("—", Wait);
        await Assertions.Expect(Card(bob, "nps").Locator("[data-testid=kpi-value]")).ToHaveTextAsync("—");
        await Assertions.Expect(bob.Locator("[data-testid=operators-section]")).ToBeHiddenAsync();
        await Assertions.Expect(bob.Locator("[data-testid=operator-row]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task A_chat_that_starts_waiting_appears_on_the_live_board_without_a_reload()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await StartVisitorChatAsync("first");

        var page = await SignedInAsync("manager@chatdesk.local", "manager-demo-pass");
        await page.GotoAsync(Host.ConsoleUrl + "#board");
        var queue = page.Locator("[data-testid=board-tile][data-kpi=queue] [data-testid=board-value]");
        await Assertions.Expect(queue).ToHaveTextAsync("0", Wait);
        await Assertions.Expect(page.Locator("[data-testid=board-tile][data-kpi=activeChats] [data-testid=board-value]")).ToHaveTextAsync("1");

        // Alice is full: the next chat waits, and the board's next push shows it.
        await StartVisitorChatAsync("waiting");
        await Assertions.Expect(queue).ToHaveTextAsync("1", new() { Timeout = 30_000 });
        Host.Clock.Advance(TimeSpan.FromSeconds(45));
        await Assertions.Expect(page.Locator("[data-testid=board-alert-item][data-kind=wait]")).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }
}
