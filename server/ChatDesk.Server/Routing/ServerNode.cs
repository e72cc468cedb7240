namespace ChatDesk.Server.Routing;

/// <summary>This server process, one node among several that may share the database.</summary>
/// <remarks>
/// The id is new for every process, so that a node restarted after a crash is never taken for the one that
/// died (whose connections are forgotten once its database sessions are gone). <c>ChatDesk:NodeName</c>
/// (e.g. "chatdesk-2") prefixes it, so logs and <c>operator_connections</c> say which machine it is.
/// </remarks>
public sealed class ServerNode(IConfiguration configuration)
{
    // PostgreSQL keeps 63 bytes of an application name: "chatdesk-node:" + name + "-" + 32 hex digits.
    private const int MaxNameLength = 16;

    public string Id { get; } = NameOf(configuration) is { Length: > 0 } name ? $"{name}-{Guid.NewGuid():N}" : Guid.NewGuid().ToString("N");
    public string ApplicationName => $"chatdesk-node:{Id}";

    /// <summary>
    /// What metrics call this node: the configured name, else the machine's. Stable across restarts, unlike
    /// <see cref="Id"/>, so a restart does not start new metric series.
    /// </summary>
    public string Name { get; } = NameFor(configuration);

    public static string NameFor(IConfiguration configuration) =>
        NameOf(configuration) is { Length: > 0 } name ? name : Environment.MachineName;

    private static string NameOf(IConfiguration configuration)
    {
        var name = new string((configuration["ChatDesk:NodeName"] ?? "").Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').ToArray());
        return name.Length > MaxNameLength ? name[..MaxNameLength] : name;
    }
}
