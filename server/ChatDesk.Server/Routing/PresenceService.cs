using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;

namespace ChatDesk.Server.Routing;

public sealed class PresenceService(ChatDeskDbContext db, EventLog events, TimeProvider clock, RoutingService routing, ChatNotifier notifier)
{
    public async Task SetStatusAsync(string operatorId, string status, CancellationToken cancellationToken = default)
    {
        if (!OperatorStatus.IsSettable(status) && status != OperatorStatus.Offline)
            throw new ChatException($"Unknown status '{status}'. Use online or away.");

        var user = await db.Users.FindAsync([operatorId], cancellationToken)
            ?? throw new ChatException("Unknown operator.");
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
            await routing.DispatchAsync(cancellationToken);
    }
}
