using System.Diagnostics;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Chats;

/// <summary>
/// Two nodes, each a process of its own with the Redis backplane, behind nginx (the shipped configuration). The
/// node holding a chat's visitor and operator is killed with SIGKILL in the middle of a 500-message stream: both
/// reconnect through nginx to the other node and resume; the chat stays assigned; nothing is lost or shown twice.
/// </summary>
public sealed class NodeCrashTests : ChatTestBase
{
    private const int Messages = 500;
    private const int CrashAt = 200;
    private TestServerProcess first = null!;
    private TestServerProcess second = null!;
    private TestNginx nginx = null!;

    protected override bool WithRedis => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var settings = BackplaneSettings();
        settings["ChatDesk:KnownProxies"] = "127.0.0.1";
        foreach (var (key, value) in TestApi.NoVisitorMessageLimit)
            settings[key] = value;
        (first, second) = (await TestServerProcess.StartAsync(Host, "p1", settings), await TestServerProcess.StartAsync(Host, "p2", settings));
        nginx = await TestNginx.StartAsync([first.Port, second.Port]);
        Driver.Timeout = TimeSpan.FromSeconds(30);
    }

    public override async Task DisposeAsync()
    {
        await nginx.DisposeAsync();
        await first.DisposeAsync();
        await second.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task A_node_killed_mid_chat_loses_and_doubles_nothing_and_its_chat_stays_assigned_on_the_other_node()
    {
        // Visitor and operator share an affinity key that nginx sends to the first node.
        var cookie = await TestApi.LoginAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        string key;
        for (var k = 0; ; k++)
        {
            key = $"crash-{k}";
            await Driver.ConnectOperatorAsync("alice", nginx.BaseUrl, cookie, affinity: key);
            var nodes = await ConnectedNodesOfAsync(TestApi.AliceEmail);
            if (nodes.Count > 0 && nodes.All(n => n.StartsWith(first.NodeIdPrefix, StringComparison.Ordinal)))
                break;
            Assert.True(k < 30, "nginx sent every key to the second node.");
            await Driver.StopAsync("alice");
            while ((await NodesHoldingAsync(TestApi.AliceEmail)).Count > 0)
                await Task.Delay(20);
        }
        await Driver.InvokeAsync("alice", "SetStatus", "online");
        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("visitor", nginx.BaseUrl, session.VisitorToken, affinity: key);
        var chat = await Driver.InvokeAsync<ConversationView>("visitor", "StartChat", TestApi.ChatRequest(topic: "billing"));
        // Under load StartChat may answer "queued" before routing is done: the assignment is pushed.
        await Driver.WaitForEventsAsync("alice", "ChatAssigned");

        var sent = new List<SendMessageRequest>();
        var failedCalls = 0;
        var sinceCrash = new Stopwatch();
        long? recoveredMs = null;
        for (var i = 1; i <= Messages; i++)
        {
            if (i == CrashAt)
            {
                await first.KillAsync();
                sinceCrash.Start();
            }
            // As the widget and console do: a call that failed is sent again with the same client id.
            var fromVisitor = TestApi.Message($"visitor {i}");
            failedCalls += await SendUntilStoredAsync("visitor", fromVisitor);
            sent.Add(fromVisitor);
            recoveredMs ??= i == CrashAt ? sinceCrash.ElapsedMilliseconds : null;
            if (i % 10 == 0)
            {
                var reply = TestApi.Message($"alice {i}");
                failedCalls += await SendUntilStoredAsync("alice", reply, chat.ConversationId);
                sent.Add(reply);
            }
        }
        Console.WriteLine($"Node p1 killed at message {CrashAt}: the visitor's next message was stored {recoveredMs} ms later; {failedCalls} calls failed and were sent again");
        Assert.True(failedCalls > 0, "No call failed: the crash did not hit the stream, and the test tests nothing.");

        // Stored once each, in one gap-free sequence.
        var stored = await Host.WithDbAsync(db => db.Messages.AsNoTracking().Where(m => m.ConversationId == chat.ConversationId).OrderBy(m => m.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(1, stored.Count), stored.Select(m => m.Sequence));
        var storedIds = stored.Where(m => m.AuthorKind is "visitor" or "operator").Select(m => m.ClientMessageId.ToString()).ToList();
        Assert.Equal(sent.Select(m => m.ClientMessageId).Order(), storedIds.Order());

        // Each side shows every message once: what was pushed up to its first gap, then what it fetches on resume.
        foreach (var (connection, fetch) in new (string, Func<int, Task<List<MessageDto>>>)[]
        {
            ("alice", after => Driver.InvokeAsync<List<MessageDto>>("alice", "GetMessagesAfter", chat.ConversationId, after)),
            ("visitor", after => Driver.InvokeAsync<List<MessageDto>>("visitor", "GetMessagesAfter", after)),
        })
        {
            var pushed = PushedSequences(connection);
            Assert.Equal(pushed.Count, pushed.Distinct().Count());
            Assert.Equal(stored.Select(m => m.Sequence), await ShownAfterResumeAsync(connection, fetch));
        }

        // Presence grace: the chat stayed with its operator, who is online on the surviving node.
        var conversation = await Host.WithDbAsync(db => db.Conversations.AsNoTracking().SingleAsync(c => c.Id == chat.ConversationId));
        var alice = await Host.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Email == TestApi.AliceEmail));
        Assert.Equal((ConversationStatus.Assigned, alice.Id, OperatorStatus.Online), (conversation.Status, conversation.OperatorId, alice.Status));
        Assert.Equal(0, await CountAsync(db => db.Events.CountAsync(e => e.ConversationId == chat.ConversationId && e.Type == "chat.transferred")));
        Assert.All(await NodesHoldingAsync(TestApi.AliceEmail), n => Assert.StartsWith(second.NodeIdPrefix, n));

        // Still usable: the next message is pushed to the operator at once.
        var after = await Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message("after the crash"));
        for (var i = 0; i < 100 && !Driver.Events("alice", "MessageReceived").Select(MessageOf).Any(m => m.Sequence == after.Sequence); i++)
            await Task.Delay(50);
        Assert.Contains(Driver.Events("alice", "MessageReceived").Select(MessageOf), m => m.Sequence == after.Sequence);
    }

    /// <returns>How many attempts failed before the message was stored.</returns>
    private async Task<int> SendUntilStoredAsync(string connection, SendMessageRequest message, Guid? conversationId = null)
    {
        for (var failures = 0; ; failures++)
        {
            try
            {
                if (conversationId is { } id)
                    await Driver.InvokeAsync(connection, "SendMessage", id, message);
                else
                    await Driver.InvokeAsync(connection, "SendMessage", message);
                return failures;
            }
            catch (HubCallException) when (failures < 300)
            {
                await Task.Delay(100);
            }
        }
    }
}
