using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Identity;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Chats;

/// <summary>Three server nodes on one database with the SignalR Redis backplane: pushes reach whichever node holds the client.</summary>
public sealed class RedisBackplaneTests : RedisNodesTestBase
{
    protected override IReadOnlyDictionary<string, string?> NodeSettings => TestApi.NoVisitorMessageLimit;

    [Fact]
    public async Task A_visitor_on_node_1_and_operators_on_nodes_2_and_3_chat_type_transfer_and_end_sessions_across_nodes()
    {
        await Driver.ConnectOperatorAsync("alice", Third.BaseUrl, await TestApi.LoginAsync(Third, TestApi.AliceEmail, TestApi.AlicePassword));
        await Driver.InvokeAsync("alice", "SetStatus", "online");
        await Driver.ConnectOperatorAsync("chloe", Second.BaseUrl, await TestApi.LoginAsync(Second, TestApi.ChloeEmail, TestApi.ChloePassword));
        await Driver.InvokeAsync("chloe", "SetStatus", "online");
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing", baseUrl: Host.BaseUrl);
        Assert.Equal(ConversationStatus.Assigned, chat.Status);
        await Driver.WaitForEventsAsync("visitor", "ChatAssigned");
        await Driver.WaitForEventsAsync("alice", "ChatAssigned");

        // A long message travels inline through Redis.
        var longText = string.Concat(Enumerable.Repeat("é", 3900));
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message(longText));
        await Driver.InvokeAsync("alice", "SendMessage", chat.ConversationId, TestApi.Message("Hello from node 3"));
        Assert.Equal(longText, MessageOf((await Driver.WaitForEventsAsync("alice", "MessageReceived"))[0]).Text);
        Assert.Contains((await Driver.WaitForEventsAsync("visitor", "MessageReceived", 2)).Select(MessageOf), m => m.Text == "Hello from node 3");

        await Driver.InvokeAsync("visitor", "Typing", "I also wanted to ask");
        var typing = (await Driver.WaitForEventsAsync("alice", "VisitorTyping"))[0];
        Assert.Equal("I also wanted to ask", typing.Args[0]!["draft"]!.GetValue<string>());

        var chloe = await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.ChloeEmail).Select(u => u.Id).SingleAsync());
        await Driver.InvokeAsync("alice", "Transfer", chat.ConversationId, new TransferRequest(chloe, null, "over to you"));
        await Driver.WaitForEventsAsync("chloe", "ChatAssigned");
        await Driver.WaitForEventsAsync("alice", "ChatTransferredAway");
        await Driver.WaitForEventsAsync("visitor", "ChatAssigned", 2);

        using var admin = await TestApi.AdminClientAsync(Host);
        var person = (await admin.GetFromJsonAsync<List<PersonDto>>("/api/admin/people?search=chloe", SignalRDriver.Json))!.Single();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/admin/people/{person.Id}/disable", null)).StatusCode);
        await Driver.WaitForDisconnectAsync("chloe", TimeSpan.FromSeconds(5));
        Assert.Single(Driver.Events("chloe", "SessionEnded"));
        Assert.Empty(Driver.Events("alice", "SessionEnded"));
    }

    [Fact]
    public async Task Every_node_reports_ready_with_its_database_and_redis_and_not_ready_while_redis_is_down()
    {
        using var client = TestApi.CreateClient(Second);
        var ready = await client.GetFromJsonAsync<ChatDesk.Server.ReadinessDto>("/healthz/ready", SignalRDriver.Json);
        Assert.Equal(new ChatDesk.Server.ReadinessDto("ready", "up", "up"), ready);

        await Redis.StopAsync();
        var down = await RetryAsync(async () => await client.GetAsync("/healthz/ready"), r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Equal("down", (await down.Content.ReadFromJsonAsync<ChatDesk.Server.ReadinessDto>(SignalRDriver.Json))!.Redis);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);

        await Redis.RestartAsync();
        await RetryAsync(async () => await client.GetAsync("/healthz/ready"), r => r.StatusCode == HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_Redis_restart_mid_stream_loses_and_doubles_nothing_once_clients_resync()
    {
        const int Messages = 500;
        await Driver.ConnectOperatorAsync("alice", Second.BaseUrl, await TestApi.LoginAsync(Second, TestApi.AliceEmail, TestApi.AlicePassword));
        await Driver.InvokeAsync("alice", "SetStatus", "online");
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing", baseUrl: Host.BaseUrl);
        var outage = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 1; i <= Messages; i++)
        {
            if (i == 150)
            {
                await Redis.StopAsync();
                outage.Restart();
            }
            if (i == 350)
            {
                await Redis.RestartAsync();
                Console.WriteLine($"Redis was down for {outage.ElapsedMilliseconds} ms while 200 messages were sent");
            }
            await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message($"message {i}"));
        }
        await Driver.WaitForEventsAsync("alice", "Resync", timeout: TimeSpan.FromSeconds(60));

        // What the console does on Resync: fetch after the last sequence it holds without a gap.
        var pushed = PushedSequences("alice");
        var shown = await ShownAfterResumeAsync("alice", after => Driver.InvokeAsync<List<MessageDto>>("alice", "GetMessagesAfter", chat.ConversationId, after));
        Assert.Equal(Enumerable.Range(1, Messages), shown);
        Assert.Equal(pushed.Count, pushed.Distinct().Count());
        Assert.True(pushed.Count < Messages, "Some pushes should have been lost while Redis was down, or the test tests nothing.");

        // Still usable: each node comes back to Redis on its own, so the operator gets the next message either pushed
        // or, if the visitor's node was not back yet, through the resync that node sends once it is.
        var resyncs = Driver.Events("alice", "Resync").Count;
        var sent = await Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message("after the restart"));
        var reached = await RetryAsync(async () =>
            Driver.Events("alice", "MessageReceived").Select(MessageOf).Any(m => m.Sequence == sent.Sequence)
            || (Driver.Events("alice", "Resync").Count > resyncs
                && (await Driver.InvokeAsync<List<MessageDto>>("alice", "GetMessagesAfter", chat.ConversationId, sent.Sequence - 1)).Any(m => m.Sequence == sent.Sequence)),
            found => found);
        Assert.True(reached, "The operator got the message sent after the restart neither pushed nor by a resync.");
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> call, Func<T, bool> done)
    {
        for (var i = 0; ; i++)
        {
            var result = await call();
            if (done(result) || i == 600)
                return result;
            await Task.Delay(100);
        }
    }
}
