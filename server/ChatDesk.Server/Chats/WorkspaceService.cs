using System.Text;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using ChatDesk.Server.Routing;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Chats;

/// <summary>
/// What operators do around the messages: see the visitor type, follow their navigation, write
/// internal notes, bring a colleague in, and complete after-chat work. Drafts are never stored.
/// </summary>
public sealed class WorkspaceService(ChatDeskDbContext db, ChatService chats, EventLog events, TimeProvider clock, ChatNotifier notifier)
{
    public const int MaxTags = 20;
    public const int MaxTagLength = 50;

    public async Task OperatorTypingAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken = default)
    {
        var conversation = await chats.VisibleTo(operatorId).SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken)
            ?? throw new ChatException("Unknown conversation.");
        if (!conversation.IsOpen)
            return;
        var name = await db.Users.Where(u => u.Id == operatorId).Select(u => u.DisplayName).SingleAsync(cancellationToken);
        await notifier.ToVisitorAsync(conversation.VisitorId, nameof(IVisitorClient.OperatorTyping), new OperatorTypingNotice(conversationId, name));
    }

    public async Task PageChangedAsync(VisitorIdentity visitor, PageChangedRequest? request, CancellationToken cancellationToken = default)
    {
        var url = request?.Url?.Trim();
        if (url is null || url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            throw new ChatException("The page address is not a valid http(s) URL.");
        var title = request!.Title?.Trim() is { Length: > 0 } t ? t[..Math.Min(t.Length, 300)] : null;
        var latest = await OpenConversationOfAsync(visitor, cancellationToken);
        if (latest is null)
            return;

        var now = clock.UtcNowForStorage();
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var conversation = await db.Conversations.LockAsync(latest.Id, cancellationToken);
            if (conversation.PageUrl == url && conversation.PageTitle == title)
                return;
            conversation.PageUrl = url;
            conversation.PageTitle = title;
            db.PageViews.Add(new PageView { ConversationId = conversation.Id, Url = url, Title = title, ViewedAt = now });
            events.Append(db, conversation, EventTypes.VisitorNavigated, new { url, title });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await notifier.ToOperatorsAsync(await chats.OperatorsOfAsync(latest.Id, cancellationToken), nameof(IOperatorClient.VisitorNavigated),
            new VisitorNavigatedNotice(latest.Id, url, title, now));
    }

    /// <summary>The visitor's own conversation as plain text, for download.</summary>
    public async Task<TranscriptDto> TranscriptAsync(VisitorIdentity visitor, CancellationToken cancellationToken = default)
    {
        var conversation = await db.Conversations.OfVisitorLatestFirst(visitor).FirstOrDefaultAsync(cancellationToken)
            ?? throw new ChatException("There is no conversation to download.");
        var site = await db.Sites.Where(s => s.Id == conversation.SiteId).Select(s => s.Name).SingleAsync(cancellationToken);
        var messages = await db.Messages.AsNoTracking().Where(m => m.ConversationId == conversation.Id).OrderBy(m => m.Sequence).ToListAsync(cancellationToken);
        var text = new StringBuilder()
            .AppendLine($"{site} - conversation of {conversation.RequestedAt:yyyy-MM-dd HH:mm} UTC")
            .AppendLine();
        foreach (var m in messages)
            text.AppendLine($"[{m.SentAt:HH:mm:ss}] {m.AuthorName ?? m.AuthorKind}: {(m.File is { } file
                ? $"sent a file: {file.Name} ({Files.FileService.FormatSize(file.Size)}, {file.ContentType})" : m.Text)}");
        return new TranscriptDto($"chat-{conversation.RequestedAt:yyyyMMdd-HHmm}.txt", text.ToString());
    }

    public async Task<NoteDto> AddNoteAsync(string operatorId, Guid conversationId, string? text, CancellationToken cancellationToken = default)
    {
        var body = text?.Trim() ?? "";
        if (body.Length == 0)
            throw new ChatException("A note cannot be empty.");
        if (body.Length > ChatRules.MaxMessageLength)
            throw new ChatException($"A note can be at most {ChatRules.MaxMessageLength} characters.");
        if (!await chats.VisibleTo(operatorId).AnyAsync(c => c.Id == conversationId, cancellationToken))
            throw new ChatException("Unknown conversation.");

        var note = await AddNoteInTransactionAsync(operatorId, conversationId, body, cancellationToken);
        await notifier.ToOperatorsAsync(await chats.OperatorsOfAsync(conversationId, cancellationToken), nameof(IOperatorClient.NoteAdded), note.ToDto());
        return note.ToDto();
    }

    /// <summary>Adds a note inside the caller's transaction, on a conversation row it has locked or may lock.</summary>
    public async Task<ConversationNote> AddNoteInTransactionAsync(string operatorId, Guid conversationId, string text, CancellationToken cancellationToken)
    {
        var ownTransaction = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
        var note = new ConversationNote
        {
            Id = Guid.CreateVersion7(clock.UtcNowForStorage()),
            ConversationId = conversationId,
            AuthorId = operatorId,
            AuthorName = await db.Users.Where(u => u.Id == operatorId).Select(u => u.DisplayName).SingleAsync(cancellationToken),
            Text = text,
            CreatedAt = clock.UtcNowForStorage(),
        };
        db.ConversationNotes.Add(note);
        events.Append(db, conversation, EventTypes.NoteAdded, new { noteId = note.Id, length = text.Length }, operatorId);
        await db.SaveChangesAsync(cancellationToken);
        if (ownTransaction is not null)
        {
            await ownTransaction.CommitAsync(cancellationToken);
            await ownTransaction.DisposeAsync();
        }
        return note;
    }

    public async Task InviteAsync(string operatorId, Guid conversationId, string? invitedId, CancellationToken cancellationToken = default)
    {
        Conversation conversation;
        string invitedName;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            conversation = await chats.LockOpenChatOfAsync(operatorId, conversationId, cancellationToken);
            var invited = await db.Users.SingleOrDefaultAsync(u => u.Id == invitedId, cancellationToken)
                ?? throw new ChatException("Unknown operator.");
            if (invited.Id == conversation.OperatorId
                || await db.ConversationParticipants.AnyAsync(p => p.ConversationId == conversationId && p.OperatorId == invited.Id && p.LeftAt == null, cancellationToken))
                throw new ChatException($"{invited.DisplayName} is already in this chat.");
            if (invited.Status != OperatorStatus.Online || invited.DisconnectedAt is not null)
                throw new ChatException($"{invited.DisplayName} is not online.");
            if (!await db.UserRoles.AnyAsync(r => r.UserId == invited.Id && db.Roles.Any(x => x.Id == r.RoleId && x.Name == Roles.Operator), cancellationToken))
                throw new ChatException($"{invited.DisplayName} is not an operator.");

            db.ConversationParticipants.Add(new ConversationParticipant
            {
                Id = Guid.NewGuid(), ConversationId = conversationId, OperatorId = invited.Id, InvitedBy = operatorId, JoinedAt = clock.UtcNowForStorage(),
            });
            events.Append(db, conversation, EventTypes.OperatorJoined, new { operatorId = invited.Id, invitedBy = operatorId }, invited.Id);
            invitedName = invited.DisplayName;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await notifier.ToOperatorsAsync([invitedId!], nameof(IOperatorClient.ChatJoined), conversation.ToSummary(null, "invited"));
        await SystemMessageAsync(conversationId, ServerMessages.Text("operator.joined", conversation.Language, invitedName), cancellationToken);
    }

    public async Task LeaveAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken = default)
    {
        string language;
        Guid visitorId;
        IReadOnlyList<Message> remoteEnded;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
            var participant = await db.ConversationParticipants.SingleOrDefaultAsync(p => p.ConversationId == conversationId && p.OperatorId == operatorId && p.LeftAt == null, cancellationToken)
                ?? throw new ChatException(conversation.OperatorId == operatorId ? "You own this chat: end it or transfer it instead." : "You are not in this chat.");
            // Only the chat's operators may see its screen or page: a session this operator asked for ends.
            remoteEnded = await RemoteSupport.RemoteSessionEnding.EndOperatorsSessionsAsync(db, events, clock, conversation, operatorId, cancellationToken);
            visitorId = conversation.VisitorId;
            participant.LeftAt = clock.UtcNowForStorage();
            events.Append(db, conversation, EventTypes.OperatorLeft, new { operatorId }, operatorId);
            language = conversation.Language ?? "en";
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        foreach (var message in remoteEnded)
            await notifier.MessageSentAsync(visitorId, [.. await chats.OperatorsOfAsync(conversationId, cancellationToken), operatorId], message.ToDto());
        var name = await db.Users.Where(u => u.Id == operatorId).Select(u => u.DisplayName).SingleAsync(cancellationToken);
        await SystemMessageAsync(conversationId, ServerMessages.Text("operator.left", language, name), cancellationToken);
    }

    public async Task CompleteWrapUpAsync(string operatorId, Guid conversationId, WrapUpRequest? request, CancellationToken cancellationToken = default)
    {
        if (request?.Disposition is not { } disposition || !Dispositions.All.Contains(disposition))
            throw new ChatException("Choose a disposition: resolved, unresolved or follow_up.");
        var notes = request.Notes?.Trim() is { Length: > 0 } n ? n : null;
        if (notes is { Length: > ChatRules.MaxMessageLength })
            throw new ChatException($"Notes can be at most {ChatRules.MaxMessageLength} characters.");
        var tags = (request.Tags ?? []).Select(t => t?.Trim().ToLowerInvariant() ?? "").Where(t => t.Length > 0).Distinct().ToList();
        if (tags.Count > MaxTags || tags.Any(t => t.Length > MaxTagLength))
            throw new ChatException($"At most {MaxTags} tags of at most {MaxTagLength} characters.");

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
        if (conversation.OperatorId != operatorId)
            throw new ChatException("Only the operator who owned the chat completes its wrap-up.");
        if (conversation.IsOpen)
            throw new ChatException("End the chat before its wrap-up.");
        if (conversation.WrapUpCompletedAt is not null)
            throw new ChatException("This wrap-up is already complete.");
        WrapUps.Complete(db, events, clock, conversation, disposition, notes, tags, auto: false);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private async Task SystemMessageAsync(Guid conversationId, string text, CancellationToken cancellationToken)
    {
        Message message;
        Conversation conversation;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
            message = ServerMessages.Add(db, events, clock, conversation, AuthorKind.System, text);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await notifier.MessageSentAsync(conversation.VisitorId, await chats.OperatorsOfAsync(conversationId, cancellationToken), message.ToDto());
    }

    private Task<Conversation?> OpenConversationOfAsync(VisitorIdentity visitor, CancellationToken cancellationToken) =>
        db.Conversations.OfVisitorLatestFirst(visitor).Where(c => c.Status != ConversationStatus.Ended).FirstOrDefaultAsync(cancellationToken);
}
