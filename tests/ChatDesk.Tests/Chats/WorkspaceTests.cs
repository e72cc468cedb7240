using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Chats;

public sealed class WorkspaceTests : ChatTestBase
{
    private Guid conversationId;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        conversationId = (await StartVisitorChatAsync("visitor", name: "Vera")).Conversation.ConversationId;
        await OperatorOnlineAsync("chloe", TestApi.ChloeEmail, TestApi.ChloePassword);
    }

    private Task<string> IdOfAsync(string email) => Host.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    private Task SweepAsync() => Host.WithServiceAsync<RoutingService, bool>(async r => { await r.SweepAsync(); return true; });

    [Fact]
    public async Task The_operator_sees_the_visitors_draft_bounded_to_the_last_1000_characters_and_nothing_is_stored()
    {
        await Driver.InvokeAsync("visitor", "Typing", "Hello, I would like");
        Host.Clock.Advance(TimeSpan.FromSeconds(1));
        var draft = new string('a', 500) + new string('b', 1000);
        await Driver.InvokeAsync("visitor", "Typing", draft);

        // Drafts are relayed concurrently; the newest by its arrival stamp wins in the console.
        var seen = (await Driver.WaitForEventsAsync("alice", "VisitorTyping", 2))
            .Select(e => (At: e.Args[0]!["at"]!.GetValue<DateTimeOffset>(), Draft: e.Args[0]!["draft"]!.GetValue<string>())).ToList();
        Assert.Equal(["Hello, I would like", new string('b', 1000)], seen.OrderBy(s => s.At).Select(s => s.Draft));
        Assert.Empty(Driver.Events("chloe", "VisitorTyping"));
        Assert.Equal(0, await CountAsync(db => db.Messages.CountAsync()));
    }

    [Fact]
    public async Task Visitors_typing_at_the_same_moment_reach_only_the_operators_in_their_own_chat()
    {
        var chloe = await IdOfAsync(TestApi.ChloeEmail);
        await Driver.InvokeAsync("alice", "Invite", conversationId, chloe);
        await Driver.WaitForEventsAsync("chloe", "ChatJoined");
        var second = (await StartVisitorChatAsync("visitor2", name: "Walt")).Conversation.ConversationId;
        var secondOwner = await Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == second).Select(c => c.OperatorId).SingleAsync());
        var ownerConnection = secondOwner == chloe ? "chloe" : "alice";

        // Both lookups wait for the same batch: each answer must still go to its own visitor.
        await Task.WhenAll(Driver.InvokeAsync("visitor", "Typing", "draft of Vera"), Driver.InvokeAsync("visitor2", "Typing", "draft of Walt"));

        List<(Guid, string)> both = [(conversationId, "draft of Vera"), (second, "draft of Walt")], firstOnly = [(conversationId, "draft of Vera")];
        var (aliceExpects, chloeExpects) = ownerConnection == "alice" ? (both, firstOnly) : (firstOnly, both);
        Assert.Equal(aliceExpects, (await Driver.WaitForEventsAsync("alice", "VisitorTyping", aliceExpects.Count)).Select(DraftOf).OrderBy(s => s.Item2));
        Assert.Equal(chloeExpects, (await Driver.WaitForEventsAsync("chloe", "VisitorTyping", chloeExpects.Count)).Select(DraftOf).OrderBy(s => s.Item2));
    }

    private static (Guid, string) DraftOf(SignalRDriver.DriverEvent e) => (e.Args[0]!["conversationId"]!.GetValue<Guid>(), e.Args[0]!["draft"]!.GetValue<string>());

    [Fact]
    public async Task With_the_preview_off_the_operator_only_learns_that_the_visitor_is_typing()
    {
        using (var admin = await TestApi.AdminClientAsync(Host))
        {
            var settings = await admin.GetFromJsonAsync<SiteRoutingDto>("/api/admin/sites/demo/routing", SignalRDriver.Json);
            (await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", settings! with { TypingPreview = false })).EnsureSuccessStatusCode();
        }
        await Driver.InvokeAsync("visitor", "Typing", "secret draft");
        var seen = await Driver.WaitForEventsAsync("alice", "VisitorTyping");
        Assert.Null(seen[0].Args[0]!["draft"]);
        Assert.False((await Driver.InvokeAsync<ConversationView>("visitor", "GetConversation")).TypingPreview);
    }

    [Fact]
    public async Task The_visitor_sees_that_the_operator_is_typing_without_any_text()
    {
        await Driver.InvokeAsync("alice", "Typing", conversationId);
        var seen = await Driver.WaitForEventsAsync("visitor", "OperatorTyping");
        Assert.Equal("Alice", seen[0].Args[0]!["operatorName"]!.GetValue<string>());
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("chloe", "Typing", conversationId));
    }

    [Fact]
    public async Task A_transfer_to_an_operator_keeps_the_history_and_the_note_and_tells_the_visitor()
    {
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("My invoice is wrong"));
        var chloe = await IdOfAsync(TestApi.ChloeEmail);
        var targets = await Driver.InvokeAsync<TransferTargets>("alice", "GetTransferTargets", conversationId);
        Assert.Contains(targets.Operators, o => o.Id == chloe);
        Assert.DoesNotContain(targets.Operators, o => o.DisplayName == "Alice");

        await Driver.InvokeAsync("alice", "Transfer", conversationId, new TransferRequest(chloe, null, "VIP customer, invoice 42"));

        await Driver.WaitForEventsAsync("chloe", "ChatAssigned");
        await Driver.WaitForEventsAsync("alice", "ChatTransferredAway");
        Assert.Equal("Chloé", (await Driver.WaitForEventsAsync("visitor", "ChatAssigned", 2))[^1].Args[0]!["operatorName"]!.GetValue<string>());
        var detail = await Driver.InvokeAsync<ChatDetail>("chloe", "GetChat", conversationId);
        Assert.Equal("My invoice is wrong", detail.Messages[0].Text);
        Assert.Equal(AuthorKind.System, detail.Messages[^1].AuthorKind);
        Assert.Equal("VIP customer, invoice 42", Assert.Single(detail.Notes).Text);
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("alice", "SendMessage", conversationId, TestApi.Message("still mine?")));
        var transferred = (await EventsOfAsync(conversationId)).Single(e => e.Type == EventTypes.ChatTransferred);
        Assert.Equal(chloe, JsonDocument.Parse(transferred.Data).RootElement.GetProperty("to").GetString());
        // The visitor never sees the note.
        Assert.DoesNotContain((await Driver.InvokeAsync<ConversationView>("visitor", "GetConversation")).Messages, m => m.Text.Contains("VIP"));
    }

    [Fact]
    public async Task A_transfer_to_a_skill_queue_goes_to_an_operator_with_that_skill()
    {
        await Driver.InvokeAsync("alice", "Transfer", conversationId, new TransferRequest(null, "sales", null));
        Assert.Equal("Chloé", (await Driver.WaitForEventsAsync("visitor", "ChatAssigned", 2))[^1].Args[0]!["operatorName"]!.GetValue<string>());
    }

    [Fact]
    public async Task Bad_transfers_are_refused_and_nothing_changes()
    {
        var bob = await IdOfAsync(TestApi.BobEmail); // offline
        var chloe = await IdOfAsync(TestApi.ChloeEmail);
        await Host.WithDbAsync(db => db.Users.Where(u => u.Id == chloe).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await StartVisitorChatAsync("other", topic: "sales"); // fills chloe's only slot

        Assert.Contains("not online", await Driver.InvokeExpectingErrorAsync("alice", "Transfer", conversationId, new TransferRequest(bob, null, null)));
        Assert.Contains("no free slot", await Driver.InvokeExpectingErrorAsync("alice", "Transfer", conversationId, new TransferRequest(chloe, null, null)));
        Assert.Contains("one operator or to one skill", await Driver.InvokeExpectingErrorAsync("alice", "Transfer", conversationId, new TransferRequest(chloe, "sales", null)));
        Assert.Contains("Unknown skill", await Driver.InvokeExpectingErrorAsync("alice", "Transfer", conversationId, new TransferRequest(null, "astrology", null)));
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("chloe", "Transfer", conversationId, new TransferRequest(null, "sales", null)));
        Assert.Equal(await IdOfAsync(TestApi.AliceEmail), await Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversationId).Select(c => c.OperatorId).SingleAsync()));
        Assert.DoesNotContain(await EventsOfAsync(conversationId), e => e.Type == EventTypes.ChatTransferred);
    }

    [Fact]
    public async Task An_invited_operator_reads_and_writes_in_the_chat_until_they_leave()
    {
        var chloe = await IdOfAsync(TestApi.ChloeEmail);
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("Hello"));
        await Driver.InvokeAsync("alice", "Invite", conversationId, chloe);

        await Driver.WaitForEventsAsync("chloe", "ChatJoined");
        var detail = await Driver.InvokeAsync<ChatDetail>("chloe", "GetChat", conversationId);
        Assert.Equal("invited", detail.Role);
        Assert.Equal(["owner", "invited"], detail.Participants.Select(p => p.Role));
        await Driver.InvokeAsync("chloe", "SendMessage", conversationId, TestApi.Message("Hi, I am Chloé from billing"));
        Assert.Contains((await Driver.WaitForEventsAsync("alice", "MessageReceived", 3)).Select(MessageOf), m => m.Text == "Hi, I am Chloé from billing");
        Assert.Contains("already in this chat", await Driver.InvokeExpectingErrorAsync("alice", "Invite", conversationId, chloe));

        await Driver.InvokeAsync("chloe", "Leave", conversationId);
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("chloe", "SendMessage", conversationId, TestApi.Message("again")));
        Assert.Contains("own this chat", await Driver.InvokeExpectingErrorAsync("alice", "Leave", conversationId));
        var types = (await EventsOfAsync(conversationId)).Select(e => e.Type).ToList();
        Assert.Contains(EventTypes.OperatorJoined, types);
        Assert.Contains(EventTypes.OperatorLeft, types);
    }

    [Fact]
    public async Task Internal_notes_reach_the_chats_operators_and_never_the_visitor()
    {
        var note = await Driver.InvokeAsync<NoteDto>("alice", "AddNote", conversationId, "Customer seems <b>upset</b>");
        Assert.Equal("Customer seems <b>upset</b>", (await Driver.WaitForEventsAsync("alice", "NoteAdded"))[0].Args[0]!["text"]!.GetValue<string>());
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("chloe", "AddNote", conversationId, "peek"));
        Assert.Contains("cannot be empty", await Driver.InvokeExpectingErrorAsync("alice", "AddNote", conversationId, " "));
        Assert.Empty(Driver.Events("visitor", "MessageReceived"));
        Assert.Empty((await Driver.InvokeAsync<ConversationView>("visitor", "GetConversation")).Messages);
        Assert.Equal(note.Id, Assert.Single((await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", conversationId)).Notes).Id);
    }

    [Fact]
    public async Task The_owner_completes_the_wrap_up_after_the_chat_ends()
    {
        Assert.Contains("End the chat", await Driver.InvokeExpectingErrorAsync("alice", "CompleteWrapUp", conversationId, new WrapUpRequest("resolved", null, null)));
        await Driver.InvokeAsync("alice", "EndChat", conversationId);
        Assert.Contains("disposition", await Driver.InvokeExpectingErrorAsync("alice", "CompleteWrapUp", conversationId, new WrapUpRequest("fixed", null, null)));

        await Driver.InvokeAsync("alice", "CompleteWrapUp", conversationId, new WrapUpRequest("follow_up", "Call back Monday", [" Refund ", "refund", "VIP"]));

        var wrapUp = (await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", conversationId)).WrapUp!;
        Assert.Equal(("follow_up", "Call back Monday", false), (wrapUp.Disposition, wrapUp.Notes, wrapUp.Auto));
        Assert.Equal(["refund", "vip"], wrapUp.Tags);
        Assert.Contains("already complete", await Driver.InvokeExpectingErrorAsync("alice", "CompleteWrapUp", conversationId, new WrapUpRequest("resolved", null, null)));
        var recorded = (await EventsOfAsync(conversationId)).Last();
        Assert.Equal(EventTypes.WrapUpCompleted, recorded.Type);
        Assert.Equal("follow_up", JsonDocument.Parse(recorded.Data).RootElement.GetProperty("disposition").GetString());
    }

    [Fact]
    public async Task A_forgotten_wrap_up_completes_itself_after_the_timeout()
    {
        await Driver.InvokeAsync("alice", "EndChat", conversationId);
        var due = (await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", conversationId)).WrapUpDueAt;
        Assert.Equal(Host.Clock.GetUtcNow().AddSeconds(120), due);

        Host.Clock.Advance(TimeSpan.FromSeconds(119));
        await SweepAsync();
        Assert.Null((await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", conversationId)).WrapUp);
        Host.Clock.Advance(TimeSpan.FromSeconds(1));
        await SweepAsync();

        var wrapUp = (await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", conversationId)).WrapUp!;
        Assert.True(wrapUp.Auto);
        Assert.Null(wrapUp.Disposition);
        Assert.Single(await EventsOfAsync(conversationId), e => e.Type == EventTypes.WrapUpCompleted);
    }

    [Fact]
    public async Task The_operator_sees_the_visitors_context_pages_visited_and_previous_conversations()
    {
        await Driver.InvokeAsync("visitor", "PageChanged", new PageChangedRequest("https://shop.example/tents", "Tents"));
        await Driver.InvokeAsync("visitor", "PageChanged", new PageChangedRequest("https://shop.example/tents", "Tents")); // same page: once
        await Driver.InvokeAsync("visitor", "PageChanged", new PageChangedRequest("https://shop.example/boots", "Boots"));
        Assert.Contains("valid http(s) URL", await Driver.InvokeExpectingErrorAsync("visitor", "PageChanged", new PageChangedRequest("javascript:alert(1)", "x")));
        await Driver.WaitForEventsAsync("alice", "VisitorNavigated", 2);
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("first visit"));
        await Driver.InvokeAsync("visitor", "EndChat");
        Host.Clock.Advance(TimeSpan.FromMinutes(5));
        var second = await Driver.InvokeAsync<ConversationView>("visitor", "StartChat", TestApi.ChatRequest("Vera"));

        var detail = await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", second.ConversationId);
        var first = Assert.Single(detail.PreviousConversations);
        Assert.Equal(conversationId, first.ConversationId);
        Assert.Equal("first visit", Assert.Single(first.Messages).Text);
        var previousDetail = await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", conversationId);
        Assert.Equal(["https://shop.example/tents", "https://shop.example/boots"], previousDetail.Context.PagesVisited.Select(p => p.Url));
        Assert.Equal("Boots", previousDetail.Context.PageTitle);
    }

    [Fact]
    public async Task A_visitor_downloads_the_transcript_of_their_own_chat()
    {
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("Where is my parcel?"));
        await Driver.InvokeAsync("alice", "SendMessage", conversationId, TestApi.Message("On its way!"));
        var transcript = await Driver.InvokeAsync<TranscriptDto>("visitor", "GetTranscript");
        Assert.EndsWith(".txt", transcript.FileName);
        Assert.Contains("Vera: Where is my parcel?", transcript.Text);
        Assert.Contains("Alice: On its way!", transcript.Text);

        var stranger = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("stranger", Host.BaseUrl, stranger.VisitorToken);
        Assert.Contains("no conversation", await Driver.InvokeExpectingErrorAsync("stranger", "GetTranscript"));
    }
}
