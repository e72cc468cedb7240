using System.Collections.Concurrent;
using ChatDesk.Server.Chats;
using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Identity;

/// <summary>
/// This node's open hub connections of signed-in console users (operator console and live board), so that
/// a disabled account or a password change ends them at once instead of when they next reconnect.
/// Connections are a node's own; which ones to end reaches every node through the push bus.
/// </summary>
public sealed class ConsoleConnections
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, HubCallerContext>> byUser = new(StringComparer.Ordinal);

    public void Add(string userId, HubCallerContext context) =>
        byUser.GetOrAdd(userId, _ => new ConcurrentDictionary<string, HubCallerContext>(StringComparer.Ordinal))[context.ConnectionId] = context;

    public void Remove(string userId, HubCallerContext context)
    {
        if (byUser.TryGetValue(userId, out var connections))
            connections.TryRemove(context.ConnectionId, out _);
    }

    /// <summary>Closes every connection of the user on this node; returns how many there were.</summary>
    public int Abort(string userId)
    {
        if (!byUser.TryRemove(userId, out var connections))
            return 0;
        foreach (var context in connections.Values)
            context.Abort();
        return connections.Count;
    }
}

/// <summary>Ends a user's hub connections on every node (their cookie is refused by then: its security stamp changed).</summary>
public sealed class AccountSessions(PushBus bus)
{
    public Task EndAsync(string userId) => bus.PublishAsync([Push.EndSessions(userId)]);
}
