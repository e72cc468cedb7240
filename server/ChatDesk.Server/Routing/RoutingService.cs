using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Routing;

public sealed record QueueEntry(Guid ConversationId, string VisitorName, string? Topic, DateTimeOffset RequestedAt, int Position);

/// <summary>
/// Assigns waiting chats, first come first served per skill, to eligible operators. Every decision
/// is taken inside one transaction holding a cluster-wide advisory lock, with the waiting
/// conversations locked, so two server processes on the same database never give a chat twice nor
/// push an operator over capacity. No routing state lives in a process's memory.
/// </summary>
public sealed class RoutingService(
    ChatDeskDbContext db, EventLog events, TimeProvider clock, ChatNotifier notifier, IConfiguration configuration)
{
    private const long RoutingLockKey = 0x52_6F_75_74_69_6E_67; // "Routing"
    private const int BatchSize = 500;

    public TimeSpan DisconnectGrace => TimeSpan.FromSeconds(configuration.GetValue("ChatDesk:Routing:DisconnectGraceSeconds", 60));

    /// <param name="queueMoved">A waiting chat left the queue (e.g. the visitor gave up): positions behind it changed.</param>
    public async Task DispatchAsync(bool queueMoved = false, CancellationToken cancellationToken = default)
    {
        var outcome = new DispatchOutcome { QueueMoved = queueMoved };
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockRoutingAsync(cancellationToken);
            await AssignWaitingAsync(outcome, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await outcome.NotifyAsync(notifier);
    }

    /// <summary>
    /// Presence upkeep, run every second by <see cref="RoutingTimers"/> on every node (and by tests
    /// after moving the clock): forgets connections of dead nodes, starts the grace period of
    /// operators left without a connection, and takes offline those whose grace has run out,
    /// putting their open chats back at the head of the queue.
    /// </summary>
    public async Task SweepAsync(CancellationToken cancellationToken = default)
    {
        var outcome = new DispatchOutcome();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockRoutingAsync(cancellationToken);
            var now = clock.UtcNowForStorage();
            // A node that died closed its database sessions; its connections are gone with it.
            await db.Database.ExecuteSqlRawAsync("""
                DELETE FROM operator_connections c
                WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = 'chatdesk-node:' || c.node_id)
                """, cancellationToken);
            await db.Users
                .Where(u => u.Status != OperatorStatus.Offline && u.DisconnectedAt == null && !db.OperatorConnections.Any(c => c.OperatorId == u.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.DisconnectedAt, now), cancellationToken);

            var deadline = now - DisconnectGrace;
            var expired = await db.Users
                .Where(u => u.Status != OperatorStatus.Offline && u.DisconnectedAt <= deadline && !db.OperatorConnections.Any(c => c.OperatorId == u.Id))
                .ToListAsync(cancellationToken);
            foreach (var user in expired)
                await TakeOfflineAsync(user, "disconnected", outcome, cancellationToken);
            outcome.QueueMoved = expired.Count > 0;
            await db.SaveChangesAsync(cancellationToken); // the requeued chats must be visible to the queue query

            await AssignWaitingAsync(outcome, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await outcome.NotifyAsync(notifier);
    }

    /// <summary>An operator signs out or goes offline: their chats return to the queue.</summary>
    public async Task GoOfflineAsync(string operatorId, string reason, CancellationToken cancellationToken = default)
    {
        var outcome = new DispatchOutcome();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockRoutingAsync(cancellationToken);
            var user = await db.Users.SingleAsync(u => u.Id == operatorId, cancellationToken);
            if (user.Status != OperatorStatus.Offline)
            {
                await TakeOfflineAsync(user, reason, outcome, cancellationToken);
                outcome.QueueMoved = true;
            }
            await db.SaveChangesAsync(cancellationToken); // the requeued chats must be visible to the queue query
            await AssignWaitingAsync(outcome, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await outcome.NotifyAsync(notifier);
    }

    /// <summary>Is anyone online (and connected) who could take a chat needing this skill?</summary>
    public async Task<bool> AnyOperatorOnlineForAsync(Guid? skillId, CancellationToken cancellationToken = default)
    {
        var operatorRoleId = await db.Roles.Where(r => r.Name == Roles.Operator).Select(r => r.Id).SingleAsync(cancellationToken);
        return await db.Users.AnyAsync(u => u.Status == OperatorStatus.Online && u.DisconnectedAt == null
            && db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == operatorRoleId)
            && (skillId == null || db.OperatorSkills.Any(s => s.OperatorId == u.Id && s.SkillId == skillId)), cancellationToken);
    }

    /// <summary>The waiting chats an operator may take, with their place in their skill's queue.</summary>
    public async Task<IReadOnlyList<QueueEntry>> GetQueueForAsync(string operatorId, CancellationToken cancellationToken = default)
    {
        var skills = await db.OperatorSkills.Where(s => s.OperatorId == operatorId).Select(s => s.SkillId).ToListAsync(cancellationToken);
        var waiting = await db.Conversations.AsNoTracking()
            .Where(c => c.Status == ConversationStatus.Queued)
            .OrderBy(c => c.RequestedAt).ThenBy(c => c.Id)
            .Select(c => new { c.Id, c.VisitorName, c.TopicKey, c.RequestedAt, c.SkillId })
            .ToListAsync(cancellationToken);
        return waiting
            .Select(c => new { c, Position = waiting.Count(o => o.SkillId == c.SkillId && (o.RequestedAt < c.RequestedAt || (o.RequestedAt == c.RequestedAt && o.Id.CompareTo(c.Id) < 0))) + 1 })
            .Where(x => x.c.SkillId is null || skills.Contains(x.c.SkillId.Value))
            .Select(x => new QueueEntry(x.c.Id, x.c.VisitorName, x.c.TopicKey, x.c.RequestedAt, x.Position))
            .ToList();
    }

    /// <summary>Manual pick-up: an operator takes a waiting chat they are eligible for.</summary>
    public async Task TakeAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken = default)
    {
        var outcome = new DispatchOutcome();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await LockRoutingAsync(cancellationToken);
            var conversation = await db.Conversations
                .FromSqlInterpolated($"SELECT * FROM conversations WHERE id = {conversationId} FOR UPDATE")
                .SingleOrDefaultAsync(cancellationToken)
                ?? throw new ChatException("Unknown conversation.");
            if (conversation.Status != ConversationStatus.Queued)
                throw new ChatException("This chat is no longer waiting.");
            // Manual pick-up works when away too: away only stops automatic assignment.
            var user = await db.Users.SingleAsync(u => u.Id == operatorId, cancellationToken);
            if (user.Status == OperatorStatus.Offline)
                throw new ChatException("Go online or away to take chats.");
            if (conversation.SkillId is { } skill && !await db.OperatorSkills.AnyAsync(s => s.OperatorId == operatorId && s.SkillId == skill, cancellationToken))
                throw new ChatException("You do not have the skill this chat needs.");
            var active = await db.Conversations.CountAsync(c => c.OperatorId == operatorId && c.Status == ConversationStatus.Assigned, cancellationToken);
            if (active >= user.MaxConcurrentChats)
                throw new ChatException("You already have as many chats as you can take.");

            Assign(conversation, user, outcome, manual: true);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await outcome.NotifyAsync(notifier);
    }

    private async Task LockRoutingAsync(CancellationToken cancellationToken)
    {
        await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({RoutingLockKey})", cancellationToken);
        // Entities the caller tracked may be stale by now (another node may have changed them):
        // routing decides only on rows read under the lock.
        db.ChangeTracker.Clear();
    }

    private async Task AssignWaitingAsync(DispatchOutcome outcome, CancellationToken cancellationToken)
    {
        // Locked so that a message appended meanwhile waits instead of racing on the sequences.
        var waiting = await db.Conversations
            .FromSqlRaw($"SELECT * FROM conversations WHERE status = 'queued' ORDER BY requested_at, id LIMIT {BatchSize} FOR UPDATE")
            .ToListAsync(cancellationToken);
        if (waiting.Count == 0)
            return;

        var candidates = await LoadCandidatesAsync(cancellationToken);
        var operators = await db.Users.Where(u => candidates.Keys.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var stillWaiting = new List<Conversation>();
        foreach (var conversation in waiting)
        {
            var chosen = OperatorChooser.Choose(candidates.Values, conversation.SkillId);
            if (chosen is null)
            {
                stillWaiting.Add(conversation);
                continue;
            }
            candidates[chosen.OperatorId] = chosen with { ActiveChats = chosen.ActiveChats + 1, LastAssignedAt = clock.UtcNowForStorage() };
            Assign(conversation, operators[chosen.OperatorId], outcome, manual: false);
        }
        await ReportQueueAsync(stillWaiting, outcome, cancellationToken);
    }

    private void Assign(Conversation conversation, ApplicationUser user, DispatchOutcome outcome, bool manual)
    {
        var now = clock.UtcNowForStorage();
        conversation.Status = ConversationStatus.Assigned;
        conversation.OperatorId = user.Id;
        conversation.AssignedAt ??= now;
        user.LastAssignedAt = now;
        events.Append(db, conversation, EventTypes.ChatAssigned, new { operatorId = user.Id, manual }, user.Id);
        outcome.Assigned.Add((conversation, user.DisplayName));
    }

    /// <summary>Queue positions and wait estimates for the chats still waiting; a first-time wait gets an automated notice.</summary>
    private async Task ReportQueueAsync(List<Conversation> stillWaiting, DispatchOutcome outcome, CancellationToken cancellationToken)
    {
        if (stillWaiting.Count == 0)
            return;
        var now = clock.UtcNowForStorage();
        var since = now - WaitEstimator.Window;
        var recentAssignments = await db.Conversations
            .Where(c => c.AssignedAt >= since)
            .GroupBy(c => c.SkillId)
            .Select(g => new { SkillId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.SkillId ?? Guid.Empty, g => g.Count, cancellationToken);

        var positions = new Dictionary<Guid, int>();
        foreach (var conversation in stillWaiting)
        {
            var skill = conversation.SkillId ?? Guid.Empty;
            var position = positions[skill] = positions.GetValueOrDefault(skill) + 1;
            var estimate = WaitEstimator.Estimate(position, recentAssignments.GetValueOrDefault(skill), WaitEstimator.Window);
            // Only chat.requested so far: this is the moment it starts waiting.
            var newlyQueued = conversation.LastEventSequence == 1;
            // Joining the back of the queue moves nobody, so positions are only sent when they change.
            if (newlyQueued || outcome.QueueMoved || outcome.Assigned.Count > 0)
                outcome.Queued.Add(new QueueNotice(conversation.VisitorId, conversation.Id, position, (int?)estimate?.TotalSeconds));

            if (newlyQueued)
            {
                events.Append(db, conversation, EventTypes.ChatQueued, new { skillId = conversation.SkillId, queuePosition = position });
                var text = estimate is { } wait
                    ? ServerMessages.Text("queued.estimate", conversation.Language, WaitEstimator.Minutes(wait))
                    : ServerMessages.Text("queued.unknown", conversation.Language);
                outcome.Messages.Add((conversation, ServerMessages.Add(db, events, clock, conversation, AuthorKind.Automated, text)));
            }
        }
    }

    private async Task TakeOfflineAsync(ApplicationUser user, string reason, DispatchOutcome outcome, CancellationToken cancellationToken)
    {
        var previous = user.Status;
        user.Status = OperatorStatus.Offline;
        user.StatusChangedAt = clock.UtcNowForStorage();
        events.AppendOperatorEvent(db, EventTypes.OperatorStatusChanged, user.Id, new { status = OperatorStatus.Offline, previous, reason });
        outcome.StatusChanges.Add(user.Id);

        var open = await db.Conversations
            .FromSqlInterpolated($"SELECT * FROM conversations WHERE operator_id = {user.Id} AND status = 'assigned' ORDER BY id FOR UPDATE")
            .ToListAsync(cancellationToken);
        foreach (var conversation in open)
        {
            conversation.Status = ConversationStatus.Queued;
            conversation.OperatorId = null;
            events.Append(db, conversation, EventTypes.ChatTransferred,
                new { from = user.Id, to = (string?)null, toSkillId = conversation.SkillId, reason = $"operator_{reason}" }, user.Id);
            var text = ServerMessages.Text("requeued.disconnected", conversation.Language);
            outcome.Messages.Add((conversation, ServerMessages.Add(db, events, clock, conversation, AuthorKind.System, text)));
        }
    }

    private async Task<Dictionary<string, OperatorCandidate>> LoadCandidatesAsync(CancellationToken cancellationToken)
    {
        var operatorRoleId = await db.Roles.Where(r => r.Name == Roles.Operator).Select(r => r.Id).SingleAsync(cancellationToken);
        // Operators inside a disconnect grace period keep their chats but get no new ones.
        var online = await db.Users
            .Where(u => u.Status == OperatorStatus.Online && u.DisconnectedAt == null
                && db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == operatorRoleId))
            .Select(u => new { u.Id, u.Status, u.MaxConcurrentChats, u.LastAssignedAt })
            .ToListAsync(cancellationToken);
        var ids = online.Select(o => o.Id).ToList();
        var skills = await db.OperatorSkills.Where(s => ids.Contains(s.OperatorId)).ToListAsync(cancellationToken);
        var active = await db.Conversations
            .Where(c => c.Status == ConversationStatus.Assigned && c.OperatorId != null && ids.Contains(c.OperatorId))
            .GroupBy(c => c.OperatorId!)
            .Select(g => new { OperatorId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.OperatorId, g => g.Count, cancellationToken);

        return online.ToDictionary(
            o => o.Id,
            o => new OperatorCandidate(
                o.Id, o.Status,
                skills.Where(s => s.OperatorId == o.Id).ToDictionary(s => s.SkillId, s => s.Proficiency),
                active.GetValueOrDefault(o.Id), o.MaxConcurrentChats, o.LastAssignedAt));
    }

    /// <summary>What a routing transaction changed, pushed to clients once it is committed.</summary>
    private sealed class DispatchOutcome
    {
        public List<(Conversation Conversation, string OperatorName)> Assigned { get; } = [];
        public List<QueueNotice> Queued { get; } = [];
        public List<(Conversation Conversation, Message Message)> Messages { get; } = [];
        public List<string> StatusChanges { get; } = [];
        public bool QueueMoved { get; set; }

        public async Task NotifyAsync(ChatNotifier notifier)
        {
            foreach (var (conversation, message) in Messages)
                await notifier.MessageSentAsync(conversation.VisitorId, conversation.OperatorId, message.ToDto());
            foreach (var (conversation, operatorName) in Assigned)
                await notifier.ChatAssignedAsync(conversation, operatorName);
            foreach (var operatorId in StatusChanges)
                await notifier.OperatorStatusChangedAsync(operatorId, OperatorStatus.Offline);
            if (Queued.Count > 0)
                await notifier.QueueUpdatedAsync(Queued);
            if (Queued.Count > 0 || Assigned.Count > 0 || QueueMoved)
                await notifier.QueueChangedAsync();
        }
    }
}

public sealed record QueueNotice(Guid VisitorId, Guid ConversationId, int Position, int? EstimatedWaitSeconds);
