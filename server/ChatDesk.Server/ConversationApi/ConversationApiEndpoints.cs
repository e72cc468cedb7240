using System.Security.Claims;
using System.Text.Json;
using ChatDesk.Server.Admin;
using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.ConversationApi;

public sealed record ConversationSummary(
    Guid Id, string Site, string Status, string? OperatorId, string? OperatorName, string? Skill, string? Topic, string VisitorName,
    string? VisitorEmail, string? Language, DateTimeOffset RequestedAt, DateTimeOffset? AssignedAt, DateTimeOffset? EndedAt, string? EndedBy,
    string? EndedReason, string? Disposition, IReadOnlyList<string> Tags, int MessageCount, bool Redacted);

/// <param name="Next">Pass as <c>cursor</c> for the next page; null on the last one.</param>
public sealed record ConversationPage(IReadOnlyList<ConversationSummary> Conversations, string? Next);

public sealed record ConversationDetail(ConversationSummary Conversation, string? PageUrl, string? PageTitle, string? WrapUpNotes);

public sealed record ConversationMessage(int Sequence, string AuthorKind, string? AuthorOperatorId, string? AuthorName, string Text, DateTimeOffset SentAt, Guid? FileId);

public sealed record ConversationEvent(long Id, int Sequence, string Type, DateTimeOffset OccurredAt, string? OperatorId, JsonElement Data);

/// <param name="Next">Pass as <c>after</c> for the next page (the last sequence returned); null on the last one.</param>
public sealed record SequencePage<T>(IReadOnlyList<T> Items, string? Next);

/// <summary>
/// Conversations for integrators and the console: list and search with filters, one conversation, its messages
/// and its events, every list paged by keyset. Managers and admins (cookie) and tokens with conversations:read see
/// every conversation; an operator sees the ones they handled (owned, were assigned or transferred, or joined).
/// Erased conversations answer with their personal fields blank and no messages, as the eraser left them.
/// </summary>
public static class ConversationApiEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    public const int MaxSearchLength = 200;

    public static IEndpointRouteBuilder MapConversationApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/conversations")
            .RequireAuthorization(ApiPolicies.Conversations)
            .WithTags("Conversations");

        group.MapGet("", ListAsync).WithName("ListConversations")
            .WithSummary("Conversations, latest request first, filtered by site (key), status, operator (id), skill (key), from/to (a date, "
                + "UTC whole days, or an instant; to is exclusive) and q (words in the messages, accents and case ignored); limit 1 to 200 (default 50).")
            .Produces<ConversationPage>().ProducesValidationProblem();
        group.MapGet("/{id:guid}", GetAsync).WithName("GetConversation")
            .WithSummary("One conversation.")
            .Produces<ConversationDetail>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/messages", MessagesAsync).WithName("ListConversationMessages")
            .WithSummary("Its messages in order, after the sequence given (0: from the start), limit 1 to 200 (default 50).")
            .Produces<SequencePage<ConversationMessage>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/events", EventsAsync).WithName("ListConversationEvents")
            .WithSummary("Its events from the event log in sequence order, after the sequence given (0: from the start), limit 1 to 200 (default 50).")
            .Produces<SequencePage<ConversationEvent>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static readonly string[] Statuses = [ConversationStatus.Queued, ConversationStatus.Offered, ConversationStatus.Assigned, ConversationStatus.Ended];

    private static async Task<IResult> ListAsync(
        string? site, string? status, string? @operator, string? skill, string? from, string? to, string? q, int? limit, string? cursor,
        ClaimsPrincipal user, ChatDeskDbContext db, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (status is not null && !Statuses.Contains(status))
            errors.Add("status", $"A status is {string.Join(", ", Statuses)}.");
        if (limit is < 1 or > MaxLimit)
            errors.Add("limit", $"Ask for 1 to {MaxLimit} conversations.");
        var after = cursor is null ? null : ConversationCursor.Decode(cursor);
        if (cursor is not null && after is null)
            errors.Add("cursor", "Pass the next value of the previous page unchanged.");
        var start = AuditEndpoints.Bound(from, "from", errors, endOfDay: false);
        var end = AuditEndpoints.Bound(to, "to", errors, endOfDay: true);
        if (start > end)
            errors.Add("to", "The end is before the start.");
        var words = q?.Trim();
        if (words is { Length: 0 or > MaxSearchLength })
            errors.Add("q", $"Search for 1 to {MaxSearchLength} characters.");
        Guid? siteId = null, skillId = null;
        if (site is not null && (siteId = await db.Sites.Where(s => s.Key == site).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(ct)) is null)
            errors.Add("site", "No site has this key.");
        if (skill is not null && (skillId = await db.Skills.Where(s => s.Key == skill).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(ct)) is null)
            errors.Add("skill", "No skill has this key.");
        if (@operator is not null && (@operator.Length > 450 || !await db.Users.AnyAsync(u => u.Id == @operator, ct)))
            errors.Add("operator", "No one has this id.");
        if (errors.Any)
            return errors.ToResult("Invalid conversation filter");

        var query = Visible(db, user);
        if (siteId is { } s)
            query = query.Where(c => c.SiteId == s);
        if (status is not null)
            query = query.Where(c => c.Status == status);
        if (@operator is not null)
            query = query.Where(c => c.OperatorId == @operator);
        if (skillId is { } k)
            query = query.Where(c => c.SkillId == k);
        if (start is { } notBefore)
            query = query.Where(c => c.RequestedAt >= notBefore);
        if (end is { } notAfter)
            query = query.Where(c => c.RequestedAt < notAfter);
        if (words is not null)
            query = query.Where(c => MatchingConversations(db, words).Contains(c.Id));
        if (after is { } last)
            query = query.Where(c => c.RequestedAt < last.RequestedAt || (c.RequestedAt == last.RequestedAt && c.Id < last.Id));
        var take = limit ?? DefaultLimit;
        var rows = await query.OrderByDescending(c => c.RequestedAt).ThenByDescending(c => c.Id).Take(take + 1).ToListAsync(ct);
        var page = rows.Take(take).ToList();
        var summaries = await SummariesAsync(db, page, ct);
        return Results.Ok(new ConversationPage(summaries, rows.Count > take ? new ConversationCursor(page[^1].RequestedAt, page[^1].Id).Encode() : null));
    }

    /// <summary>
    /// Conversations with a message holding every word (websearch syntax: "quoted phrase", or, -word), whole words,
    /// accents and case ignored; served by ix_messages_text_search (migration 0019), whose expression this repeats.
    /// </summary>
    private static IQueryable<Guid> MatchingConversations(ChatDeskDbContext db, string words) =>
        db.Database.SqlQuery<Guid>($"""
            SELECT conversation_id AS "Value" FROM messages
            WHERE to_tsvector('simple', chatdesk_unaccent(text)) @@ websearch_to_tsquery('simple', chatdesk_unaccent({words}))
            """);

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, ChatDeskDbContext db, CancellationToken ct)
    {
        var conversation = await Visible(db, user).SingleOrDefaultAsync(c => c.Id == id, ct);
        if (conversation is null)
            return UnknownConversation();
        var summary = (await SummariesAsync(db, [conversation], ct)).Single();
        return Results.Ok(new ConversationDetail(summary, conversation.PageUrl, conversation.PageTitle, conversation.WrapUpNotes));
    }

    private static async Task<IResult> MessagesAsync(Guid id, int? after, int? limit, ClaimsPrincipal user, ChatDeskDbContext db, CancellationToken ct)
    {
        if (await RefusedPageAsync(id, after, limit, user, db, ct) is { } refused)
            return refused;
        var take = limit ?? DefaultLimit;
        var rows = await db.Messages.AsNoTracking().IgnoreAutoIncludes()
            .Where(m => m.ConversationId == id && m.Sequence > (after ?? 0)).OrderBy(m => m.Sequence).Take(take + 1)
            .Select(m => new ConversationMessage(m.Sequence, m.AuthorKind, m.AuthorOperatorId, m.AuthorName, m.Text, m.SentAt, m.FileId))
            .ToListAsync(ct);
        var page = rows.Take(take).ToList();
        return Results.Ok(new SequencePage<ConversationMessage>(page, rows.Count > take ? page[^1].Sequence.ToString() : null));
    }

    private static async Task<IResult> EventsAsync(Guid id, int? after, int? limit, ClaimsPrincipal user, ChatDeskDbContext db, CancellationToken ct)
    {
        if (await RefusedPageAsync(id, after, limit, user, db, ct) is { } refused)
            return refused;
        var take = limit ?? DefaultLimit;
        var rows = await db.Events.AsNoTracking()
            .Where(e => e.ConversationId == id && e.Sequence > (after ?? 0)).OrderBy(e => e.Sequence).Take(take + 1)
            .ToListAsync(ct);
        var page = rows.Take(take).Select(e =>
        {
            using var data = JsonDocument.Parse(e.Data);
            return new ConversationEvent(e.Id, e.Sequence!.Value, e.Type, e.OccurredAt, e.OperatorId, data.RootElement.Clone());
        }).ToList();
        return Results.Ok(new SequencePage<ConversationEvent>(page, rows.Count > take ? page[^1].Sequence.ToString() : null));
    }

    /// <summary>Why a page of a conversation's messages or events is not given (a bad page, a conversation out of sight), or null.</summary>
    private static async Task<IResult?> RefusedPageAsync(Guid id, int? after, int? limit, ClaimsPrincipal user, ChatDeskDbContext db, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (after is < 0)
            errors.Add("after", "Pass 0 or the next value of the previous page.");
        if (limit is < 1 or > MaxLimit)
            errors.Add("limit", $"Ask for 1 to {MaxLimit} items.");
        if (errors.Any)
            return errors.ToResult("Invalid page");
        return await Visible(db, user).AnyAsync(c => c.Id == id, ct) ? null : UnknownConversation();
    }

    /// <summary>
    /// What this caller may read. An operator: the conversations they own now or were assigned, transferred or
    /// invited into (the event log remembers it after a transfer away). Managers, admins and tokens: all.
    /// </summary>
    private static IQueryable<Conversation> Visible(ChatDeskDbContext db, ClaimsPrincipal user)
    {
        var all = db.Conversations.AsNoTracking();
        if (user.IsInRoleOrHasScope([Roles.Manager, Roles.Admin], [ApiScopes.ConversationsRead]))
            return all;
        var me = user.ActorId();
        return all.Where(c => c.OperatorId == me
            || db.ConversationParticipants.Any(p => p.ConversationId == c.Id && p.OperatorId == me)
            || db.Events.Any(e => e.ConversationId == c.Id && e.OperatorId == me
                && (e.Type == EventTypes.ChatAssigned || e.Type == EventTypes.ChatTransferred || e.Type == EventTypes.OperatorJoined)));
    }

    private static async Task<List<ConversationSummary>> SummariesAsync(ChatDeskDbContext db, IReadOnlyList<Conversation> conversations, CancellationToken ct)
    {
        var siteIds = conversations.Select(c => c.SiteId).Distinct().ToList();
        var skillIds = conversations.Select(c => c.SkillId).OfType<Guid>().Distinct().ToList();
        var operatorIds = conversations.Select(c => c.OperatorId).OfType<string>().Distinct().ToList();
        var sites = await db.Sites.AsNoTracking().Where(s => siteIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Key, ct);
        var skills = await db.Skills.AsNoTracking().Where(s => skillIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Key, ct);
        var names = await db.Users.AsNoTracking().Where(u => operatorIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        return conversations.Select(c => new ConversationSummary(
            c.Id, sites.GetValueOrDefault(c.SiteId, ""), c.Status, c.OperatorId, c.OperatorId is null ? null : names.GetValueOrDefault(c.OperatorId),
            c.SkillId is { } skill ? skills.GetValueOrDefault(skill) : null, c.TopicKey, c.VisitorName, c.VisitorEmail, c.Language, c.RequestedAt,
            c.AssignedAt, c.EndedAt, c.EndedBy, c.EndedReason, c.Disposition, c.Tags, c.LastMessageSequence, c.RedactedAt is not null)).ToList();
    }

    private static IResult UnknownConversation() => Results.Problem(title: "Unknown conversation", statusCode: StatusCodes.Status404NotFound);
}
