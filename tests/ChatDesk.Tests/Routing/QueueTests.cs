using ChatDesk.Server.Chats;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Routing;

public sealed class QueueTests : ChatTestBase
{
    private int LastPosition(string connection) =>
        Driver.Events(connection, "QueueUpdated")[^1].Args[0]!["position"]!.GetValue<int>();

    private async Task WaitForPositionAsync(string connection, int position)
    {
        for (var i = 0; i < 300 && (Driver.Events(connection, "QueueUpdated").Count == 0 || LastPosition(connection) != position); i++)
            await Task.Delay(20);
        Assert.Equal(position, LastPosition(connection));
    }

    [Fact]
    public async Task Waiting_visitors_see_their_place_in_the_queue_move_up_until_an_operator_takes_them()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.BobEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword);
        var chats = new List<ConversationView>();
        for (var i = 0; i < 4; i++)
        {
            chats.Add((await StartVisitorChatAsync($"v{i}", topic: "sales")).Conversation);
            Host.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal([ConversationStatus.Assigned, ConversationStatus.Queued, ConversationStatus.Queued, ConversationStatus.Queued], chats.Select(c => c.Status));
        await WaitForPositionAsync("v1", 1);
        await WaitForPositionAsync("v2", 2);
        await WaitForPositionAsync("v3", 3);

        await Driver.InvokeAsync("bob", "EndChat", chats[0].ConversationId);
        await Driver.WaitForEventsAsync("v1", "ChatAssigned");
        await WaitForPositionAsync("v2", 1);
        await WaitForPositionAsync("v3", 2);

        await Driver.InvokeAsync("bob", "EndChat", chats[1].ConversationId);
        await Driver.WaitForEventsAsync("v2", "ChatAssigned");
        await WaitForPositionAsync("v3", 1);
        Assert.Empty(Driver.Events("v3", "ChatAssigned"));
    }

    [Fact]
    public async Task An_operator_may_take_a_waiting_chat_they_are_eligible_for_and_nothing_else()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword); // billing, one chat at most
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword); // no billing
        await OperatorOnlineAsync("chloe", TestApi.ChloeEmail, TestApi.ChloePassword); // billing, but away: no automatic chats
        await Driver.InvokeAsync("chloe", "SetStatus", "away");
        await StartVisitorChatAsync("first", topic: "billing");
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        Assert.Equal(ConversationStatus.Queued, chat.Status);

        var queue = await Driver.InvokeAsync<List<QueueEntry>>("chloe", "GetQueue");
        Assert.Equal((chat.ConversationId, 1), (Assert.Single(queue).ConversationId, queue[0].Position));
        Assert.Empty(await Driver.InvokeAsync<List<QueueEntry>>("bob", "GetQueue"));

        Assert.Contains("do not have the skill", await Driver.InvokeExpectingErrorAsync("bob", "TakeChat", chat.ConversationId));
        Assert.Contains("as many chats as you can take", await Driver.InvokeExpectingErrorAsync("alice", "TakeChat", chat.ConversationId));
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("chloe", "TakeChat", Guid.NewGuid()));
        await Driver.InvokeAsync("chloe", "TakeChat", chat.ConversationId);
        Assert.Contains("no longer waiting", await Driver.InvokeExpectingErrorAsync("alice", "TakeChat", chat.ConversationId));

        var assigned = await Driver.WaitForEventsAsync("visitor", "ChatAssigned");
        Assert.Equal("Chloé", assigned[0].Args[0]!["operatorName"]!.GetValue<string>());
        Assert.Single(await EventsOfAsync(chat.ConversationId), e => e.Type == "chat.assigned");
        Assert.NotEmpty(Driver.Events("bob", "QueueChanged"));
    }
}
