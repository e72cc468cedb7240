namespace ChatDesk.Server.Routing;

/// <summary>
/// One open console connection of an operator on one server node. An operator whose connections
/// are all gone keeps their chats for a grace period, then goes offline and their chats are requeued.
/// </summary>
public sealed class OperatorConnection
{
    public required string ConnectionId { get; set; }
    public required string OperatorId { get; set; }

    /// <summary>The node holding the connection; a node that died takes its connections with it.</summary>
    public required string NodeId { get; set; }

    public DateTimeOffset ConnectedAt { get; set; }
}
