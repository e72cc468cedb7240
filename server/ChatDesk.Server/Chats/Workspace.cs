using ChatDesk.Server.Data;
using ChatDesk.Server.Events;

namespace ChatDesk.Server.Chats;

/// <summary>An operator invited into someone else's chat (a conference).</summary>
public sealed class ConversationParticipant
{
    public Guid Id { get; set; }
    public Guid ConversationId { get; set; }
    public required string OperatorId { get; set; }
    public required string InvitedBy { get; set; }
    public DateTimeOffset JoinedAt { get; set; }
    public DateTimeOffset? LeftAt { get; set; }
}

/// <summary>A note operators leave on a conversation; never shown to the visitor.</summary>
public sealed class ConversationNote
{
    public Guid Id { get; set; }
    public Guid ConversationId { get; set; }
    public required string AuthorId { get; set; }
    public required string AuthorName { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A page of the customer's site the visitor opened during the chat.</summary>
public sealed class PageView
{
    public long Id { get; set; }
    public Guid ConversationId { get; set; }
    public required string Url { get; set; }
    public string? Title { get; set; }
    public DateTimeOffset ViewedAt { get; set; }
}

public static class Dispositions
{
    public const string Resolved = "resolved";
    public const string Unresolved = "unresolved";
    public const string FollowUp = "follow_up";
    public static readonly string[] All = [Resolved, Unresolved, FollowUp];
}

public static class WrapUps
{
    /// <summary>
    /// Records after-chat work, by the owner or automatically when the timeout passes, in the caller's
    /// transaction on a conversation row it has locked.
    /// </summary>
    public static void Complete(
        ChatDeskDbContext db, EventLog events, TimeProvider clock, Conversation conversation, string? disposition, string? notes, List<string> tags, bool auto)
    {
        conversation.WrapUpCompletedAt = clock.UtcNowForStorage();
        if (conversation.RedactedAt is not null)
            (notes, tags) = (null, []); // the visitor's data was erased meanwhile: keep only the outcome
        conversation.Disposition = disposition;
        conversation.WrapUpNotes = notes;
        conversation.Tags = tags;
        conversation.WrapUpAuto = auto;
        events.Append(db, conversation, EventTypes.WrapUpCompleted, new { disposition, notes, tags, auto }, conversation.OperatorId);
    }
}
