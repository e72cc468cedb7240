using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Routing;

/// <summary>
/// Assigns waiting chats, first come first served, to eligible operators. Every decision is taken
/// inside one transaction holding a cluster-wide advisory lock, so two server processes on the same
/// database never give a chat twice nor push an operator over capacity.
/// </summary>
public sealed class RoutingService(ChatDeskDbContext db, EventLog events, TimeProvider clock, ChatNotifier notifier)
{
    private const long RoutingLockKey = 0x52_6F_75_74_69_6E_67; // "Routing"
    private const int BatchSize = 500;

    public async Task DispatchAsync(CancellationToken cancellationToken = default)
    {
        var assigned = new List<(Conversation Conversation, string OperatorName)>();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_xact_lock({RoutingLockKey})", cancellationToken);

            var waiting = await db.Conversations
                .Where(c => c.Status == ConversationStatus.Queued)
                .OrderBy(c => c.RequestedAt).ThenBy(c => c.Id)
                .Take(BatchSize)
                .ToListAsync(cancellationToken);
            if (waiting.Count == 0)
                return;

            var candidates = await LoadCandidatesAsync(cancellationToken);
            var operators = await db.Users
                .Where(u => candidates.Keys.Contains(u.Id))
                .ToDictionaryAsync(u => u.Id, cancellationToken);
            var queuePositions = new Dictionary<Guid, int>();
            var now = clock.UtcNowForStorage();

            foreach (var conversation in waiting)
            {
                var chosen = OperatorChooser.Choose(candidates.Values, conversation.SkillId);
                if (chosen is null)
                {
                    var skillKey = conversation.SkillId ?? Guid.Empty;
                    var position = queuePositions[skillKey] = queuePositions.GetValueOrDefault(skillKey) + 1;
                    // Only chat.requested so far: this is the moment it starts waiting.
                    if (conversation.LastEventSequence == 1)
                        events.Append(db, conversation, EventTypes.ChatQueued, new { skillId = conversation.SkillId, queuePosition = position });
                    continue;
                }

                var user = operators[chosen.OperatorId];
                conversation.Status = ConversationStatus.Assigned;
                conversation.OperatorId = chosen.OperatorId;
                conversation.AssignedAt = now;
                user.LastAssignedAt = now;
                candidates[chosen.OperatorId] = chosen with { ActiveChats = chosen.ActiveChats + 1, LastAssignedAt = now };
                events.Append(db, conversation, EventTypes.ChatAssigned, new { operatorId = chosen.OperatorId }, chosen.OperatorId);
                assigned.Add((conversation, user.DisplayName));
            }

            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        foreach (var (conversation, operatorName) in assigned)
            await notifier.ChatAssignedAsync(conversation, operatorName);
    }

    private async Task<Dictionary<string, OperatorCandidate>> LoadCandidatesAsync(CancellationToken cancellationToken)
    {
        var operatorRoleId = await db.Roles.Where(r => r.Name == Roles.Operator).Select(r => r.Id).SingleAsync(cancellationToken);
        var online = await db.Users
            .Where(u => u.Status == OperatorStatus.Online && db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == operatorRoleId))
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
                o.Id,
                o.Status,
                skills.Where(s => s.OperatorId == o.Id).ToDictionary(s => s.SkillId, s => s.Proficiency),
                active.GetValueOrDefault(o.Id),
                o.MaxConcurrentChats,
                o.LastAssignedAt));
    }
}
