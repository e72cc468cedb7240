using System.Text.Json;
using ChatDesk.Server.Events;
using ChatDesk.Server.RemoteSupport;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace ChatDesk.Tests.Browser;

/// <summary>
/// Screen share and co-browse between a visitor's browser and an operator's console: Chromium's fake
/// screen, peer to peer over loopback only (the test host has clients signal 127.0.0.1 candidates).
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class RemoteBrowserTests(BrowserFixture browser) : ChatTestBase
{
    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 20_000 };
    private BrowserSteps Steps => new(browser, Host);

    /// <summary>Alice's console has the visitor's chat open; the visitor's widget shows Alice.</summary>
    private async Task<(IPage Console, IPage Visitor, IFrameLocator Widget)> ChatOpenOnBothSidesAsync(string visitorName)
    {
        var console = await Steps.OperatorLoggedInAsync(TestApi.AliceEmail, TestApi.AlicePassword);
        var visitor = await Steps.NewPageAsync();
        var widget = await Steps.StartWidgetChatAsync(visitor, visitorName, "billing");
        await Assertions.Expect(widget.Locator("[data-testid=operator-name]")).ToHaveTextAsync("Alice", new() { Timeout = 20_000 });
        await console.Locator("[data-testid=chat-item]").ClickAsync(new() { Timeout = 20_000 });
        return (console, visitor, widget);
    }

    private Task<List<RemoteSession>> SessionsAsync() => Host.WithDbAsync(db => db.RemoteSessions.AsNoTracking().ToListAsync());

    private async Task<List<EventRecord>> RemoteEventsAsync() =>
        await Host.WithDbAsync(db => db.Events.AsNoTracking().Where(e => e.Type.StartsWith("remote.")).OrderBy(e => e.Id).ToListAsync());

    /// <summary>Waits until the console's video shows frames: a size, and time moving on.</summary>
    private static async Task AssertVideoPlaysAsync(IPage console)
    {
        var video = console.Locator("[data-testid=remote-video]");
        await Assertions.Expect(video).ToBeVisibleAsync(Visible);
        await console.WaitForFunctionAsync("() => { const v = document.querySelector('[data-testid=remote-video]'); return v && v.videoWidth > 0 && v.currentTime > 0; }",
            null, new() { Timeout = 30_000 });
        var first = await video.EvaluateAsync<double>("v => v.currentTime");
        await console.WaitForFunctionAsync($"() => document.querySelector('[data-testid=remote-video]').currentTime > {first.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
            null, new() { Timeout = 15_000 });
        // A frame was decoded and painted, not just a playing clock.
        Assert.True(await video.EvaluateAsync<bool>("v => new Promise(resolve => { v.requestVideoFrameCallback(() => resolve(true)); setTimeout(() => resolve(false), 10000); })"));
    }

    [Fact]
    public async Task The_visitor_consents_the_operator_sees_the_screen_points_at_it_and_stopping_ends_it_on_both_sides()
    {
        var (console, visitor, widget) = await ChatOpenOnBothSidesAsync("Sam Screen");
        await console.Locator("[data-testid=remote-request-screen]").ClickAsync();
        await Assertions.Expect(console.Locator("[data-testid=remote-panel]")).ToHaveAttributeAsync("data-status", "requested", new() { Timeout = 20_000 });

        await Assertions.Expect(widget.Locator("[data-testid=remote-consent]")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(widget.Locator("[data-testid=remote-consent-text]")).ToContainTextAsync("Alice asks to see your screen");
        await widget.Locator("[data-testid=remote-accept]").ClickAsync();

        // The visitor always sees that sharing is on, in the chat and on the page.
        await Assertions.Expect(widget.Locator("[data-testid=remote-active]")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(visitor.Locator("[data-testid=chatdesk-remote-bar]")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(visitor.Locator("[data-testid=chatdesk-remote-text]")).ToHaveTextAsync("You are sharing your screen with Alice");
        await Assertions.Expect(console.Locator("[data-testid=remote-panel]")).ToHaveAttributeAsync("data-status", "active", new() { Timeout = 20_000 });
        await AssertVideoPlaysAsync(console);

        // The operator points: the pointer shows over the visitor's picture in the widget.
        var box = (await console.Locator("[data-testid=remote-video]").BoundingBoxAsync())!;
        await console.Mouse.MoveAsync(box.X + box.Width / 2, box.Y + box.Height / 2);
        await console.Mouse.MoveAsync(box.X + box.Width / 2 + 5, box.Y + box.Height / 2 + 5);
        await Assertions.Expect(widget.Locator("[data-testid=remote-pointer]")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(console.Locator("[data-testid=remote-operator-pointer]")).ToBeVisibleAsync();

        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        await console.Locator("[data-testid=remote-stop]").ClickAsync();

        await Assertions.Expect(console.Locator("[data-testid=remote-panel]")).ToHaveAttributeAsync("data-status", "ended", new() { Timeout = 20_000 });
        await Assertions.Expect(console.Locator("[data-testid=remote-video]")).ToHaveCountAsync(0);
        await Assertions.Expect(widget.Locator("[data-testid=remote-active]")).ToBeHiddenAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(visitor.Locator("[data-testid=chatdesk-remote-bar]")).ToBeHiddenAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(widget.Locator("[data-testid=message-text]").Filter(new() { HasText = "Screen sharing ended after 0:30, stopped by Alice." }))
            .ToHaveCountAsync(1, new() { Timeout = 20_000 });

        var events = await RemoteEventsAsync();
        Assert.Equal(["remote.requested", "remote.started", "remote.ended"], events.Select(e => e.Type));
        var ended = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal(("screen", "operator", 30.0), (ended.GetProperty("kind").GetString(), ended.GetProperty("endedBy").GetString(), ended.GetProperty("durationSeconds").GetDouble()));
        Assert.Equal(RemoteStatus.Ended, Assert.Single(await SessionsAsync()).Status);
    }

    [Fact]
    public async Task Declining_leaves_no_stream_and_no_session()
    {
        var (console, visitor, widget) = await ChatOpenOnBothSidesAsync("Dan Decline");
        await console.Locator("[data-testid=remote-request-screen]").ClickAsync();
        await widget.Locator("[data-testid=remote-decline]").ClickAsync(new() { Timeout = 20_000 });

        await Assertions.Expect(console.Locator("[data-testid=remote-panel]")).ToHaveAttributeAsync("data-status", "declined", new() { Timeout = 20_000 });
        await Assertions.Expect(console.Locator("[data-testid=remote-status]")).ToHaveTextAsync("Dan Decline declined.");
        await Assertions.Expect(widget.Locator("[data-testid=remote-consent]")).ToBeHiddenAsync();
        Assert.Equal(0, await console.Locator("[data-testid=remote-video]").CountAsync());
        Assert.False(await visitor.Locator("[data-testid=chatdesk-remote-bar]").IsVisibleAsync());
        // No capture was ever started in the visitor's page.
        Assert.Equal(0, await widget.Locator("[data-testid=remote-preview]").EvaluateAsync<int>("v => v.srcObject ? v.srcObject.getTracks().length : 0"));

        Assert.Equal(RemoteStatus.Declined, Assert.Single(await SessionsAsync()).Status);
        Assert.Equal(["remote.requested", "remote.declined"], (await RemoteEventsAsync()).Select(e => e.Type));
    }

    [Fact]
    public async Task Co_browse_replays_what_the_visitor_types_while_the_password_and_card_stay_masked()
    {
        var (console, visitor, widget) = await ChatOpenOnBothSidesAsync("Cora Cobrowse");
        await console.Locator("[data-testid=remote-request-cobrowse]").ClickAsync();
        await widget.Locator("[data-testid=remote-accept]").ClickAsync(new() { Timeout = 20_000 });
        await Assertions.Expect(visitor.Locator("[data-testid=chatdesk-remote-bar]")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(visitor.Locator("[data-testid=chatdesk-remote-text]")).ToHaveTextAsync("Alice can see this page");

        var replay = console.FrameLocator("[data-testid=cobrowse-view] iframe");
        await Assertions.Expect(replay.Locator("input[name=order]")).ToBeAttachedAsync(new() { Timeout = 30_000 });

        await visitor.Locator("input[name=order]").PressSequentiallyAsync("ORDER-4711");
        await visitor.Locator("input[name=password]").PressSequentiallyAsync("hunter2");
        await visitor.Locator("input[name=card]").PressSequentiallyAsync("4242424242424242");
        await visitor.Locator("input[name=loyalty]").PressSequentiallyAsync("VIP99");

        await Assertions.Expect(replay.Locator("input[name=order]")).ToHaveValueAsync("ORDER-4711", new() { Timeout = 20_000 });
        await Assertions.Expect(replay.Locator("input[name=password]")).ToHaveValueAsync("*******", new() { Timeout = 20_000 });
        await Assertions.Expect(replay.Locator("input[name=card]")).ToHaveValueAsync(new string('*', 16), new() { Timeout = 20_000 });
        // A site-marked field is blanked out altogether.
        await Assertions.Expect(replay.Locator("input[name=loyalty]")).ToHaveValueAsync("", new() { Timeout = 20_000 });
        // Nothing relayed carries the secrets in clear.
        var relayed = await Host.WithDbAsync(db => db.RemoteRelay.AsNoTracking().Select(r => r.Payload).ToListAsync());
        Assert.Contains(relayed, p => p.Contains("ORDER-4711"));
        Assert.DoesNotContain(relayed, p => p.Contains("hunter2") || p.Contains("4242424242424242") || p.Contains("VIP99"));

        // The operator's pointer appears on the visitor's page.
        var box = (await console.Locator("[data-testid=cobrowse-view] iframe").BoundingBoxAsync())!;
        await console.Mouse.MoveAsync(box.X + box.Width / 3, box.Y + box.Height / 3);
        await console.Mouse.ClickAsync(box.X + box.Width / 3 + 4, box.Y + box.Height / 3 + 4);
        await Assertions.Expect(visitor.Locator("[data-testid=chatdesk-remote-pointer]")).ToBeVisibleAsync(Visible);

        // The visitor stops from the bar on the page; nothing of the page is kept.
        await visitor.Locator("[data-testid=chatdesk-remote-stop]").ClickAsync();
        await Assertions.Expect(console.Locator("[data-testid=remote-panel]")).ToHaveAttributeAsync("data-status", "ended", new() { Timeout = 20_000 });
        await Assertions.Expect(visitor.Locator("[data-testid=chatdesk-remote-bar]")).ToBeHiddenAsync(new() { Timeout = 20_000 });
        Assert.Equal(0, await CountAsync(db => db.RemoteRelay.CountAsync()));
        var ended = JsonDocument.Parse((await RemoteEventsAsync())[^1].Data).RootElement;
        Assert.Equal(("cobrowse", "visitor"), (ended.GetProperty("kind").GetString(), ended.GetProperty("endedBy").GetString()));
    }
}
