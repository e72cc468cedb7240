using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.RemoteSupport;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.RemoteSupport;

/// <summary>Remote sessions over the real hubs: consent, relaying, stopping, the record, and who may do what.</summary>
public sealed class RemoteSessionTests : ChatTestBase
{
    private Guid conversationId;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        conversationId = (await StartVisitorChatAsync("visitor")).Conversation.ConversationId;
        await Driver.WaitForEventsAsync("alice", "ChatAssigned");
    }

    private async Task<RemoteSessionDto> RequestAsync(string kind = RemoteKinds.Screen) =>
        await Driver.InvokeAsync<RemoteSessionDto>("alice", "RequestRemote", conversationId, new RemoteRequest(kind));

    private static RemoteSessionDto SessionOf(SignalRDriver.DriverEvent e) => e.Args[0].Deserialize<RemoteSessionDto>(SignalRDriver.Json)!;

    private static RemoteRelayNotice RelayOf(SignalRDriver.DriverEvent e) => e.Args[0].Deserialize<RemoteRelayNotice>(SignalRDriver.Json)!;

    private async Task<List<string>> EventTypesOfAsync() => (await EventsOfAsync(conversationId)).Select(e => e.Type).Where(t => t.StartsWith("remote.")).ToList();

    [Fact]
    public async Task Consented_screen_share_relays_signals_both_ways_and_stopping_records_who_and_how_long()
    {
        var requested = await RequestAsync();
        Assert.Equal(RemoteStatus.Requested, requested.Status);
        Assert.Equal("Alice", requested.OperatorName);
        Assert.Equal(RemoteStatus.Requested, SessionOf((await Driver.WaitForEventsAsync("visitor", "RemoteSessionChanged"))[0]).Status);
        Assert.Equal(RemoteStatus.Requested, (await Driver.InvokeAsync<RemoteSessionDto>("visitor", "GetRemoteSession")).Status);

        await Driver.InvokeAsync("visitor", "RemoteConsent", requested.SessionId, true);
        var started = SessionOf((await Driver.WaitForEventsAsync("alice", "RemoteSessionChanged", 2))[1]);
        Assert.Equal(RemoteStatus.Active, started.Status);
        Assert.NotNull(started.StartedAt);

        await Driver.InvokeAsync("visitor", "RemoteSignal", requested.SessionId, "{\"type\":\"offer\"}");
        var toOperator = RelayOf((await Driver.WaitForEventsAsync("alice", "RemoteRelay"))[0]);
        Assert.Equal("{\"type\":\"offer\"}", toOperator.Payload);
        await Driver.InvokeAsync("alice", "RemoteSignal", requested.SessionId, "{\"type\":\"answer\"}");
        Assert.Equal("{\"type\":\"answer\"}", RelayOf((await Driver.WaitForEventsAsync("visitor", "RemoteRelay"))[0]).Payload);

        // Too large for a notification: pushed without its payload and read back by the receiver.
        var largeOffer = "{\"sdp\":\"" + new string('v', 9000) + "\"}";
        await Driver.InvokeAsync("visitor", "RemoteSignal", requested.SessionId, largeOffer);
        var large = RelayOf((await Driver.WaitForEventsAsync("alice", "RemoteRelay", 2))[1]);
        Assert.Null(large.Payload);
        var fetched = await Driver.InvokeAsync<List<RemoteRelayNotice>>("alice", "GetRemoteRelayAfter", requested.SessionId, toOperator.Sequence);
        Assert.Equal(largeOffer, Assert.Single(fetched).Payload);

        Host.Clock.Advance(TimeSpan.FromSeconds(42));
        await Driver.InvokeAsync("visitor", "StopRemote", requested.SessionId);
        Assert.Equal(RemoteStatus.Ended, SessionOf((await Driver.WaitForEventsAsync("alice", "RemoteSessionChanged", 3))[2]).Status);
        Assert.Null(await Driver.InvokeAsync("visitor", "GetRemoteSession"));

        var events = await EventsOfAsync(conversationId);
        Assert.Equal(["remote.requested", "remote.started", "remote.ended"], await EventTypesOfAsync());
        var ended = JsonDocument.Parse(events.Single(e => e.Type == EventTypes.RemoteEnded).Data).RootElement;
        Assert.Equal("screen", ended.GetProperty("kind").GetString());
        Assert.Equal("visitor", ended.GetProperty("endedBy").GetString());
        Assert.Equal(42, ended.GetProperty("durationSeconds").GetDouble());
        Assert.Equal(await IdOfAsync(TestApi.AliceEmail), events.Single(e => e.Type == EventTypes.RemoteStarted).OperatorId);
        // Nothing relayed outlives the session.
        Assert.Equal(0, await CountAsync(db => db.RemoteRelay.CountAsync()));

        var transcript = await Driver.InvokeAsync<TranscriptDto>("visitor", "GetTranscript");
        Assert.Contains("Screen sharing with Alice started.", transcript.Text);
        Assert.Contains("Screen sharing ended after 0:42, stopped by Vera Visitor.", transcript.Text);
        var detail = await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", conversationId);
        Assert.Contains(detail.Messages, m => m.AuthorKind == AuthorKind.System && m.Text == "Screen sharing ended after 0:42, stopped by Vera Visitor.");
    }

    [Fact]
    public async Task Declining_leaves_no_session_and_nothing_can_be_relayed()
    {
        var requested = await RequestAsync();
        await Driver.InvokeAsync("visitor", "RemoteConsent", requested.SessionId, false);

        Assert.Equal(RemoteStatus.Declined, (await Driver.InvokeAsync<RemoteSessionDto>("alice", "GetRemoteSession", conversationId)).Status);
        Assert.Contains("ended", await Driver.InvokeExpectingErrorAsync("visitor", "RemoteSignal", requested.SessionId, "{}"));
        Assert.Contains("ended", await Driver.InvokeExpectingErrorAsync("alice", "RemoteSignal", requested.SessionId, "{}"));
        Assert.Equal(["remote.requested", "remote.declined"], await EventTypesOfAsync());
        Assert.Equal(0, await CountAsync(db => db.RemoteRelay.CountAsync()));
    }

    [Fact]
    public async Task Without_consent_nothing_is_relayed_and_a_second_request_waits_for_the_first()
    {
        var requested = await RequestAsync();
        Assert.Contains("consent", await Driver.InvokeExpectingErrorAsync("visitor", "RemoteSignal", requested.SessionId, "{}"));
        Assert.Contains("consent", await Driver.InvokeExpectingErrorAsync("alice", "RemoteSignal", requested.SessionId, "{}"));
        Assert.Contains("consent", await Driver.InvokeExpectingErrorAsync("visitor", "CobrowseEvents", requested.SessionId, new RemoteCobrowsePart("[]", true)));
        Assert.Contains("consent", await Driver.InvokeExpectingErrorAsync("alice", "RemotePointer", requested.SessionId, new RemotePointerRequest(0.5, 0.5, "point")));
        Assert.Contains("already", await Driver.InvokeExpectingErrorAsync("alice", "RequestRemote", conversationId, new RemoteRequest("cobrowse")));
        Assert.Equal(0, await CountAsync(db => db.RemoteRelay.CountAsync()));
        Assert.Equal(["remote.requested"], await EventTypesOfAsync());
    }

    [Fact]
    public async Task A_non_participant_operator_and_another_visitor_are_refused_everything()
    {
        var requested = await RequestAsync();
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword);
        await StartVisitorChatAsync("intruder", topic: "technical", name: "Ivan");

        // Another visitor cannot consent for this visitor, nor see or stop the session.
        Assert.Contains("Unknown remote session.", await Driver.InvokeExpectingErrorAsync("intruder", "RemoteConsent", requested.SessionId, true));
        Assert.Equal(RemoteStatus.Requested, (await Driver.InvokeAsync<RemoteSessionDto>("alice", "GetRemoteSession", conversationId)).Status);

        await Driver.InvokeAsync("visitor", "RemoteConsent", requested.SessionId, true);
        Assert.Contains("Unknown remote session.", await Driver.InvokeExpectingErrorAsync("intruder", "RemoteSignal", requested.SessionId, "{}"));
        Assert.Contains("Unknown remote session.", await Driver.InvokeExpectingErrorAsync("intruder", "StopRemote", requested.SessionId));
        Assert.Contains("Unknown remote session.", await Driver.InvokeExpectingErrorAsync("intruder", "GetRemoteRelayAfter", requested.SessionId, 0));

        // An operator outside the chat can neither ask, signal, point, stop nor read.
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("bob", "RequestRemote", conversationId, new RemoteRequest("screen")));
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("bob", "GetRemoteSession", conversationId));
        Assert.Contains("Unknown remote session.", await Driver.InvokeExpectingErrorAsync("bob", "RemoteSignal", requested.SessionId, "{}"));
        Assert.Contains("Unknown remote session.", await Driver.InvokeExpectingErrorAsync("bob", "RemotePointer", requested.SessionId, new RemotePointerRequest(0.1, 0.1, "point")));
        Assert.Contains("Unknown remote session.", await Driver.InvokeExpectingErrorAsync("bob", "StopRemote", requested.SessionId));
        Assert.Contains("Unknown remote session.", await Driver.InvokeExpectingErrorAsync("bob", "GetRemoteRelayAfter", requested.SessionId, 0));

        Assert.Equal(0, await CountAsync(db => db.RemoteRelay.CountAsync()));
        Assert.Empty(Driver.Events("bob", "RemoteRelay"));
        Assert.Empty(Driver.Events("intruder", "RemoteSessionChanged"));
        Assert.Equal(RemoteStatus.Active, (await Driver.InvokeAsync<RemoteSessionDto>("alice", "GetRemoteSession", conversationId)).Status);
    }

    [Fact]
    public async Task Bad_input_gets_a_clear_error_and_stores_nothing()
    {
        Assert.Contains("Kind must be screen or cobrowse.", await Driver.InvokeExpectingErrorAsync("alice", "RequestRemote", conversationId, new RemoteRequest("keyboard")));
        var requested = await RequestAsync(RemoteKinds.Cobrowse);
        await Driver.InvokeAsync("visitor", "RemoteConsent", requested.SessionId, true);

        Assert.Contains("1 to 24000", await Driver.InvokeExpectingErrorAsync("visitor", "CobrowseEvents", requested.SessionId, new RemoteCobrowsePart(new string('x', 24_001), true)));
        Assert.Contains("1 to 24000", await Driver.InvokeExpectingErrorAsync("visitor", "CobrowseEvents", requested.SessionId, new RemoteCobrowsePart("", true)));
        Assert.Contains("Only a screen share is signalled.", await Driver.InvokeExpectingErrorAsync("visitor", "RemoteSignal", requested.SessionId, "{}"));
        Assert.Contains("between 0 and 1", await Driver.InvokeExpectingErrorAsync("alice", "RemotePointer", requested.SessionId, new RemotePointerRequest(1.5, 0.5, "point")));
        Assert.Contains("mode", await Driver.InvokeExpectingErrorAsync("alice", "RemotePointer", requested.SessionId, new RemotePointerRequest(0.5, 0.5, "<script>")));
        Assert.Equal(0, await CountAsync(db => db.RemoteRelay.CountAsync()));

        // Within the bounds it flows: a co-browse batch reaches the chat's operator, the pointer the visitor.
        await Driver.InvokeAsync("visitor", "CobrowseEvents", requested.SessionId, new RemoteCobrowsePart("[{\"type\":3}]", true));
        Assert.Equal("1[{\"type\":3}]", RelayOf((await Driver.WaitForEventsAsync("alice", "RemoteRelay"))[0]).Payload);
        await Driver.InvokeAsync("alice", "RemotePointer", requested.SessionId, new RemotePointerRequest(0.25, 0.75, "highlight"));
        var pointer = (await Driver.WaitForEventsAsync("visitor", "RemotePointer"))[0].Args[0].Deserialize<RemotePointerNotice>(SignalRDriver.Json)!;
        Assert.Equal((0.25, 0.75, "highlight", "Alice"), (pointer.X, pointer.Y, pointer.Mode, pointer.OperatorName));
    }

    [Fact]
    public async Task The_chats_end_ends_a_running_session_on_the_record()
    {
        var requested = await RequestAsync(RemoteKinds.Cobrowse);
        await Driver.InvokeAsync("visitor", "RemoteConsent", requested.SessionId, true);
        await Driver.InvokeAsync("visitor", "CobrowseEvents", requested.SessionId, new RemoteCobrowsePart("[{\"type\":2}]", true));
        Host.Clock.Advance(TimeSpan.FromSeconds(5));

        await Driver.InvokeAsync("alice", "EndChat", conversationId);

        var events = await EventsOfAsync(conversationId);
        var types = events.Select(e => e.Type).ToList();
        Assert.True(types.IndexOf(EventTypes.RemoteEnded) < types.IndexOf(EventTypes.ChatEnded));
        var ended = JsonDocument.Parse(events.Single(e => e.Type == EventTypes.RemoteEnded).Data).RootElement;
        Assert.Equal(("cobrowse", "system", 5.0), (ended.GetProperty("kind").GetString(), ended.GetProperty("endedBy").GetString(), ended.GetProperty("durationSeconds").GetDouble()));
        Assert.Equal(RemoteStatus.Ended, (await Driver.InvokeAsync<RemoteSessionDto>("alice", "GetRemoteSession", conversationId)).Status);
        // The site does not keep co-browse recordings (the default): the page is gone with the session.
        Assert.Equal(0, await CountAsync(db => db.RemoteRelay.CountAsync()));
        Assert.Contains("Co-browsing ended after 0:05, stopped by the end of the chat.", (await Driver.InvokeAsync<TranscriptDto>("visitor", "GetTranscript")).Text);
    }

    [Fact]
    public async Task Transferring_the_chat_away_ends_the_session_its_operator_asked_for()
    {
        await OperatorOnlineAsync("chloe", TestApi.ChloeEmail, TestApi.ChloePassword);
        var requested = await RequestAsync();
        await Driver.InvokeAsync("visitor", "RemoteConsent", requested.SessionId, true);

        await Driver.InvokeAsync("alice", "Transfer", conversationId, new TransferRequest(await IdOfAsync(TestApi.ChloeEmail), null, null));

        var types = (await EventsOfAsync(conversationId)).Select(e => e.Type).ToList();
        Assert.True(types.IndexOf(EventTypes.RemoteEnded) < types.IndexOf(EventTypes.ChatTransferred));
        Assert.Null(await Driver.InvokeAsync("visitor", "GetRemoteSession"));
        // Alice no longer sees the chat, so neither its session nor what it relays.
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("alice", "GetRemoteSession", conversationId));
        Assert.Contains("Screen sharing ended after 0:00: Alice is no longer in the chat.", (await Driver.InvokeAsync<TranscriptDto>("visitor", "GetTranscript")).Text);
    }

    [Fact]
    public async Task A_site_that_keeps_co_browse_recordings_keeps_the_page_but_not_the_signalling()
    {
        using (var admin = await TestApi.AdminClientAsync(Host))
        {
            var settings = await admin.GetFromJsonAsync<SiteRoutingDto>("/api/admin/sites/demo/routing", SignalRDriver.Json);
            Assert.False(settings!.CobrowseKeepRecording);
            (await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", settings with { CobrowseKeepRecording = true })).EnsureSuccessStatusCode();
        }
        var requested = await RequestAsync(RemoteKinds.Cobrowse);
        await Driver.InvokeAsync("visitor", "RemoteConsent", requested.SessionId, true);
        await Driver.InvokeAsync("visitor", "CobrowseEvents", requested.SessionId, new RemoteCobrowsePart("[{\"type\":2}]", true));
        await Driver.InvokeAsync("visitor", "StopRemote", requested.SessionId);

        Assert.Equal(["1[{\"type\":2}]"], await Host.WithDbAsync(db => db.RemoteRelay.Select(r => r.Payload).ToListAsync()));
    }

    private Task<string> IdOfAsync(string email) => Host.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
}
