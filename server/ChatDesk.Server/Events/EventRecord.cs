using ChatDesk.Server.Data;
using System.Text.Json;
using ChatDesk.Server.Chats;

namespace ChatDesk.Server.Events;

/// <summary>One row of the append-only event log (../shared/kpis.md section 1). Never updated.</summary>
public sealed class EventRecord
{
    public long Id { get; set; }
    public required string Type { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
    public Guid? ConversationId { get; set; }

    /// <summary>Gap-free per conversation; null for events outside a conversation.</summary>
    public int? Sequence { get; set; }

    public string? OperatorId { get; set; }
    public Guid? VisitorId { get; set; }
    public required string Data { get; set; }
}

public static class EventTypes
{
    public const string ChatRequested = "chat.requested";
    public const string ChatQueued = "chat.queued";
    public const string ChatOffered = "chat.offered";
    public const string ChatOfferDeclined = "chat.offer_declined";
    public const string ChatOfferTimedOut = "chat.offer_timed_out";
    public const string ChatAssigned = "chat.assigned";
    public const string ChatTransferred = "chat.transferred";
    public const string MessageSent = "message.sent";
    public const string ChatEnded = "chat.ended";
    public const string OperatorStatusChanged = "operator.status_changed";
    public const string OfflineMessageLeft = "offline_message.left";
    public const string OperatorJoined = "operator.joined";
    public const string OperatorLeft = "operator.left";
    public const string NoteAdded = "note.added";
    public const string VisitorNavigated = "visitor.navigated";
    public const string WrapUpCompleted = "wrapup.completed";
    public const string SurveySubmitted = "survey.submitted";
    public const string FileShared = "file.shared";
    public const string RemoteRequested = "remote.requested";
    public const string RemoteDeclined = "remote.declined";
    public const string RemoteStarted = "remote.started";
    public const string RemoteEnded = "remote.ended";
    public const string TranscriptEmailed = "transcript.emailed";
}

/// <summary>Admin changes, read back by the audit log. Each names who did it, to what, and the before and after.</summary>
public static class AdminEventTypes
{
    public const string Prefix = "admin.";
    public const string PersonCreated = "admin.person_created";
    public const string PersonInvited = "admin.person_invited";
    public const string PersonUpdated = "admin.person_updated";
    public const string PersonDisabled = "admin.person_disabled";
    public const string PersonEnabled = "admin.person_enabled";
    public const string InvitationAccepted = "admin.invitation_accepted";
    public const string PasswordChanged = "admin.password_changed";
    public const string ProfileUpdated = "admin.profile_updated";
    public const string SkillCreated = "admin.skill_created";
    public const string SkillUpdated = "admin.skill_updated";
    public const string SkillRetired = "admin.skill_retired";
    public const string SkillRestored = "admin.skill_restored";
    public const string OperatorRoutingUpdated = "admin.operator_routing_updated";
    public const string SiteCreated = "admin.site_created";
    public const string SiteUpdated = "admin.site_updated";
    public const string SiteRoutingUpdated = "admin.site_routing_updated";
    public const string TargetsUpdated = "admin.targets_updated";
    public const string VisitorErased = "admin.visitor_erased";
    public const string VisitorExported = "admin.visitor_exported";
    public const string RetentionApplied = "admin.retention_applied";
    public const string TokenCreated = "admin.token_created";
    public const string TokenRevoked = "admin.token_revoked";
    public const string WebhookCreated = "admin.webhook_created";
    public const string WebhookUpdated = "admin.webhook_updated";
    public const string WebhookDeleted = "admin.webhook_deleted";
    public const string WebhookSecretRotated = "admin.webhook_secret_rotated";
    public const string WebhookDeliveryReplayed = "admin.webhook_delivery_replayed";
}

/// <summary>What an admin event changed: a person, a skill, a site, the targets, a visitor.</summary>
public sealed record AuditTarget(string Kind, string Id, string Label);

/// <summary>
/// Appends events to the current unit of work. Callers raise events explicitly in the service that
/// does the work, inside the same transaction as the state change they describe.
/// </summary>
public sealed class EventLog(TimeProvider clock)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public EventRecord Append(Data.ChatDeskDbContext db, Conversation conversation, string type, object data, string? operatorId = null)
    {
        conversation.LastEventSequence++;
        var record = new EventRecord
        {
            Type = type,
            OccurredAt = clock.UtcNowForStorage(),
            ConversationId = conversation.Id,
            Sequence = conversation.LastEventSequence,
            OperatorId = operatorId,
            VisitorId = conversation.VisitorId,
            Data = JsonSerializer.Serialize(data, Json),
        };
        db.Events.Add(record);
        return record;
    }

    /// <summary>An admin change, by <paramref name="actorId"/> (null: ChatDesk itself), in the caller's transaction.</summary>
    public EventRecord AppendAdminEvent(Data.ChatDeskDbContext db, string type, string? actorId, AuditTarget target, object? before, object? after)
    {
        var record = new EventRecord
        {
            Type = type,
            OccurredAt = clock.UtcNowForStorage(),
            OperatorId = actorId,
            Data = JsonSerializer.Serialize(new { target, before, after }, Json),
        };
        db.Events.Add(record);
        return record;
    }

    public EventRecord AppendOperatorEvent(Data.ChatDeskDbContext db, string type, string operatorId, object data)
    {
        var record = new EventRecord
        {
            Type = type,
            OccurredAt = clock.UtcNowForStorage(),
            OperatorId = operatorId,
            Data = JsonSerializer.Serialize(data, Json),
        };
        db.Events.Add(record);
        return record;
    }
}
