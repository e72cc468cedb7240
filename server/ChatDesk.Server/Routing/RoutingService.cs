using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Routing;

public sealed record QueueEntry(Guid ConversationId, string VisitorName, string? Topic, DateTimeOffset RequestedAt, int Position);

public sealed record QueueNotice(Guid VisitorId, Guid ConversationId, int Position, int? EstimatedWaitSeconds);

/// <summary>
/// Assigns (or offers) waiting chats, highest priority then first come first served per skill
/// queue, to eligible operators. Every decision is taken inside one transaction holding the
/// routing advisory lock, with the conversations locked, so two server processes on the same
/// database never give a chat twice nor push an operator over capacity. One queue's dispatch (a
/// chat just requested) holds that lock shared, plus its queue's own lock, and locks the rows of
/// the operators who serve the queue before reading their load: queues whose operators differ are
/// routed in parallel, and queues sharing an operator take turns on that operator's row. Every
/// other decision (timers, offers, transfers, freed slots) spans queues and holds the lock alone.
/// No routing state lives in a process's memory: offers and their deadlines are rows, and every
/// step is an event.
/// </summary>
public sealed class RoutingService(
    ChatDeskDbContext db, EventLog events, TimeProvider clock, ChatNotifier notifier, RoutingMetrics metrics, IConfiguration configuration)
{
    /// <summary>The cluster-wide advisory lock every routing decision holds: shared by one queue's dispatch, alone otherwise.</summary>
    public const long RoutingLockKey = 0x52_6F_75_74_69_6E_67; // "Routing"

    /// <summary>With a hash of the queue, the advisory lock one queue's dispatch holds (a key space apart from <see cref="RoutingLockKey"/>).</summary>
    public const int QueueLockClass = 0x51_75_65_75; // "Queu"
    private const int BatchSize = 500;

    public TimeSpan DisconnectGrace => TimeSpan.FromSeconds(configuration.GetValue("ChatDesk:Routing:DisconnectGraceSeconds", 60));

    /// <summary>A chat's queue: its skill, or <see cref="Guid.Empty"/> for chats that ask for none.</summary>
    public static Guid QueueOf(Conversation conversation) => conversation.SkillId ?? Guid.Empty;

    /// <param name="queue">Route only this queue (see <see cref="QueueOf"/>); null: every queue.</param>
    /// <param name="queueMoved">A waiting chat left the queue (e.g. the visitor gave up): positions behind it changed.</param>
    public Task DispatchAsync(Guid? queue = null, bool queueMoved = false, CancellationToken cancellationToken = default) =>
        InRoutingTransactionAsync(outcome =>
        {
            outcome.QueueMoved = queueMoved;
            return Task.CompletedTask;
        }, cancellationToken, queue);

    /// <summary>
    /// Timers, run every second by <see cref="RoutingTimers"/> on every node (and by tests after
    /// moving the clock): expired offers go to the next operator; connections of dead nodes are
    /// forgotten; operators left without a connection start their grace period, and those whose
    /// grace has run out go offline with their chats back at the head of the queue.
    /// </summary>
    /// <param name="skipIfBusy">
    /// Give up at once (returns false) while a dispatch holds the routing lock: waiting for it would also hold
    /// up every dispatch that comes after, since a lock waited for alone goes before later shared requests.
    /// </param>
    public Task<bool> SweepAsync(bool skipIfBusy = false, CancellationToken cancellationToken = default) =>
        InRoutingTransactionAsync(async outcome =>
        {
            var now = clock.UtcNowForStorage();
            var expiredOffers = await db.Conversations
                .FromSqlInterpolated($"SELECT * FROM conversations WHERE status = 'offered' AND offer_expires_at <= {now} ORDER BY id FOR UPDATE")
                .ToListAsync(cancellationToken);
            foreach (var conversation in expiredOffers)
                WithdrawOffer(conversation, EventTypes.ChatOfferTimedOut, outcome);

            // After-chat work left open past the site's timeout is completed automatically.
            var overdue = await db.Conversations.FromSqlInterpolated($"""
                SELECT c.* FROM conversations c JOIN sites s ON s.id = c.site_id
                WHERE c.status = 'ended' AND c.operator_id IS NOT NULL AND c.wrap_up_completed_at IS NULL
                  AND c.ended_at + make_interval(secs => s.wrap_up_timeout_seconds) <= {now}
                ORDER BY c.id FOR UPDATE OF c
                """).ToListAsync(cancellationToken);
            foreach (var conversation in overdue)
                WrapUps.Complete(db, events, clock, conversation, disposition: null, notes: null, tags: [], auto: true);

            // A node that died closed its database sessions; its connections are gone with it.
            await db.Database.ExecuteSqlRawAsync("""
                DELETE FROM operator_connections c
                WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.application_name = 'chatdesk-node:' || c.node_id)
                """, cancellationToken);
            await db.Users
                .Where(u => u.Status != OperatorStatus.Offline && u.DisconnectedAt == null && !db.OperatorConnections.Any(c => c.OperatorId == u.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(x => x.DisconnectedAt, now), cancellationToken);

            var deadline = now - DisconnectGrace;
            var gone = await db.Users
                .Where(u => u.Status != OperatorStatus.Offline && u.DisconnectedAt <= deadline && !db.OperatorConnections.Any(c => c.OperatorId == u.Id))
                .ToListAsync(cancellationToken);
            foreach (var user in gone)
                await TakeOfflineAsync(user, "disconnected", outcome, cancellationToken);
            outcome.QueueMoved = expiredOffers.Count > 0 || gone.Count > 0;
        }, cancellationToken, skipIfBusy: skipIfBusy);

    /// <summary>An operator signs out or goes offline: their chats and offers return to the queue.</summary>
    public Task GoOfflineAsync(string operatorId, string reason, CancellationToken cancellationToken = default) =>
        InRoutingTransactionAsync(async outcome =>
        {
            var user = await db.Users.SingleAsync(u => u.Id == operatorId, cancellationToken);
            if (user.Status == OperatorStatus.Offline)
                return;
            await TakeOfflineAsync(user, reason, outcome, cancellationToken);
            outcome.QueueMoved = true;
        }, cancellationToken);

    /// <summary>Manual pick-up: an operator (online or away) takes a waiting chat they are eligible for.</summary>
    public Task TakeAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken = default) =>
        InRoutingTransactionAsync(async outcome =>
        {
            var conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
            if (conversation.Status != ConversationStatus.Queued)
                throw new ChatException("This chat is no longer waiting.");
            var user = await db.Users.SingleAsync(u => u.Id == operatorId, cancellationToken);
            if (user.Status == OperatorStatus.Offline)
                throw new ChatException("Go online or away to take chats.");
            var skills = await db.OperatorSkills.Where(s => s.OperatorId == operatorId).Select(s => s.SkillId).ToListAsync(cancellationToken);
            if (!conversation.RequestedSkillIds.All(skills.Contains))
                throw new ChatException("You do not have the skill this chat needs.");
            if (await ActiveChatsAsync(operatorId, cancellationToken) >= user.MaxConcurrentChats)
                throw new ChatException("You already have as many chats as you can take.");
            Assign(conversation, user, outcome, how: "manual");
            outcome.QueueMoved = true;
        }, cancellationToken);

    public Task AcceptOfferAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken = default) =>
        InRoutingTransactionAsync(async outcome =>
        {
            var conversation = await LockOfferAsync(operatorId, conversationId, cancellationToken);
            var user = await db.Users.SingleAsync(u => u.Id == operatorId, cancellationToken);
            conversation.OfferedTo = null;
            conversation.OfferExpiresAt = null;
            Assign(conversation, user, outcome, how: "offer");
        }, cancellationToken);

    public Task DeclineOfferAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken = default) =>
        InRoutingTransactionAsync(async outcome =>
        {
            var conversation = await LockOfferAsync(operatorId, conversationId, cancellationToken);
            WithdrawOffer(conversation, EventTypes.ChatOfferDeclined, outcome);
        }, cancellationToken);

    /// <summary>
    /// Hands a chat to another operator (online, with a free slot) or back to a skill's queue, with an
    /// optional internal note. The new owner sees the whole history; the visitor is told who is there now.
    /// </summary>
    public Task TransferAsync(string operatorId, Guid conversationId, TransferRequest? request, CancellationToken cancellationToken = default) =>
        InRoutingTransactionAsync(async outcome =>
        {
            var toOperator = string.IsNullOrWhiteSpace(request?.ToOperatorId) ? null : request.ToOperatorId;
            var toSkill = string.IsNullOrWhiteSpace(request?.ToSkill) ? null : request.ToSkill;
            if ((toOperator is null) == (toSkill is null))
                throw new ChatException("Transfer to one operator or to one skill.");
            var note = request!.Note?.Trim() is { Length: > 0 } n ? n : null;
            if (note is { Length: > ChatRules.MaxMessageLength })
                throw new ChatException($"A note can be at most {ChatRules.MaxMessageLength} characters.");
            var conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
            if (conversation.OperatorId != operatorId)
                throw new ChatException(conversation.Status == ConversationStatus.Assigned && await db.ConversationParticipants.AnyAsync(
                    p => p.ConversationId == conversationId && p.OperatorId == operatorId && p.LeftAt == null, cancellationToken)
                    ? "Only the chat's owner can transfer it." : "Unknown conversation.");
            if (conversation.Status != ConversationStatus.Assigned)
                throw new ChatException("This chat has ended.");

            if (toOperator is not null)
            {
                if (toOperator == operatorId)
                    throw new ChatException("You already own this chat.");
                var candidates = await LoadCandidatesAsync(null, cancellationToken);
                var target = await db.Users.SingleOrDefaultAsync(u => u.Id == toOperator, cancellationToken) ?? throw new ChatException("Unknown operator.");
                if (!candidates.TryGetValue(toOperator, out var candidate))
                    throw new ChatException($"{target.DisplayName} is not online.");
                if (candidate.ActiveChats >= candidate.MaxConcurrentChats)
                    throw new ChatException($"{target.DisplayName} has no free slot.");
                // An invited operator who takes the chat over is its owner now, not a guest.
                await db.ConversationParticipants.Where(p => p.ConversationId == conversationId && p.OperatorId == toOperator && p.LeftAt == null)
                    .ExecuteUpdateAsync(p => p.SetProperty(x => x.LeftAt, clock.UtcNowForStorage()), cancellationToken);
                await EndRemoteSessionsAsync(conversation, operatorId, outcome, cancellationToken);
                events.Append(db, conversation, EventTypes.ChatTransferred, new { from = operatorId, to = toOperator, toSkillId = (Guid?)null, reason = "transfer" }, operatorId);
                conversation.OperatorId = target.Id;
                events.Append(db, conversation, EventTypes.ChatAssigned, new { operatorId = target.Id, how = "transfer" }, target.Id);
                outcome.Assigned.Add((conversation, target.DisplayName));
                outcome.Decisions.Add(("assigned", "transfer"));
                outcome.Messages.Add((conversation, ServerMessages.Add(db, events, clock, conversation, AuthorKind.System,
                    ServerMessages.Text("transferred.operator", conversation.Language, target.DisplayName))));
                outcome.TransferredAway.Add((operatorId, conversation.Id, target.DisplayName));
            }
            else
            {
                var skill = await db.Skills.SingleOrDefaultAsync(k => k.Key == toSkill, cancellationToken) ?? throw new ChatException($"Unknown skill: {toSkill}.");
                await EndRemoteSessionsAsync(conversation, operatorId, outcome, cancellationToken);
                events.Append(db, conversation, EventTypes.ChatTransferred, new { from = operatorId, to = (string?)null, toSkillId = skill.Id, reason = "transfer" }, operatorId);
                conversation.Status = ConversationStatus.Queued;
                conversation.OperatorId = null;
                conversation.SkillId = skill.Id;
                conversation.RequestedSkillIds = [skill.Id];
                outcome.Messages.Add((conversation, ServerMessages.Add(db, events, clock, conversation, AuthorKind.System,
                    ServerMessages.Text("transferred.skill", conversation.Language))));
                outcome.TransferredAway.Add((operatorId, conversation.Id, skill.Name));
                outcome.Decisions.Add(("requeued", "transfer"));
                outcome.QueueMoved = true;
            }
            if (note is not null)
            {
                var author = await db.Users.Where(u => u.Id == operatorId).Select(u => u.DisplayName).SingleAsync(cancellationToken);
                var entry = new ConversationNote
                {
                    Id = Guid.CreateVersion7(clock.UtcNowForStorage()), ConversationId = conversation.Id, AuthorId = operatorId, AuthorName = author,
                    Text = note, CreatedAt = clock.UtcNowForStorage(),
                };
                db.ConversationNotes.Add(entry);
                events.Append(db, conversation, EventTypes.NoteAdded, new { noteId = entry.Id, length = note.Length }, operatorId);
            }
        }, cancellationToken);

    public async Task<TransferTargets> GetTransferTargetsAsync(string operatorId, CancellationToken cancellationToken = default)
    {
        var candidates = await LoadCandidatesAsync(null, cancellationToken);
        var free = candidates.Values.Where(c => c.OperatorId != operatorId && c.ActiveChats < c.MaxConcurrentChats).ToList();
        var ids = free.Select(c => c.OperatorId).ToList();
        var names = await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        var skills = await db.Skills.AsNoTracking().OrderBy(s => s.Name).Select(s => new TransferTargetSkill(s.Key, s.Name)).ToListAsync(cancellationToken);
        return new TransferTargets(
            free.OrderBy(c => names[c.OperatorId]).Select(c => new TransferTargetOperator(c.OperatorId, names[c.OperatorId], c.Status, c.ActiveChats, c.MaxConcurrentChats)).ToList(),
            skills);
    }

    /// <summary>Is anyone online (and connected) who has every one of these skills?</summary>
    /// <summary>
    /// Whether someone with every skill could take a chat: an online operator, or (with <paramref name="includeAway"/>)
    /// an away one, who comes back to a chat waiting in the queue.
    /// </summary>
    public async Task<bool> AnyOperatorAvailableForAsync(IReadOnlyCollection<Guid> skills, bool includeAway, CancellationToken cancellationToken = default)
    {
        // One round trip: every new chat asks, and a burst of them shares the connection pool.
        var required = skills.Distinct().ToList();
        return await db.Users.AnyAsync(u => (u.Status == OperatorStatus.Online || (includeAway && u.Status == OperatorStatus.Away))
            && u.DisconnectedAt == null && u.DisabledAt == null
            && db.UserRoles.Any(r => r.UserId == u.Id && db.Roles.Any(role => role.Id == r.RoleId && role.Name == Roles.Operator))
            && db.OperatorSkills.Count(s => s.OperatorId == u.Id && required.Contains(s.SkillId)) == required.Count, cancellationToken);
    }

    /// <summary>The waiting chats an operator may take, with their place in their skill's queue.</summary>
    public async Task<IReadOnlyList<QueueEntry>> GetQueueForAsync(string operatorId, CancellationToken cancellationToken = default)
    {
        var skills = await db.OperatorSkills.Where(s => s.OperatorId == operatorId).Select(s => s.SkillId).ToListAsync(cancellationToken);
        var waiting = await QueueOrder(db.Conversations.AsNoTracking().Where(c => c.Status == ConversationStatus.Queued)).ToListAsync(cancellationToken);
        var positions = new Dictionary<Guid, int>();
        var entries = new List<QueueEntry>();
        foreach (var conversation in waiting)
        {
            var position = positions[conversation.SkillId ?? Guid.Empty] = positions.GetValueOrDefault(conversation.SkillId ?? Guid.Empty) + 1;
            if (conversation.RequestedSkillIds.All(skills.Contains))
                entries.Add(new QueueEntry(conversation.Id, conversation.VisitorName, conversation.TopicKey, conversation.RequestedAt, position));
        }
        return entries;
    }

    private static IQueryable<Conversation> QueueOrder(IQueryable<Conversation> conversations) =>
        conversations.OrderByDescending(c => c.Priority).ThenBy(c => c.RequestedAt).ThenBy(c => c.Id);

    /// <summary>
    /// Runs <paramref name="decide"/> and then fills free capacity, in one transaction under the
    /// routing lock; clients are told once it is committed.
    /// </summary>
    /// <returns>False when <paramref name="skipIfBusy"/> and the lock was held: nothing was done.</returns>
    private async Task<bool> InRoutingTransactionAsync(
        Func<DispatchOutcome, Task> decide, CancellationToken cancellationToken, Guid? queue = null, bool skipIfBusy = false)
    {
        var outcome = new DispatchOutcome();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            if (queue is { } only)
                await db.Database.ExecuteSqlInterpolatedAsync(
                    $"SELECT pg_advisory_xact_lock_shared({RoutingLockKey}), pg_advisory_xact_lock({QueueLockClass}, hashtext({only.ToString()}))", cancellationToken);
            else if (skipIfBusy)
            {
                if (!await db.Database.SqlQueryRaw<bool>($"SELECT pg_try_advisory_xact_lock({RoutingLockKey}) AS \"Value\"").SingleAsync(cancellationToken))
                    return false;
            }
            else
                await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({RoutingLockKey})", cancellationToken);
            // Entities the caller tracked may be stale by now (another node may have changed them):
            // routing decides only on rows read under the lock.
            db.ChangeTracker.Clear();
            await decide(outcome);
            await db.SaveChangesAsync(cancellationToken); // what was requeued must be visible to the queue query
            await AssignWaitingAsync(outcome, queue, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        metrics.Decided(outcome.Decisions);
        await outcome.NotifyAsync(notifier);
        return true;
    }

    private async Task AssignWaitingAsync(DispatchOutcome outcome, Guid? queue, CancellationToken cancellationToken)
    {
        // Locked so that a message appended meanwhile waits instead of racing on the sequences.
        var waiting = await (queue is { } only
            ? db.Conversations.FromSqlInterpolated($"""
                SELECT * FROM conversations WHERE status = 'queued' AND coalesce(skill_id, {Guid.Empty}) = {only}
                ORDER BY priority DESC, requested_at, id LIMIT {BatchSize} FOR UPDATE
                """)
            : db.Conversations.FromSqlRaw($"SELECT * FROM conversations WHERE status = 'queued' ORDER BY priority DESC, requested_at, id LIMIT {BatchSize} FOR UPDATE"))
            .ToListAsync(cancellationToken);
        if (waiting.Count == 0)
            return;

        var candidates = await LoadCandidatesAsync(queue is { } served ? await LockOperatorsServingAsync(served, cancellationToken) : null, cancellationToken);
        if (!candidates.Values.Any(c => c.ActiveChats < c.MaxConcurrentChats))
        {
            await ReportQueueAsync(waiting, outcome, cancellationToken); // nobody has a free slot
            return;
        }
        var operators = await db.Users.Where(u => candidates.Keys.Contains(u.Id)).ToDictionaryAsync(u => u.Id, cancellationToken);
        var siteIds = waiting.Select(c => c.SiteId).Distinct().ToList();
        var sites = await db.Sites.AsNoTracking().Where(s => siteIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, s => (s.OfferMode, s.RingTimeoutSeconds), cancellationToken);
        var excluded = await OfferRefusalsAsync(waiting.Select(c => c.Id).ToList(), cancellationToken);

        var stillWaiting = new List<Conversation>();
        foreach (var conversation in waiting)
        {
            var chosen = OperatorChooser.Choose(candidates.Values, conversation.RequestedSkillIds, excluded.GetValueOrDefault(conversation.Id));
            if (chosen is null)
            {
                stillWaiting.Add(conversation);
                continue;
            }
            // An offer holds a slot too, so an operator is never offered more than they can take.
            candidates[chosen.OperatorId] = chosen with { ActiveChats = chosen.ActiveChats + 1, LastAssignedAt = clock.UtcNowForStorage() };
            var (offerMode, ringTimeoutSeconds) = sites[conversation.SiteId];
            if (offerMode)
                Offer(conversation, operators[chosen.OperatorId], TimeSpan.FromSeconds(ringTimeoutSeconds), outcome);
            else
                Assign(conversation, operators[chosen.OperatorId], outcome, how: "auto");
        }
        await ReportQueueAsync(stillWaiting, outcome, cancellationToken);
    }

    private void Assign(Conversation conversation, ApplicationUser user, DispatchOutcome outcome, string how)
    {
        var now = clock.UtcNowForStorage();
        conversation.Status = ConversationStatus.Assigned;
        conversation.OperatorId = user.Id;
        conversation.AssignedAt ??= now;
        user.LastAssignedAt = now;
        events.Append(db, conversation, EventTypes.ChatAssigned, new { operatorId = user.Id, how }, user.Id);
        outcome.Assigned.Add((conversation, user.DisplayName));
        outcome.Decisions.Add(("assigned", how));
    }

    private void Offer(Conversation conversation, ApplicationUser user, TimeSpan ringTimeout, DispatchOutcome outcome)
    {
        conversation.Status = ConversationStatus.Offered;
        conversation.OfferedTo = user.Id;
        conversation.OfferExpiresAt = clock.UtcNowForStorage() + ringTimeout;
        user.LastAssignedAt = clock.UtcNowForStorage();
        events.Append(db, conversation, EventTypes.ChatOffered, new { operatorId = user.Id, expiresAt = conversation.OfferExpiresAt }, user.Id);
        outcome.Offers.Add(new ChatOffer(conversation.Id, conversation.VisitorName, conversation.TopicKey, conversation.OfferExpiresAt.Value, user.Id));
        outcome.Decisions.Add(("offered", null));
    }

    /// <summary>A declined or timed-out offer: the chat waits again, and will be offered to someone else.</summary>
    private void WithdrawOffer(Conversation conversation, string eventType, DispatchOutcome outcome)
    {
        var operatorId = conversation.OfferedTo!;
        conversation.Status = ConversationStatus.Queued;
        conversation.OfferedTo = null;
        conversation.OfferExpiresAt = null;
        events.Append(db, conversation, eventType, new { operatorId }, operatorId);
        outcome.Withdrawn.Add((operatorId, conversation.Id));
        outcome.Decisions.Add((eventType == EventTypes.ChatOfferDeclined ? "offer_declined" : "offer_timed_out", null));
    }

    private async Task<Conversation> LockOfferAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
        if (conversation.Status != ConversationStatus.Offered || conversation.OfferedTo != operatorId || conversation.OfferExpiresAt <= clock.UtcNowForStorage())
            throw new ChatException("This offer has expired or is not yours.");
        return conversation;
    }

    /// <summary>Operators who declined, or let time out, an offer of each of these chats.</summary>
    private async Task<Dictionary<Guid, IReadOnlySet<string>>> OfferRefusalsAsync(List<Guid> conversationIds, CancellationToken cancellationToken)
    {
        var refusals = await db.Events.AsNoTracking()
            .Where(e => e.ConversationId != null && conversationIds.Contains(e.ConversationId.Value)
                && (e.Type == EventTypes.ChatOfferDeclined || e.Type == EventTypes.ChatOfferTimedOut))
            .Select(e => new { ConversationId = e.ConversationId!.Value, e.OperatorId })
            .ToListAsync(cancellationToken);
        return refusals.GroupBy(r => r.ConversationId)
            .ToDictionary(g => g.Key, g => (IReadOnlySet<string>)g.Select(r => r.OperatorId!).ToHashSet());
    }

    /// <summary>Queue positions and wait estimates for the chats still waiting; a first-time wait gets an automated notice.</summary>
    private async Task ReportQueueAsync(List<Conversation> stillWaiting, DispatchOutcome outcome, CancellationToken cancellationToken)
    {
        if (stillWaiting.Count == 0)
            return;
        var since = clock.UtcNowForStorage() - WaitEstimator.Window;
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
            if (newlyQueued || outcome.QueueMoved || outcome.Assigned.Count > 0 || outcome.Offers.Count > 0)
                outcome.Queued.Add(new QueueNotice(conversation.VisitorId, conversation.Id, position, (int?)estimate?.TotalSeconds));

            if (newlyQueued)
            {
                events.Append(db, conversation, EventTypes.ChatQueued, new { skillId = conversation.SkillId, queuePosition = position });
                outcome.Decisions.Add(("queued", null));
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

        var held = await db.Conversations
            .FromSqlInterpolated($"SELECT * FROM conversations WHERE (operator_id = {user.Id} AND status = 'assigned') OR (offered_to = {user.Id} AND status = 'offered') ORDER BY id FOR UPDATE")
            .ToListAsync(cancellationToken);
        foreach (var conversation in held)
        {
            if (conversation.Status == ConversationStatus.Offered)
            {
                WithdrawOffer(conversation, EventTypes.ChatOfferTimedOut, outcome);
                continue;
            }
            await EndRemoteSessionsAsync(conversation, user.Id, outcome, cancellationToken);
            conversation.Status = ConversationStatus.Queued;
            conversation.OperatorId = null;
            events.Append(db, conversation, EventTypes.ChatTransferred,
                new { from = user.Id, to = (string?)null, toSkillId = conversation.SkillId, reason = $"operator_{reason}" }, user.Id);
            outcome.Decisions.Add(("requeued", $"operator_{reason}"));
            var text = ServerMessages.Text("requeued.disconnected", conversation.Language);
            outcome.Messages.Add((conversation, ServerMessages.Add(db, events, clock, conversation, AuthorKind.System, text)));
        }
    }

    /// <summary>The operator no longer handles the chat: the screen share or co-browse they asked for ends.</summary>
    private async Task EndRemoteSessionsAsync(Conversation conversation, string operatorId, DispatchOutcome outcome, CancellationToken cancellationToken)
    {
        foreach (var message in await RemoteSupport.RemoteSessionEnding.EndOperatorsSessionsAsync(db, events, clock, conversation, operatorId, cancellationToken))
            outcome.Messages.Add((conversation, message));
    }

    private Task<int> ActiveChatsAsync(string operatorId, CancellationToken cancellationToken) =>
        db.Conversations.CountAsync(c => (c.OperatorId == operatorId && c.Status == ConversationStatus.Assigned)
            || (c.OfferedTo == operatorId && c.Status == ConversationStatus.Offered), cancellationToken);

    private Task<string> OperatorRoleIdAsync(CancellationToken cancellationToken) =>
        db.Roles.Where(r => r.Name == Roles.Operator).Select(r => r.Id).SingleAsync(cancellationToken);

    /// <summary>
    /// Locks the rows of the online operators who may serve <paramref name="queue"/>, in one order so that
    /// two queues' dispatches never deadlock: a dispatch of another queue sharing one of them waits here
    /// until this one has committed, and then reads the operator's load with this one's chats in it.
    /// </summary>
    private Task<List<string>> LockOperatorsServingAsync(Guid queue, CancellationToken cancellationToken) =>
        db.Database.SqlQuery<string>($"""
            SELECT u.id AS "Value" FROM users u
            WHERE u.status = {OperatorStatus.Online} AND u.disconnected_at IS NULL AND u.disabled_at IS NULL
              AND ({queue} = {Guid.Empty} OR EXISTS (SELECT 1 FROM operator_skills s WHERE s.operator_id = u.id AND s.skill_id = {queue}))
            ORDER BY u.id FOR UPDATE OF u
            """).ToListAsync(cancellationToken);

    /// <param name="lockedOperators">One queue's dispatch: only these operators, whose rows it holds.</param>
    private async Task<Dictionary<string, OperatorCandidate>> LoadCandidatesAsync(IReadOnlyCollection<string>? lockedOperators, CancellationToken cancellationToken)
    {
        var operatorRoleId = await OperatorRoleIdAsync(cancellationToken);
        // Operators inside a disconnect grace period keep their chats but get no new ones.
        var users = db.Users.Where(u => u.Status == OperatorStatus.Online && u.DisconnectedAt == null && u.DisabledAt == null
            && db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == operatorRoleId));
        if (lockedOperators is not null)
            users = users.Where(u => lockedOperators.Contains(u.Id));
        var online = await users
            .Select(u => new { u.Id, u.Status, u.MaxConcurrentChats, u.LastAssignedAt })
            .ToListAsync(cancellationToken);
        var ids = online.Select(o => o.Id).ToList();
        var skills = await db.OperatorSkills.Where(s => ids.Contains(s.OperatorId)).ToListAsync(cancellationToken);
        var held = await db.Conversations
            .Where(c => (c.Status == ConversationStatus.Assigned && ids.Contains(c.OperatorId!))
                || (c.Status == ConversationStatus.Offered && ids.Contains(c.OfferedTo!)))
            .Select(c => c.Status == ConversationStatus.Assigned ? c.OperatorId! : c.OfferedTo!)
            .ToListAsync(cancellationToken);
        var active = held.GroupBy(id => id).ToDictionary(g => g.Key, g => g.Count());

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
        public List<ChatOffer> Offers { get; } = [];
        public List<(string OperatorId, Guid ConversationId)> Withdrawn { get; } = [];
        public List<QueueNotice> Queued { get; } = [];
        public List<(Conversation Conversation, Message Message)> Messages { get; } = [];
        public List<string> StatusChanges { get; } = [];

        /// <summary>For <see cref="RoutingMetrics"/>, counted once committed.</summary>
        public List<(string Decision, string? How)> Decisions { get; } = [];
        public List<(string FromOperatorId, Guid ConversationId, string ToName)> TransferredAway { get; } = [];
        public bool QueueMoved { get; set; }

        public async Task NotifyAsync(ChatNotifier notifier)
        {
            foreach (var (from, conversationId, toName) in TransferredAway)
                await notifier.ToOperatorsAsync([from], nameof(IOperatorClient.ChatTransferredAway), new ChatTransferredAwayNotice(conversationId, toName));
            foreach (var (conversation, message) in Messages)
                await notifier.MessageSentAsync(conversation.VisitorId, conversation.OperatorId is { } owner ? [owner] : [], message.ToDto());
            foreach (var (operatorId, conversationId) in Withdrawn)
                await notifier.OfferWithdrawnAsync(operatorId, conversationId);
            foreach (var offer in Offers)
                await notifier.ChatOfferedAsync(offer);
            foreach (var (conversation, operatorName) in Assigned)
                await notifier.ChatAssignedAsync(conversation, operatorName);
            foreach (var operatorId in StatusChanges)
                await notifier.OperatorStatusChangedAsync(operatorId, OperatorStatus.Offline);
            if (Queued.Count > 0)
                await notifier.QueueUpdatedAsync(Queued);
            if (Queued.Count > 0 || Assigned.Count > 0 || Offers.Count > 0 || QueueMoved)
                await notifier.QueueChangedAsync();
        }
    }
}
