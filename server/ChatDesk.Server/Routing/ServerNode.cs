namespace ChatDesk.Server.Routing;

/// <summary>This server process, one node among several that may share the database.</summary>
public sealed class ServerNode
{
    public string Id { get; } = Guid.NewGuid().ToString("N");
    public string ApplicationName => $"chatdesk-node:{Id}";
}
