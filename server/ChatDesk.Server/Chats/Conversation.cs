using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Chats;

public sealed class Conversation
{
    public Guid Id { get; set; }
    public Guid SiteId { get; set; }
    public Guid VisitorId { get; set; }
    /// <summary>The topic's skill: the queue the chat waits in.</summary>
    public Guid? SkillId { get; set; }

    /// <summary>Every skill the operator needs: topic, page rules, language.</summary>
    public List<Guid> RequestedSkillIds { get; set; } = [];

    public int Priority { get; set; }

    /// <summary>While offered: the operator who may accept until <see cref="OfferExpiresAt"/>.</summary>
    public string? OfferedTo { get; set; }

    public DateTimeOffset? OfferExpiresAt { get; set; }
    public string? TopicKey { get; set; }

    /// <summary>queued, assigned or ended (see <see cref="ConversationStatus"/>).</summary>
    public string Status { get; set; } = ConversationStatus.Queued;

    /// <summary>The operator who owns the chat now.</summary>
    public string? OperatorId { get; set; }

    public string VisitorName { get; set; } = "";
    public string? VisitorEmail { get; set; }
    public string? PageUrl { get; set; }
    public string? PageTitle { get; set; }
    public string? Language { get; set; }
    public string? TimeZone { get; set; }
    public string? UserAgent { get; set; }

    public DateTimeOffset RequestedAt { get; set; }
    public DateTimeOffset? AssignedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndedBy { get; set; }

    /// <summary>Why the system ended it, e.g. <see cref="EndedReasons.NoOperator"/>.</summary>
    public string? EndedReason { get; set; }

    public DateTimeOffset? WrapUpCompletedAt { get; set; }
    public string? Disposition { get; set; }
    public string? WrapUpNotes { get; set; }
    public List<string> Tags { get; set; } = [];

    /// <summary>Completed by the timeout rather than by the operator.</summary>
    public bool WrapUpAuto { get; set; }

    /// <summary>Last message sequence handed out; messages are numbered 1, 2, 3… with no gap.</summary>
    public int LastMessageSequence { get; set; }

    /// <summary>Last event sequence handed out within this conversation.</summary>
    public int LastEventSequence { get; set; }

    /// <summary>When its personal data was erased (a visitor's request or the site's retention); its KPI facts stay.</summary>
    public DateTimeOffset? RedactedAt { get; set; }

    public bool IsOpen => Status != ConversationStatus.Ended;
}

public static class ConversationStatus
{
    public const string Queued = "queued";
    public const string Offered = "offered";
    public const string Assigned = "assigned";
    public const string Ended = "ended";
}

public static class AuthorKind
{
    public const string Visitor = "visitor";
    public const string Operator = "operator";
    public const string System = "system";
    public const string Automated = "automated";
}

public sealed class Message
{
    public long Id { get; set; }
    public Guid ConversationId { get; set; }
    public int Sequence { get; set; }
    public Guid ClientMessageId { get; set; }
    public required string AuthorKind { get; set; }
    public string? AuthorOperatorId { get; set; }
    public string? AuthorName { get; set; }
    public required string Text { get; set; }
    public DateTimeOffset SentAt { get; set; }

    /// <summary>A file sent as this message (its text is then the file's name).</summary>
    public Guid? FileId { get; set; }

    public Files.SharedFile? File { get; set; }
}

public static class ChatRules
{
    public const int MaxMessageLength = 4000;
    public const int MaxNameLength = 100;
}

public static class ConversationQueries
{
    /// <summary>A visitor's conversations on their site, latest first.</summary>
    public static IQueryable<Conversation> OfVisitorLatestFirst(this DbSet<Conversation> conversations, Identity.VisitorIdentity visitor) =>
        conversations.AsNoTracking()
            .Where(c => c.VisitorId == visitor.VisitorId && c.SiteId == visitor.SiteId)
            .OrderByDescending(c => c.RequestedAt).ThenByDescending(c => c.Id);

    /// <summary>
    /// Reads a conversation and locks its row until the transaction ends, so writers of one
    /// conversation go one at a time and its sequences stay gap-free.
    /// </summary>
    public static async Task<Conversation> LockAsync(this DbSet<Conversation> conversations, Guid id, CancellationToken cancellationToken) =>
        await conversations.FromSqlInterpolated($"SELECT * FROM conversations WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(cancellationToken)
        ?? throw new ChatException("Unknown conversation.");
}
