using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Routing;

public sealed class PresenceService(
    ChatDeskDbContext db, EventLog events, TimeProvider clock, RoutingService routing, ChatNotifier notifier, ServerNode node)
{
    public async Task SetStatusAsync(string operatorId, string status, CancellationToken cancellationToken = default)
    {
        if (status == OperatorStatus.Offline)
        {
            await routing.GoOfflineAsync(operatorId, "signed_out", cancellationToken);
            return;
        }
        if (!OperatorStatus.IsSettable(status))
            throw new ChatException("Status must be online or away.");

        var user = await db.Users.FindAsync([operatorId], cancellationToken) ?? throw new ChatException("Unknown operator.");
        if (user.DisabledAt is not null)
            throw new ChatException("This account is disabled.");
        if (user.Status != status)
        {
            var previous = user.Status;
            user.Status = status;
            user.StatusChangedAt = clock.UtcNowForStorage();
            events.AppendOperatorEvent(db, EventTypes.OperatorStatusChanged, operatorId, new { status, previous });
            await db.SaveChangesAsync(cancellationToken);
        }

        await notifier.OperatorStatusChangedAsync(operatorId, status);
        if (status == OperatorStatus.Online)
            await routing.DispatchAsync(cancellationToken: cancellationToken);
    }

    public async Task ConnectedAsync(string operatorId, string connectionId, CancellationToken cancellationToken = default)
    {
        db.OperatorConnections.Add(new OperatorConnection
        {
            ConnectionId = connectionId, OperatorId = operatorId, NodeId = node.Id, ConnectedAt = clock.UtcNowForStorage(),
        });
        await db.SaveChangesAsync(cancellationToken);
        var cameBack = await db.Users.Where(u => u.Id == operatorId && u.DisconnectedAt != null)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.DisconnectedAt, (DateTimeOffset?)null), cancellationToken);
        if (cameBack > 0)
            await routing.DispatchAsync(cancellationToken: cancellationToken); // eligible again for new chats
    }

    public async Task DisconnectedAsync(string operatorId, string connectionId, CancellationToken cancellationToken = default)
    {
        await db.OperatorConnections.Where(c => c.ConnectionId == connectionId).ExecuteDeleteAsync(cancellationToken);
        var now = clock.UtcNowForStorage();
        // The grace period starts when the last connection is gone; the sweep takes it from there.
        await db.Users
            .Where(u => u.Id == operatorId && u.DisconnectedAt == null && !db.OperatorConnections.Any(c => c.OperatorId == operatorId))
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.DisconnectedAt, now), cancellationToken);
    }
}
