using System.Diagnostics.Metrics;
using ChatDesk.Server.Observability;
using ChatDesk.Server.Routing;
using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Chats;

/// <summary>
/// Node-local chat metrics, labelled with the node: the messages it stored (their rate is the messages per second)
/// and the hub connections it holds, by side. Counting is one Add per commit or connection, with no allocation.
/// </summary>
public sealed class ChatMetrics
{
    public const string MessagesName = "chatdesk.messages";
    public const string ConnectionsName = "chatdesk.connections";

    public const string VisitorSide = "visitor";
    public const string OperatorSide = "operator";

    private readonly Counter<long> messages;
    private readonly UpDownCounter<long> connections;
    private readonly KeyValuePair<string, object?> node;

    public ChatMetrics(IMeterFactory meters, ServerNode serverNode)
    {
        var meter = ChatDeskMeter.Create(meters);
        messages = meter.CreateCounter<long>(MessagesName, "{message}", "Visitor and operator messages stored by this node, by author.");
        connections = meter.CreateUpDownCounter<long>(ConnectionsName, "{connection}", "Hub connections open on this node, by side (visitor, operator).");
        node = ChatDeskMeter.NodeOf(serverNode);
    }

    /// <param name="author"><see cref="AuthorKind.Visitor"/> or <see cref="AuthorKind.Operator"/>.</param>
    public void MessagesStored(string author, int count)
    {
        if (count > 0)
            messages.Add(count, new KeyValuePair<string, object?>("author", author), node);
    }

    public void ConnectionOpened(string side) => connections.Add(1, new KeyValuePair<string, object?>("side", side), node);

    public void ConnectionClosed(string side) => connections.Add(-1, new KeyValuePair<string, object?>("side", side), node);
}

/// <summary>Counts the hub connections: one that failed to connect was never counted, and SignalR does not disconnect it.</summary>
public sealed class ConnectionMetricsFilter(ChatMetrics metrics) : IHubFilter
{
    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        metrics.ConnectionOpened(SideOf(context.Hub));
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        try
        {
            await next(context, exception);
        }
        finally
        {
            metrics.ConnectionClosed(SideOf(context.Hub));
        }
    }

    private static string SideOf(Hub hub) => hub is VisitorHub ? ChatMetrics.VisitorSide : ChatMetrics.OperatorSide;
}
