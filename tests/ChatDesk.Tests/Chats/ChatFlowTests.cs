using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Chats;

public sealed class ChatFlowTests : ChatTestBase
{
    [Fact]
    public async Task A_chat_flows_from_visitor_to_operator_and_back_in_order_and_every_step_is_an_event()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, started) = await StartVisitorChatAsync("visitor", topic: "billing");

        Assert.Equal(ConversationStatus.Assigned, started.Status);
        Assert.Equal("Alice", started.OperatorName);
        var assigned = await Driver.WaitForEventsAsync("alice", "ChatAssigned");
        Assert.Equal(started.ConversationId, assigned[0].Args[0]!["conversationId"]!.GetValue<Guid>());

        var first = await Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message("Hello, my invoice is wrong"));
        var second = await Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message("It says 120 € instead of 100 €"));
        var reply = await Driver.InvokeAsync<MessageDto>("alice", "SendMessage", started.ConversationId, TestApi.Message("Let me check that for you."));
        Assert.Equal([1, 2, 3], new[] { first.Sequence, second.Sequence, reply.Sequence });
        Assert.Equal([AuthorKind.Visitor, AuthorKind.Visitor, AuthorKind.Operator], new[] { first.AuthorKind, second.AuthorKind, reply.AuthorKind });
        Assert.Equal("Alice", reply.AuthorName);

        var operatorSaw = (await Driver.WaitForEventsAsync("alice", "MessageReceived", 3)).Select(MessageOf).ToList();
        var visitorSaw = (await Driver.WaitForEventsAsync("visitor", "MessageReceived", 3)).Select(MessageOf).ToList();
        Assert.Equal(["Hello, my invoice is wrong", "It says 120 € instead of 100 €", "Let me check that for you."], operatorSaw.Select(m => m.Text));
        Assert.Equal(operatorSaw.Select(m => m.Sequence), visitorSaw.Select(m => m.Sequence));

        await Driver.InvokeAsync("alice", "EndChat", started.ConversationId);
        var ended = await Driver.WaitForEventsAsync("visitor", "ChatEnded");
        Assert.Equal("operator", ended[0].Args[0]!["endedBy"]!.GetValue<string>());
        var view = await Driver.InvokeAsync<ConversationView>("visitor", "GetConversation");
        Assert.Equal(ConversationStatus.Ended, view.Status);
        Assert.Equal(3, view.Messages.Count);

        var events = await EventsOfAsync(started.ConversationId);
        Assert.Equal(
            [EventTypes.ChatRequested, EventTypes.ChatAssigned, EventTypes.MessageSent, EventTypes.MessageSent, EventTypes.MessageSent, EventTypes.ChatEnded],
            events.Select(e => e.Type));
        Assert.Equal(Enumerable.Range(1, 6), events.Select(e => e.Sequence!.Value));
        Assert.Equal(["visitor", "visitor", "operator"],
            events.Where(e => e.Type == EventTypes.MessageSent).Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("authorKind").GetString()));
        Assert.Equal("operator", JsonDocument.Parse(events[^1].Data).RootElement.GetProperty("endedBy").GetString());
        Assert.All(events, e => Assert.Equal(Host.Clock.GetUtcNow(), e.OccurredAt));
        var statusEvents = await Host.WithDbAsync(db => db.Events.Where(e => e.Type == EventTypes.OperatorStatusChanged).ToListAsync());
        Assert.Contains(statusEvents, e => JsonDocument.Parse(e.Data).RootElement.GetProperty("status").GetString() == "online");
    }

    [Fact]
    public async Task Event_and_message_times_come_from_the_server_clock()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var requestedAt = Host.Clock.GetUtcNow();
        var (_, started) = await StartVisitorChatAsync("visitor");
        Host.Clock.Advance(TimeSpan.FromSeconds(42));
        var reply = await Driver.InvokeAsync<MessageDto>("alice", "SendMessage", started.ConversationId, TestApi.Message("Hi!"));

        Assert.Equal(requestedAt + TimeSpan.FromSeconds(42), reply.SentAt);
        var events = await EventsOfAsync(started.ConversationId);
        Assert.Equal(requestedAt, events.Single(e => e.Type == EventTypes.ChatRequested).OccurredAt);
        Assert.Equal(requestedAt + TimeSpan.FromSeconds(42), events.Single(e => e.Type == EventTypes.MessageSent).OccurredAt);
    }

    [Fact]
    public async Task A_chat_waits_in_the_queue_until_an_operator_with_the_skill_comes_online()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.BobEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword); // billing and technical: no sales
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword); // sales 3, one chat at most
        await StartVisitorChatAsync("first", topic: "sales");
        var (_, started) = await StartVisitorChatAsync("visitor", topic: "sales");
        Assert.Equal(ConversationStatus.Queued, started.Status);
        Assert.Null(started.OperatorName);

        await OperatorOnlineAsync("chloe", TestApi.ChloeEmail, TestApi.ChloePassword); // sales 5

        var assigned = await Driver.WaitForEventsAsync("visitor", "ChatAssigned");
        Assert.Equal("Chloé", assigned[0].Args[0]!["operatorName"]!.GetValue<string>());
        Assert.Empty(Driver.Events("alice", "ChatAssigned"));
        var events = await EventsOfAsync(started.ConversationId);
        Assert.Equal([EventTypes.ChatRequested, EventTypes.ChatQueued, EventTypes.MessageSent, EventTypes.ChatAssigned], events.Select(e => e.Type));
        Assert.Equal(1, JsonDocument.Parse(events[1].Data).RootElement.GetProperty("queuePosition").GetInt32());
        // The queue notice is automated: it never counts as a first response.
        Assert.Equal("automated", JsonDocument.Parse(events[2].Data).RootElement.GetProperty("authorKind").GetString());
        var notice = Assert.Single(await Driver.InvokeAsync<List<MessageDto>>("visitor", "GetMessagesAfter", 0));
        Assert.Equal(AuthorKind.Automated, notice.AuthorKind);
        Assert.Equal("All our operators are busy. An operator will be with you in a few minutes.", notice.Text);
    }

    [Fact]
    public async Task An_operator_gets_no_more_than_their_capacity_and_the_next_chat_comes_when_a_slot_frees()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword); // capacity 3 (default)
        var chats = new List<ConversationView>();
        for (var i = 0; i < 4; i++)
        {
            chats.Add((await StartVisitorChatAsync($"visitor{i}", topic: "billing")).Conversation);
            Host.Clock.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal([ConversationStatus.Assigned, ConversationStatus.Assigned, ConversationStatus.Assigned, ConversationStatus.Queued], chats.Select(c => c.Status));
        await Driver.InvokeAsync("alice", "EndChat", chats[1].ConversationId);

        var assigned = await Driver.WaitForEventsAsync("visitor3", "ChatAssigned");
        Assert.Equal(chats[3].ConversationId, assigned[0].Args[0]!["conversationId"]!.GetValue<Guid>());
        var state = await Driver.InvokeAsync<OperatorState>("alice", "GetState");
        Assert.Equal(3, state.Chats.Count(c => c.Status == ConversationStatus.Assigned));
    }

    [Fact]
    public async Task Sending_the_same_client_message_id_twice_stores_one_message()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, started) = await StartVisitorChatAsync("visitor");
        var clientId = Guid.NewGuid();

        var sends = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ =>
            Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message("Only once", clientId))));
        var again = await Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message("Only once", clientId));

        Assert.All(sends.Append(again), m => Assert.Equal(1, m.Sequence));
        Assert.Equal(1, await CountAsync(db => db.Messages.CountAsync(m => m.ConversationId == started.ConversationId)));
        Assert.Single(await EventsOfAsync(started.ConversationId), e => e.Type == EventTypes.MessageSent);
        var next = await Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message("Second"));
        Assert.Equal(2, next.Sequence);
    }

    [Fact]
    public async Task Concurrent_senders_get_gap_free_sequences_in_commit_order()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, started) = await StartVisitorChatAsync("visitor");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => i % 2 == 0
            ? Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message($"v{i}"))
            : Driver.InvokeAsync("alice", "SendMessage", started.ConversationId, TestApi.Message($"o{i}"))));

        var stored = await Host.WithDbAsync(db => db.Messages.Where(m => m.ConversationId == started.ConversationId).OrderBy(m => m.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, 20), stored.Select(m => m.Sequence));
        var visitorSaw = (await Driver.WaitForEventsAsync("visitor", "MessageReceived", 20)).Select(MessageOf).ToList();
        Assert.Equal(20, visitorSaw.Select(m => m.Sequence).Distinct().Count());
    }

    [Fact]
    public async Task A_message_of_the_maximum_length_in_multi_byte_characters_reaches_the_other_side()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await StartVisitorChatAsync("visitor");
        var text = string.Concat(Enumerable.Repeat("€é", ChatRules.MaxMessageLength / 2));
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message(text));

        var received = MessageOf((await Driver.WaitForEventsAsync("alice", "MessageReceived"))[0]);
        Assert.Equal(text, received.Text);
    }
}
