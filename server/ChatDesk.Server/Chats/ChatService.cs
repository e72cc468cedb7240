using System.Net.Mail;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using ChatDesk.Server.Routing;
using ChatDesk.Server.Surveys;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Chats;

/// <summary>
/// Conversations and messages, for both sides. Every change is made in one transaction together
/// with the events that record it; pushes to connected clients happen after the commit.
/// </summary>
public sealed class ChatService(
    ChatDeskDbContext db, EventLog events, TimeProvider clock, ChatNotifier notifier, RoutingService routing, RoutingDispatcher dispatcher, MessageAppender messages,
    Email.EmailOutbox emails)
{
    private static readonly TimeSpan RecentlyEndedWindow = TimeSpan.FromHours(12);
    private static readonly TimeSpan StartChatRoutingWait = TimeSpan.FromSeconds(1);

    /// <summary>The widget recognises this refusal and shows its closed state.</summary>
    public const string SiteClosedMessage = "Chat is closed on this website.";

    // ---- Visitor side -------------------------------------------------------------------------

    public async Task<ConversationView?> GetVisitorConversationAsync(VisitorIdentity visitor, CancellationToken cancellationToken = default)
    {
        var conversation = await LatestConversationAsync(visitor, cancellationToken);
        return conversation is null ? null : await ViewAsync(conversation.Id, cancellationToken);
    }

    public async Task<ConversationView> StartChatAsync(VisitorIdentity visitor, StartChatRequest request, string? userAgent, CancellationToken cancellationToken = default)
    {
        var name = request.Name?.Trim() ?? "";
        if (name.Length == 0)
            throw new ChatException("Please enter your name.");
        if (name.Length > ChatRules.MaxNameLength)
            throw new ChatException($"A name can be at most {ChatRules.MaxNameLength} characters.");
        var email = string.IsNullOrWhiteSpace(request.Email) ? null : request.Email.Trim();
        if (email is not null && (email.Length > 254 || !MailAddress.TryCreate(email, out _)))
            throw new ChatException("This email address is not valid.");
        var pageUrl = string.IsNullOrWhiteSpace(request.PageUrl) ? null : request.PageUrl.Trim();
        if (pageUrl is not null && (pageUrl.Length > 2048 || !Uri.TryCreate(pageUrl, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")))
            throw new ChatException("The page address is not a valid http(s) URL.");

        // The site, the chosen topic and the page rules in one round trip: in a burst every StartChat waits its turn for
        // a pooled connection at each one.
        var setup = await db.Sites.AsNoTracking().Where(s => s.Id == visitor.SiteId)
            .Select(s => new
            {
                Site = s,
                Topic = db.SiteTopics.Where(t => t.SiteId == s.Id && t.Key == request.Topic)
                    .Select(t => new { t.Key, t.SkillId, t.Priority }).FirstOrDefault(),
                Rules = db.SitePageRules.Where(r => r.SiteId == s.Id).Select(r => new PageRule(r.UrlPattern, r.SkillId)).ToList(),
            })
            .SingleAsync(cancellationToken);
        var (site, rules) = (setup.Site, setup.Rules);
        var topic = setup.Topic ?? throw new ChatException("Please choose one of the listed topics.");

        var open = await LatestConversationAsync(visitor, cancellationToken);
        if (open is { IsOpen: true })
            return await ViewAsync(open.Id, cancellationToken);

        if (site.DisabledAt is not null)
            throw new ChatException(SiteClosedMessage);
        var languageSkills = site.RouteByLanguage
            ? await db.Skills.AsNoTracking().Where(s => s.Key.StartsWith(SkillRequest.LanguageSkillPrefix)).ToDictionaryAsync(s => s.Key, s => s.Id, cancellationToken)
            : new Dictionary<string, Guid>();
        var language = Truncate(request.Language?.Trim(), 16);

        var conversation = new Conversation
        {
            Id = Guid.CreateVersion7(clock.UtcNowForStorage()),
            SiteId = visitor.SiteId,
            VisitorId = visitor.VisitorId,
            SkillId = topic.SkillId,
            RequestedSkillIds = [.. SkillRequest.Resolve(topic.SkillId, pageUrl, rules, language, languageSkills, site.RouteByLanguage)],
            Priority = topic.Priority,
            TopicKey = topic.Key,
            VisitorName = name,
            VisitorEmail = email,
            PageUrl = pageUrl,
            PageTitle = Truncate(request.PageTitle?.Trim(), 300),
            Language = language,
            TimeZone = Truncate(request.TimeZone?.Trim(), 64),
            UserAgent = Truncate(userAgent, 512),
            RequestedAt = clock.UtcNowForStorage(),
        };
        db.Conversations.Add(conversation);
        events.Append(db, conversation, EventTypes.ChatRequested, new
        {
            skillIds = conversation.RequestedSkillIds,
            topic = topic.Key,
            pageUrl = conversation.PageUrl,
            userAgent = conversation.UserAgent,
            language = conversation.Language,
        });

        var closedReason = site.BusinessHours is { } hours && !hours.IsOpen(conversation.RequestedAt) ? EndedReasons.OutsideHours
            : !await routing.AnyOperatorAvailableForAsync(conversation.RequestedSkillIds, includeAway: !site.MissWhenOnlyAway, cancellationToken) ? EndedReasons.NoOperator
            : null;
        if (closedReason is not null)
        {
            // Nobody could pick it up now: a missed chat, and the visitor may leave a message.
            conversation.Status = ConversationStatus.Ended;
            conversation.EndedAt = conversation.RequestedAt;
            conversation.EndedBy = AuthorKind.System;
            conversation.EndedReason = closedReason;
            events.Append(db, conversation, EventTypes.ChatEnded, new { endedBy = AuthorKind.System, reason = closedReason });
            await db.SaveChangesAsync(cancellationToken);
            return await ViewAsync(conversation.Id, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);

        // The chat is stored and waits in the queue: routing picks it up whether or not this call waits.
        // In a burst the visitor hears back within a bounded time; an assignment that comes later is pushed.
        try
        {
            await dispatcher.DispatchAsync(RoutingService.QueueOf(conversation), cancellationToken: cancellationToken).WaitAsync(StartChatRoutingWait, clock, cancellationToken);
        }
        catch (TimeoutException)
        {
        }
        return await ViewAsync(conversation.Id, cancellationToken);
    }

    public async Task<OfflineMessageCreated> LeaveOfflineMessageAsync(VisitorIdentity visitor, LeaveOfflineMessageRequest? request, CancellationToken cancellationToken = default)
    {
        var name = request?.Name?.Trim() ?? "";
        var email = request?.Email?.Trim() ?? "";
        var text = request?.Text?.Trim() ?? "";
        if (name.Length is 0 or > ChatRules.MaxNameLength)
            throw new ChatException($"Please enter your name (at most {ChatRules.MaxNameLength} characters).");
        if (email.Length > 254 || !MailAddress.TryCreate(email, out _))
            throw new ChatException("Please enter a valid email address so we can answer you.");
        if (text.Length == 0)
            throw new ChatException("A message cannot be empty.");
        if (text.Length > ChatRules.MaxMessageLength)
            throw new ChatException($"A message can be at most {ChatRules.MaxMessageLength} characters.");

        OfflineMessage message;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var latest = await LatestConversationAsync(visitor, cancellationToken);
            var conversation = latest is null ? null : await db.Conversations.LockAsync(latest.Id, cancellationToken);
            message = new OfflineMessage
            {
                Id = Guid.CreateVersion7(clock.UtcNowForStorage()),
                SiteId = visitor.SiteId,
                VisitorId = visitor.VisitorId,
                ConversationId = conversation?.Id,
                Name = name,
                Email = email,
                Text = text,
                TopicKey = conversation?.TopicKey,
                CreatedAt = clock.UtcNowForStorage(),
            };
            db.OfflineMessages.Add(message);
            if (conversation is not null)
                events.Append(db, conversation, EventTypes.OfflineMessageLeft, new { offlineMessageId = message.Id, length = text.Length });
            if (emails.Enabled && await db.Sites.Where(s => s.Id == visitor.SiteId).Select(s => new { s.InboxEmail, s.Name, s.Languages }).SingleAsync(cancellationToken)
                    is { InboxEmail: { } inbox } site)
                emails.Queue(db, visitor.SiteId, message.ConversationId, visitor.VisitorId, Email.EmailKinds.OfflineMessage, Email.EmailTexts.OfflineMessage(site.Languages.FirstOrDefault() ?? "en", inbox, site.Name, message));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await notifier.OfflineMessageReceivedAsync(message.ToDto());
        return new OfflineMessageCreated(message.Id);
    }

    public async Task<IReadOnlyList<OfflineMessageDto>> GetOfflineMessagesAsync(CancellationToken cancellationToken = default) =>
        (await db.OfflineMessages.AsNoTracking().OrderByDescending(m => m.CreatedAt).ThenByDescending(m => m.Id).Take(200).ToListAsync(cancellationToken))
        .Select(m => m.ToDto()).ToList();

    public async Task MarkOfflineMessageHandledAsync(string operatorId, Guid id, CancellationToken cancellationToken = default)
    {
        var message = await db.OfflineMessages.SingleOrDefaultAsync(m => m.Id == id, cancellationToken)
            ?? throw new ChatException("Unknown offline message.");
        if (message.HandledAt is not null)
            return;
        message.HandledAt = clock.UtcNowForStorage();
        message.HandledBy = operatorId;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<MessageDto> SendVisitorMessageAsync(VisitorIdentity visitor, SendMessageRequest request, CancellationToken cancellationToken = default)
    {
        var (clientMessageId, text) = ValidateMessage(request);
        return await messages.AppendAsync(MessageAppender.Author.Visitor(visitor), clientMessageId, text, cancellationToken)
            ?? throw await WhyVisitorCannotWriteAsync(visitor, cancellationToken);
    }

    public async Task<IReadOnlyList<MessageDto>> GetVisitorMessagesAfterAsync(VisitorIdentity visitor, int afterSequence, CancellationToken cancellationToken = default)
    {
        var conversation = await LatestConversationAsync(visitor, cancellationToken);
        return conversation is null ? [] : await MessagesAfterAsync(conversation.Id, afterSequence, cancellationToken);
    }

    public async Task EndVisitorChatAsync(VisitorIdentity visitor, CancellationToken cancellationToken = default)
    {
        var conversation = await LatestConversationAsync(visitor, cancellationToken);
        if (conversation is not { IsOpen: true })
            throw new ChatException("There is no open chat to end.");
        await EndAsync(conversation.Id, c => c.VisitorId == visitor.VisitorId, AuthorKind.Visitor, null, cancellationToken);
    }

    // ---- Operator side ------------------------------------------------------------------------

    public async Task<OperatorState> GetOperatorStateAsync(string operatorId, CancellationToken cancellationToken = default)
    {
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == operatorId, cancellationToken);
        var since = clock.UtcNowForStorage() - RecentlyEndedWindow;
        var chats = await VisibleTo(operatorId)
            .Where(c => c.Status == ConversationStatus.Assigned || c.EndedAt > since)
            .OrderBy(c => c.RequestedAt)
            .ToListAsync(cancellationToken);

        var lastMessages = await LastMessagesAsync(chats, cancellationToken);
        var timeouts = await WrapUpTimeoutsAsync(chats, cancellationToken);
        var offers = await db.Conversations.AsNoTracking()
            .Where(c => c.Status == ConversationStatus.Offered && c.OfferedTo == operatorId)
            .Select(c => new ChatOffer(c.Id, c.VisitorName, c.TopicKey, c.OfferExpiresAt!.Value, operatorId))
            .ToListAsync(cancellationToken);
        return new OperatorState(user.Id, user.DisplayName, user.Status,
            chats.Select(c => c.ToSummary(lastMessages.GetValueOrDefault(c.Id), c.OperatorId == operatorId ? "owner" : "invited", timeouts[c.SiteId])).ToList(),
            offers);
    }

    public async Task<ChatDetail> GetChatAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken = default)
    {
        var conversation = await VisibleTo(operatorId).SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken)
            ?? throw UnknownConversation();
        var messages = await MessagesAfterAsync(conversationId, 0, cancellationToken);
        var notes = await db.ConversationNotes.AsNoTracking().Where(n => n.ConversationId == conversationId).OrderBy(n => n.CreatedAt).ToListAsync(cancellationToken);
        var participants = await (
            from p in db.ConversationParticipants
            join u in db.Users on p.OperatorId equals u.Id
            where p.ConversationId == conversationId && p.LeftAt == null
            select new ParticipantDto(u.Id, u.DisplayName, "invited")).ToListAsync(cancellationToken);
        if (conversation.OperatorId is { } ownerId)
            participants.Insert(0, new ParticipantDto(ownerId, await db.Users.Where(u => u.Id == ownerId).Select(u => u.DisplayName).SingleAsync(cancellationToken), "owner"));
        var pages = await db.PageViews.AsNoTracking().Where(p => p.ConversationId == conversationId).OrderBy(p => p.ViewedAt).ThenBy(p => p.Id)
            .Select(p => new PageVisitDto(p.Url, p.Title, p.ViewedAt)).ToListAsync(cancellationToken);
        var (browser, os) = UserAgentInfo.Parse(conversation.UserAgent);
        var previous = await db.Conversations.AsNoTracking()
            .Where(c => c.VisitorId == conversation.VisitorId && c.Id != conversationId && c.RequestedAt < conversation.RequestedAt)
            .OrderByDescending(c => c.RequestedAt).Take(10).ToListAsync(cancellationToken);
        var previousIds = previous.Select(c => c.Id).ToList();
        var previousMessages = (await db.Messages.AsNoTracking().Where(m => previousIds.Contains(m.ConversationId)).OrderBy(m => m.Sequence).ToListAsync(cancellationToken))
            .GroupBy(m => m.ConversationId).ToDictionary(g => g.Key, g => (IReadOnlyList<MessageDto>)g.Select(m => m.ToDto()).ToList());
        var site = await db.Sites.Where(s => s.Id == conversation.SiteId)
            .Select(s => new { s.WrapUpTimeoutSeconds, Files = new Files.FileRulesDto(s.MaxFileBytes, s.AllowedFileTypes) }).SingleAsync(cancellationToken);

        return new ChatDetail(
            conversation.Id, conversation.VisitorName, conversation.TopicKey, conversation.Status, conversation.RequestedAt,
            messages.Count > 0 ? messages[^1] : null, conversation.VisitorEmail, conversation.PageUrl, conversation.PageTitle, conversation.Language,
            messages, conversation.OperatorId == operatorId ? "owner" : "invited", conversation.ToWrapUp(), conversation.WrapUpDueAt(site.WrapUpTimeoutSeconds),
            notes.Select(n => n.ToDto()).ToList(), participants,
            new VisitorContextDto(browser, os, conversation.Language, conversation.TimeZone, conversation.PageUrl, conversation.PageTitle, pages),
            previous.Select(c => new PreviousConversationDto(c.Id, c.RequestedAt, c.Status, c.TopicKey, previousMessages.GetValueOrDefault(c.Id) ?? [])).ToList(),
            (await db.Surveys.AsNoTracking().SingleOrDefaultAsync(s => s.ConversationId == conversationId, cancellationToken))?.ToDto(),
            site.Files);
    }

    /// <summary>The chats an operator works on: those they own and those they were invited into and have not left.</summary>
    public IQueryable<Conversation> VisibleTo(string operatorId) =>
        db.Conversations.AsNoTracking().Where(c => c.OperatorId == operatorId
            || db.ConversationParticipants.Any(p => p.ConversationId == c.Id && p.OperatorId == operatorId && p.LeftAt == null));

    /// <summary>Inside the caller's transaction: locks an open chat the operator works on (anyone else's is unknown to them).</summary>
    public async Task<Conversation> LockOpenChatOfAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken)
    {
        if (!await VisibleTo(operatorId).AnyAsync(c => c.Id == conversationId, cancellationToken))
            throw UnknownConversation();
        var conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
        return conversation.IsOpen ? conversation : throw new ChatException("This chat has ended.");
    }

    /// <summary>The owner and the invited operators still in the chat.</summary>
    public async Task<IReadOnlyList<string>> OperatorsOfAsync(Guid conversationId, CancellationToken cancellationToken = default)
    {
        var owner = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.OperatorId).SingleOrDefaultAsync(cancellationToken);
        var invited = await db.ConversationParticipants.Where(p => p.ConversationId == conversationId && p.LeftAt == null).Select(p => p.OperatorId).ToListAsync(cancellationToken);
        return owner is null ? invited : [owner, .. invited];
    }

    private async Task<Dictionary<Guid, int>> WrapUpTimeoutsAsync(List<Conversation> chats, CancellationToken cancellationToken)
    {
        var siteIds = chats.Select(c => c.SiteId).Distinct().ToList();
        return await db.Sites.Where(s => siteIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.WrapUpTimeoutSeconds, cancellationToken);
    }

    public async Task<MessageDto> SendOperatorMessageAsync(string operatorId, Guid conversationId, SendMessageRequest request, CancellationToken cancellationToken = default)
    {
        var (clientMessageId, text) = ValidateMessage(request);
        return await messages.AppendAsync(MessageAppender.Author.Operator(operatorId, conversationId), clientMessageId, text, cancellationToken)
            ?? throw await WhyOperatorCannotWriteAsync(operatorId, conversationId, cancellationToken);
    }

    public async Task<IReadOnlyList<MessageDto>> GetOperatorMessagesAfterAsync(string operatorId, Guid conversationId, int afterSequence, CancellationToken cancellationToken = default)
    {
        if (!await VisibleTo(operatorId).AnyAsync(c => c.Id == conversationId, cancellationToken))
            throw UnknownConversation();
        return await MessagesAfterAsync(conversationId, afterSequence, cancellationToken);
    }

    public Task EndOperatorChatAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken = default) =>
        EndAsync(conversationId, c => c.OperatorId == operatorId, AuthorKind.Operator, operatorId, cancellationToken);

    // ---- Shared -------------------------------------------------------------------------------

    // Only reached when nothing was stored: finds the reason to report.
    private async Task<ChatException> WhyVisitorCannotWriteAsync(VisitorIdentity visitor, CancellationToken cancellationToken) =>
        await LatestConversationAsync(visitor, cancellationToken) is { IsOpen: true }
            ? new ChatException("This chat has ended.")
            : new ChatException("There is no open chat. Start a new one first.");

    private async Task<ChatException> WhyOperatorCannotWriteAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken) =>
        await VisibleTo(operatorId).AnyAsync(c => c.Id == conversationId, cancellationToken)
            ? new ChatException("This chat has ended.")
            : UnknownConversation();

    private async Task EndAsync(Guid conversationId, Func<Conversation, bool> mayEnd, string endedBy, string? operatorId, CancellationToken cancellationToken)
    {
        Conversation conversation;
        string? offeredTo;
        bool wasQueued;
        IReadOnlyList<Message> remoteMessages;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
            if (!mayEnd(conversation))
                throw UnknownConversation();
            if (!conversation.IsOpen)
                throw new ChatException("This chat has already ended.");

            offeredTo = conversation.Status == ConversationStatus.Offered ? conversation.OfferedTo : null;
            wasQueued = conversation.Status == ConversationStatus.Queued;
            // A screen share or co-browse never outlives its chat.
            remoteMessages = await RemoteSupport.RemoteSessionEnding.EndLiveAsync(db, events, clock, conversation, cancellationToken);
            conversation.Status = ConversationStatus.Ended;
            conversation.EndedAt = clock.UtcNowForStorage();
            conversation.EndedBy = endedBy;
            conversation.OfferedTo = null;
            conversation.OfferExpiresAt = null;
            events.Append(db, conversation, EventTypes.ChatEnded, new { endedBy, ownerOperatorId = conversation.OperatorId }, operatorId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        var operators = await OperatorsOfAsync(conversation.Id, cancellationToken);
        foreach (var message in remoteMessages)
            await notifier.MessageSentAsync(conversation.VisitorId, operators, message.ToDto());
        await notifier.ChatEndedAsync(conversation, operators);
        if (offeredTo is not null)
            await notifier.OfferWithdrawnAsync(offeredTo, conversation.Id);
        // A waiting chat left its queue, or a slot is free (for any queue its operator serves).
        if (wasQueued)
            await dispatcher.DispatchAsync(RoutingService.QueueOf(conversation), queueMoved: true, cancellationToken: cancellationToken);
        else
            await dispatcher.DispatchAsync(queueMoved: conversation.OperatorId is null, cancellationToken: cancellationToken);
    }

    private Task<Conversation?> LatestConversationAsync(VisitorIdentity visitor, CancellationToken cancellationToken) =>
        db.Conversations.OfVisitorLatestFirst(visitor).FirstOrDefaultAsync(cancellationToken);

    /// <summary>
    /// A conversation as its visitor sees it, in one query: the widget asks on every page load, and StartChat for each new
    /// chat (in a burst every round trip waits its turn for a pooled connection). Routing works on its own fresh copy, so
    /// this reads what it decided.
    /// </summary>
    private async Task<ConversationView> ViewAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        var view = await db.Conversations.AsNoTracking().Where(c => c.Id == conversationId)
            .Select(c => new
            {
                c.Status, c.OperatorId, c.EndedBy, c.EndedReason,
                OperatorName = db.Users.Where(u => u.Id == c.OperatorId).Select(u => u.DisplayName).FirstOrDefault(),
                Site = db.Sites.Where(s => s.Id == c.SiteId).Select(s => new { s.TypingPreview, s.SurveyQuestions }).First(),
                Surveyed = db.Surveys.Any(s => s.ConversationId == c.Id),
                Messages = db.Messages.Where(m => m.ConversationId == c.Id).OrderBy(m => m.Sequence).ToList(),
            })
            .SingleAsync(cancellationToken);
        // Only a chat an operator took gets a survey; a missed one offers an offline message instead.
        var survey = new SurveyOffer(view.OperatorId is null ? [] : view.Site.SurveyQuestions, view.Surveyed);
        return new ConversationView(conversationId, view.Status, view.OperatorName, view.EndedBy, view.EndedReason,
            view.Messages.Select(m => m.ToDto()).ToList(), view.Site.TypingPreview, survey);
    }

    private async Task<IReadOnlyList<MessageDto>> MessagesAfterAsync(Guid conversationId, int afterSequence, CancellationToken cancellationToken) =>
        (await db.Messages.AsNoTracking()
            .Where(m => m.ConversationId == conversationId && m.Sequence > afterSequence)
            .OrderBy(m => m.Sequence)
            .ToListAsync(cancellationToken))
        .Select(m => m.ToDto()).ToList();

    private async Task<Dictionary<Guid, MessageDto>> LastMessagesAsync(List<Conversation> conversations, CancellationToken cancellationToken)
    {
        var ids = conversations.Select(c => c.Id).ToList();
        var lastMessages = await db.Messages.AsNoTracking()
            .Where(m => ids.Contains(m.ConversationId)
                && db.Conversations.Any(c => c.Id == m.ConversationId && c.LastMessageSequence == m.Sequence))
            .ToListAsync(cancellationToken);
        return lastMessages.ToDictionary(m => m.ConversationId, m => m.ToDto());
    }

    private static (Guid ClientMessageId, string Text) ValidateMessage(SendMessageRequest? request)
    {
        if (request is null)
            throw new ChatException("A message is required.");
        if (!Guid.TryParse(request.ClientMessageId, out var clientMessageId) || clientMessageId == Guid.Empty)
            throw new ChatException("clientMessageId must be a UUID.");
        if (string.IsNullOrWhiteSpace(request.Text))
            throw new ChatException("A message cannot be empty.");
        if (request.Text.Length > ChatRules.MaxMessageLength)
            throw new ChatException($"A message can be at most {ChatRules.MaxMessageLength} characters.");
        return (clientMessageId, request.Text);
    }

    private static ChatException UnknownConversation() => new("Unknown conversation.");

    private static string? Truncate(string? value, int length) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= length ? value : value[..length];
}
