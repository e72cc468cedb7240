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
        var chats = new List<ConversationView>();
        for (var i = 0; i < 3; i++)
        {
            chats.Add((await StartVisitorChatAsync($"v{i}", topic: "sales")).Conversation);
            Host.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.All(chats, c => Assert.Equal(ConversationStatus.Queued, c.Status));
        await WaitForPositionAsync("v2", 3);
        await WaitForPositionAsync("v1", 2);
        await WaitForPositionAsync("v0", 1);

        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword);
        await Driver.WaitForEventsAsync("v0", "ChatAssigned");
        await WaitForPositionAsync("v1", 1);
        await WaitForPositionAsync("v2", 2);

        await Driver.InvokeAsync("bob", "EndChat", chats[0].ConversationId);
        await Driver.WaitForEventsAsync("v1", "ChatAssigned");
        await WaitForPositionAsync("v2", 1);
        Assert.Empty(Driver.Events("v2", "ChatAssigned"));
    }

    [Fact]
    public async Task An_operator_may_take_a_waiting_chat_they_are_eligible_for_and_nothing_else()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await Driver.InvokeAsync("alice", "SetStatus", "away");
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword);
        await Driver.InvokeAsync("bob", "SetStatus", "away");
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        Assert.Equal(ConversationStatus.Queued, chat.Status);

        var queue = await Driver.InvokeAsync<List<QueueEntry>>("alice", "GetQueue");
        Assert.Equal((chat.ConversationId, 1), (Assert.Single(queue).ConversationId, queue[0].Position));
        Assert.Empty(await Driver.InvokeAsync<List<QueueEntry>>("bob", "GetQueue"));

        Assert.Contains("do not have the skill", await Driver.InvokeExpectingErrorAsync("bob", "TakeChat", chat.ConversationId));
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("alice", "TakeChat", Guid.NewGuid()));
        await Driver.InvokeAsync("alice", "TakeChat", chat.ConversationId);
        Assert.Contains("no longer waiting", await Driver.InvokeExpectingErrorAsync("bob", "TakeChat", chat.ConversationId));

        var assigned = await Driver.WaitForEventsAsync("visitor", "ChatAssigned");
        Assert.Equal("Alice", assigned[0].Args[0]!["operatorName"]!.GetValue<string>());
        var events = await EventsOfAsync(chat.ConversationId);
        Assert.Single(events, e => e.Type == "chat.assigned");
    }

    [Fact]
    public async Task A_full_operator_cannot_take_another_chat()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await StartVisitorChatAsync("first", topic: "billing");
        var (_, second) = await StartVisitorChatAsync("second", topic: "billing");

        Assert.Equal(ConversationStatus.Queued, second.Status);
        Assert.Contains("as many chats as you can take", await Driver.InvokeExpectingErrorAsync("alice", "TakeChat", second.ConversationId));
    }
}
