using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Widget;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>A fresh server and database per test, plus official SignalR clients driven from Node.</summary>
public abstract class ChatTestBase : IAsyncLifetime
{
    protected ChatDeskTestHost Host { get; private set; } = null!;
    protected SignalRDriver Driver { get; } = new();

    private readonly List<ChatDeskTestHost> otherNodes = [];

    /// <summary>
    /// The class runs several nodes: they share a Redis server of the class's own as their backplane (without one,
    /// a node's pushes reach only its own clients).
    /// </summary>
    protected virtual bool WithRedis => false;

    /// <summary>The backplane's Redis server, when <see cref="WithRedis"/>.</summary>
    protected TestRedis Redis { get; private set; } = null!;

    /// <summary>The settings a node needs for the class's backplane (none without <see cref="WithRedis"/>).</summary>
    protected Dictionary<string, string?> BackplaneSettings() =>
        WithRedis ? new() { ["ChatDesk:Redis"] = Redis.ConnectionString } : [];

    protected virtual ChatDeskTestHost CreateHost() => new() { Settings = BackplaneSettings() };

    /// <summary>Another server node on the host's database and clock, stopped after the test.</summary>
    protected async Task<ChatDeskTestHost> StartAnotherNodeAsync()
    {
        var node = Host.SecondNode();
        otherNodes.Add(node);
        await node.InitializeAsync();
        return node;
    }

    public virtual async Task InitializeAsync()
    {
        if (WithRedis)
            Redis = await TestRedis.StartAsync();
        Host = CreateHost();
        await Host.InitializeAsync();
    }

    public virtual async Task DisposeAsync()
    {
        await Driver.DisposeAsync();
        await Host.DisposeAsync();
        foreach (var node in otherNodes)
            await node.DisposeAsync();
        if (WithRedis)
            await Redis.DisposeAsync();
    }

    protected async Task OperatorOnlineAsync(string connection, string email, string password)
    {
        await Driver.ConnectOperatorAsync(connection, Host.BaseUrl, await TestApi.LoginAsync(Host, email, password));
        await Driver.InvokeAsync(connection, "SetStatus", "online");
    }

    protected async Task<(WidgetSessionResponse Session, ConversationView Conversation)> StartVisitorChatAsync(
        string connection, string topic = "billing", string name = "Vera Visitor", string? baseUrl = null)
    {
        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync(connection, baseUrl ?? Host.BaseUrl, session.VisitorToken);
        var conversation = await Driver.InvokeAsync<ConversationView>(connection, "StartChat", TestApi.ChatRequest(name, topic));
        return (session, conversation);
    }

    /// <summary>The nodes holding an operator's console connections now (a reconnect under load may briefly leave two).</summary>
    protected Task<List<string>> NodesHoldingAsync(string email) => Host.WithDbAsync(db =>
        db.OperatorConnections.Where(c => db.Users.Any(u => u.Id == c.OperatorId && u.Email == email)).Select(c => c.NodeId).Distinct().ToListAsync());

    /// <summary>
    /// The nodes holding a just-connected operator's connections: the node writes the connection's row a moment after
    /// the client hears it is connected, so this waits (up to 2 s) for at least one.
    /// </summary>
    protected async Task<List<string>> ConnectedNodesOfAsync(string email)
    {
        var nodes = await NodesHoldingAsync(email);
        for (var i = 0; i < 100 && nodes.Count == 0; i++)
        {
            await Task.Delay(20);
            nodes = await NodesHoldingAsync(email);
        }
        return nodes;
    }

    /// <summary>The sequences a connection has received pushed, in arrival order.</summary>
    protected List<int> PushedSequences(string connection) =>
        Driver.Events(connection, "MessageReceived").Select(MessageOf).Select(m => m.Sequence).ToList();

    /// <summary>
    /// What a client shows once it resumes (as the widget and console do after a reconnect or a Resync): what was
    /// pushed up to its first gap, then what it fetches after that sequence.
    /// </summary>
    protected async Task<List<int>> ShownAfterResumeAsync(string connection, Func<int, Task<List<MessageDto>>> fetchAfter)
    {
        var pushed = PushedSequences(connection);
        var contiguous = 0;
        while (pushed.Contains(contiguous + 1))
            contiguous++;
        return pushed.Where(s => s <= contiguous).Concat((await fetchAfter(contiguous)).Select(m => m.Sequence)).Order().ToList();
    }

    protected Task<List<EventRecord>> EventsOfAsync(Guid conversationId) =>
        Host.WithDbAsync(db => db.Events.AsNoTracking().Where(e => e.ConversationId == conversationId).OrderBy(e => e.Sequence).ToListAsync());

    protected Task<int> CountAsync(Func<ChatDeskDbContext, Task<int>> count) => Host.WithDbAsync(count);

    protected static MessageDto MessageOf(SignalRDriver.DriverEvent received) =>
        received.Args[0].Deserialize<MessageDto>(SignalRDriver.Json)!;
}
