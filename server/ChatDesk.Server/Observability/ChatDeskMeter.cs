using System.Diagnostics.Metrics;
using ChatDesk.Server.Routing;

namespace ChatDesk.Server.Observability;

/// <summary>
/// The one meter name of ChatDesk's own instruments. Each feature creates its meter through the host's
/// <see cref="IMeterFactory"/> (so a test host's instruments go away with it) and its instruments where the
/// measurement happens; docs/observability.md lists them.
/// </summary>
public static class ChatDeskMeter
{
    public const string Name = "ChatDesk";

    /// <summary>The label of facts that belong to one node (its connections, the messages it stored).</summary>
    public const string NodeTag = "node";

    public static Meter Create(IMeterFactory meters) => meters.Create(Name);

    public static KeyValuePair<string, object?> NodeOf(ServerNode node) => new(NodeTag, node.Name);
}
