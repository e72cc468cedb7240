using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ChatDesk.Server.RemoteSupport;

/// <summary>
/// Screen share and co-browse sessions: an operator of the chat asks, the chat's visitor consents or
/// declines, either side stops. The server relays WebRTC signalling (media itself flows peer to peer)
/// and co-browse batches, only between the session's visitor and the conversation's operators.
/// </summary>
public sealed class RemoteService(
    ChatDeskDbContext db, NpgsqlDataSource dataSource, ChatService chats, EventLog events, TimeProvider clock, ChatNotifier notifier,
    IOptions<RemoteOptions> options)
{
    private RtcConfigDto Rtc => options.Value.ToDto(clock.GetUtcNow());

    // ---- Operator side ------------------------------------------------------------------------

    public async Task<RemoteSessionDto> RequestAsync(string operatorId, Guid conversationId, RemoteRequest? request, CancellationToken cancellationToken = default)
    {
        if (!RemoteKinds.IsKnown(request?.Kind))
            throw new ChatException("Kind must be screen or cobrowse.");
        RemoteSession session;
        Conversation conversation;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            conversation = await chats.LockOpenChatOfAsync(operatorId, conversationId, cancellationToken);
            if (await db.RemoteSessions.AnyAsync(s => s.ConversationId == conversationId && (s.Status == RemoteStatus.Requested || s.Status == RemoteStatus.Active), cancellationToken))
                throw new ChatException("A remote session is already running or waiting for the visitor's consent in this chat.");
            session = new RemoteSession
            {
                Id = Guid.CreateVersion7(clock.UtcNowForStorage()),
                ConversationId = conversationId,
                Kind = request!.Kind!,
                OperatorId = operatorId,
                RequestedAt = clock.UtcNowForStorage(),
            };
            db.RemoteSessions.Add(session);
            events.Append(db, conversation, EventTypes.RemoteRequested, new { sessionId = session.Id, kind = session.Kind }, operatorId);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        return await PublishSessionAsync(conversation, session, [], cancellationToken);
    }

    /// <summary>Any operator of the chat may stop its session (or withdraw the request).</summary>
    public async Task StopAsync(string operatorId, Guid sessionId, CancellationToken cancellationToken = default)
    {
        var conversationId = await db.RemoteSessions.Where(s => s.Id == sessionId).Select(s => (Guid?)s.ConversationId).SingleOrDefaultAsync(cancellationToken);
        if (conversationId is null || !await chats.VisibleTo(operatorId).AnyAsync(c => c.Id == conversationId, cancellationToken))
            throw UnknownSession();
        var name = await OperatorNameAsync(operatorId, cancellationToken);
        await EndAsync(conversationId.Value, sessionId, AuthorKind.Operator, operatorId, name, cancellationToken);
    }

    /// <summary>The conversation's latest session (live or not), or null: what a console shows when it opens the chat.</summary>
    public async Task<RemoteSessionDto?> GetForOperatorAsync(string operatorId, Guid conversationId, CancellationToken cancellationToken = default)
    {
        if (!await chats.VisibleTo(operatorId).AnyAsync(c => c.Id == conversationId, cancellationToken))
            throw new ChatException("Unknown conversation.");
        return await LatestDtoAsync(conversationId, cancellationToken);
    }

    public async Task SignalFromOperatorAsync(string operatorId, Guid sessionId, string? payload, CancellationToken cancellationToken = default)
    {
        ValidateSignal(payload);
        var stored = await RemoteRelayAppender.AppendAsync(dataSource, clock, sessionId, null, operatorId,
            RemoteKinds.Screen, RemoteAudience.Visitor, RemoteRelayKinds.Signal, payload!, cancellationToken);
        if (stored is null)
        {
            // Nothing stored: find the reason to report.
            var (session, _) = await LiveSessionForOperatorAsync(operatorId, sessionId, cancellationToken);
            if (session.OperatorId != operatorId)
                throw new ChatException("Only the operator who asked for this session can signal in it.");
            throw WhyNotRelayed(session, RemoteKinds.Screen, "Only a screen share is signalled.");
        }
        await PushAsync(stored);
    }

    public async Task PointerAsync(string operatorId, Guid sessionId, RemotePointerRequest? pointer, CancellationToken cancellationToken = default)
    {
        if (pointer is null || !double.IsFinite(pointer.X) || !double.IsFinite(pointer.Y) || pointer.X is < 0 or > 1 || pointer.Y is < 0 or > 1)
            throw new ChatException("A pointer needs x and y between 0 and 1.");
        if (pointer.Mode is not ("point" or "highlight" or "hide"))
            throw new ChatException("Pointer mode must be point, highlight or hide.");
        var (session, conversation) = await LiveSessionForOperatorAsync(operatorId, sessionId, cancellationToken);
        if (session.Status != RemoteStatus.Active)
            throw NotStarted();
        // Pointer moves are momentary: pushed, never stored.
        await notifier.ToVisitorAsync(conversation.VisitorId, nameof(IVisitorClient.RemotePointer),
            new RemotePointerNotice(session.Id, pointer.X, pointer.Y, pointer.Mode, await OperatorNameAsync(operatorId, cancellationToken)));
    }

    public async Task<IReadOnlyList<RemoteRelayNotice>> FetchForOperatorAsync(string operatorId, Guid sessionId, int afterSequence, CancellationToken cancellationToken = default)
    {
        var session = await db.RemoteSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        if (session is null || !await chats.VisibleTo(operatorId).AnyAsync(c => c.Id == session.ConversationId, cancellationToken))
            throw UnknownSession();
        var signals = session.OperatorId == operatorId;
        return await db.RemoteRelay.AsNoTracking()
            .Where(r => r.SessionId == sessionId && r.Sequence > afterSequence && r.Audience == RemoteAudience.Operators
                && (signals || r.Kind != RemoteRelayKinds.Signal))
            .OrderBy(r => r.Sequence).Take(RemoteRules.MaxFetchItems)
            .Select(r => new RemoteRelayNotice(r.SessionId, session.ConversationId, r.Sequence, r.Kind, r.Payload))
            .ToListAsync(cancellationToken);
    }

    // ---- Visitor side -------------------------------------------------------------------------

    /// <summary>The live session of the visitor's open conversation, or null: what a reconnecting widget shows.</summary>
    public async Task<RemoteSessionDto?> GetForVisitorAsync(VisitorIdentity visitor, CancellationToken cancellationToken = default)
    {
        var conversation = await db.Conversations.OfVisitorLatestFirst(visitor).FirstOrDefaultAsync(cancellationToken);
        if (conversation is not { IsOpen: true })
            return null;
        var dto = await LatestDtoAsync(conversation.Id, cancellationToken);
        return dto is { Status: RemoteStatus.Requested or RemoteStatus.Active } ? dto : null;
    }

    public async Task ConsentAsync(VisitorIdentity visitor, Guid sessionId, bool accept, CancellationToken cancellationToken = default)
    {
        var conversationId = await VisitorsConversationOfAsync(visitor, sessionId, cancellationToken);
        if (!accept)
        {
            await EndAsync(conversationId, sessionId, AuthorKind.Visitor, null, null, cancellationToken);
            return;
        }
        await ChangeSessionAsync(conversationId, sessionId, async (conversation, session) =>
        {
            if (!conversation.IsOpen || session.Status != RemoteStatus.Requested)
                throw new ChatException("This request is no longer waiting for your consent.");
            session.Status = RemoteStatus.Active;
            session.StartedAt = clock.UtcNowForStorage();
            events.Append(db, conversation, EventTypes.RemoteStarted,
                new { sessionId = session.Id, kind = session.Kind, requestedBy = session.OperatorId, consentedBy = AuthorKind.Visitor }, session.OperatorId);
            return ServerMessages.Add(db, events, clock, conversation, AuthorKind.System,
                RemoteTexts.Text($"started.{session.Kind}", conversation.Language, await OperatorNameAsync(session.OperatorId, cancellationToken)));
        }, cancellationToken);
    }

    public async Task StopAsync(VisitorIdentity visitor, Guid sessionId, CancellationToken cancellationToken = default)
    {
        var conversationId = await VisitorsConversationOfAsync(visitor, sessionId, cancellationToken);
        var name = await db.Conversations.Where(c => c.Id == conversationId).Select(c => c.VisitorName).SingleAsync(cancellationToken);
        await EndAsync(conversationId, sessionId, AuthorKind.Visitor, null, name, cancellationToken);
    }

    public async Task SignalFromVisitorAsync(VisitorIdentity visitor, Guid sessionId, string? payload, CancellationToken cancellationToken = default)
    {
        ValidateSignal(payload);
        await RelayFromVisitorAsync(visitor, sessionId, RemoteKinds.Screen, RemoteRelayKinds.Signal, payload!, "Only a screen share is signalled.", cancellationToken);
    }

    /// <summary>A part of a batch of rrweb events as JSON text; the last part of a batch has <c>last</c> set.</summary>
    public async Task CobrowseAsync(VisitorIdentity visitor, Guid sessionId, RemoteCobrowsePart? part, CancellationToken cancellationToken = default)
    {
        if (part?.Data is not { Length: > 0 } data || data.Length > RemoteRules.MaxCobrowsePartLength)
            throw new ChatException($"A co-browse part must have 1 to {RemoteRules.MaxCobrowsePartLength} characters.");
        // The last-part flag travels as the first character so the relay stays one opaque string.
        await RelayFromVisitorAsync(visitor, sessionId, RemoteKinds.Cobrowse, RemoteRelayKinds.Cobrowse, (part.Last ? "1" : "0") + data,
            "This session is not a co-browse.", cancellationToken);
    }

    public async Task<IReadOnlyList<RemoteRelayNotice>> FetchForVisitorAsync(VisitorIdentity visitor, Guid sessionId, int afterSequence, CancellationToken cancellationToken = default)
    {
        var conversationId = await VisitorsConversationOfAsync(visitor, sessionId, cancellationToken);
        return await db.RemoteRelay.AsNoTracking()
            .Where(r => r.SessionId == sessionId && r.Sequence > afterSequence && r.Audience == RemoteAudience.Visitor)
            .OrderBy(r => r.Sequence).Take(RemoteRules.MaxFetchItems)
            .Select(r => new RemoteRelayNotice(r.SessionId, conversationId, r.Sequence, r.Kind, r.Payload))
            .ToListAsync(cancellationToken);
    }

    // ---- Shared -------------------------------------------------------------------------------

    private Task EndAsync(Guid conversationId, Guid sessionId, string endedBy, string? operatorId, string? name, CancellationToken cancellationToken) =>
        ChangeSessionAsync(conversationId, sessionId, (conversation, session) => session.IsLive
            ? RemoteSessionEnding.EndAsync(db, events, clock, conversation, session, endedBy, operatorId, name, cancellationToken)
            : throw new ChatException("This session has already ended."), cancellationToken);

    /// <summary>
    /// Changes a session in one transaction with the conversation row locked first (the order every
    /// writer takes), then tells both sides; <paramref name="change"/> returns the transcript line it wrote.
    /// </summary>
    private async Task ChangeSessionAsync(
        Guid conversationId, Guid sessionId, Func<Conversation, RemoteSession, Task<Message>> change, CancellationToken cancellationToken)
    {
        Conversation conversation;
        RemoteSession session;
        Message message;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            conversation = await db.Conversations.LockAsync(conversationId, cancellationToken);
            session = await LockSessionAsync(sessionId, cancellationToken);
            message = await change(conversation, session);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await PublishSessionAsync(conversation, session, [message], cancellationToken);
    }

    private async Task RelayFromVisitorAsync(
        VisitorIdentity visitor, Guid sessionId, string sessionKind, string kind, string payload, string wrongKind, CancellationToken cancellationToken)
    {
        var stored = await RemoteRelayAppender.AppendAsync(dataSource, clock, sessionId, visitor, null,
            sessionKind, RemoteAudience.Operators, kind, payload, cancellationToken);
        if (stored is null)
        {
            // Nothing stored: find the reason to report.
            var (session, _) = await ActiveSessionForVisitorAsync(visitor, sessionId, cancellationToken);
            throw WhyNotRelayed(session, sessionKind, wrongKind);
        }
        await PushAsync(stored);
    }

    /// <summary>Pushes a stored item (inline when small): signals to the session's two ends, co-browse parts to the chat's operators.</summary>
    private Task PushAsync(RemoteRelayAppender.Stored stored)
    {
        var item = stored.Item;
        var notice = item.ToNotice(stored.ConversationId, inline: item.Payload.Length <= RemoteRules.MaxInlinePayloadLength);
        if (item.Audience == RemoteAudience.Visitor)
            return notifier.ToVisitorAsync(stored.VisitorId, nameof(IVisitorClient.RemoteRelay), notice);
        return notifier.ToOperatorsAsync(item.Kind == RemoteRelayKinds.Signal ? [stored.SessionOperatorId] : stored.ChatOperatorIds,
            nameof(IOperatorClient.RemoteRelay), notice);
    }

    private static ChatException WhyNotRelayed(RemoteSession session, string sessionKind, string wrongKind) =>
        session.Kind != sessionKind ? new ChatException(wrongKind)
        : session.RelayBytes >= RemoteRules.MaxSessionRelayBytes - RemoteRules.MaxCobrowsePartLength
            ? new ChatException("This session has relayed all it may; stop it and start a new one.")
        : session.Status == RemoteStatus.Requested ? NotStarted()
        : new ChatException("This session has ended.");

    private async Task<RemoteSessionDto> PublishSessionAsync(Conversation conversation, RemoteSession session, IReadOnlyList<Message> messages, CancellationToken cancellationToken)
    {
        var dto = session.ToDto(await OperatorNameAsync(session.OperatorId, cancellationToken), Rtc);
        var operators = await chats.OperatorsOfAsync(conversation.Id, cancellationToken);
        foreach (var message in messages)
            await notifier.MessageSentAsync(conversation.VisitorId, operators, message.ToDto());
        await notifier.ToVisitorAsync(conversation.VisitorId, nameof(IVisitorClient.RemoteSessionChanged), dto);
        await notifier.ToOperatorsAsync(operators, nameof(IOperatorClient.RemoteSessionChanged), dto);
        return dto;
    }

    private async Task<RemoteSessionDto?> LatestDtoAsync(Guid conversationId, CancellationToken cancellationToken)
    {
        var session = await db.RemoteSessions.AsNoTracking().Where(s => s.ConversationId == conversationId)
            .OrderByDescending(s => s.RequestedAt).ThenByDescending(s => s.Id).FirstOrDefaultAsync(cancellationToken);
        return session is null ? null : session.ToDto(await OperatorNameAsync(session.OperatorId, cancellationToken), Rtc);
    }

    private async Task<(RemoteSession Session, Conversation Conversation)> LiveSessionForOperatorAsync(string operatorId, Guid sessionId, CancellationToken cancellationToken)
    {
        var session = await db.RemoteSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == sessionId, cancellationToken);
        var conversation = session is null ? null
            : await chats.VisibleTo(operatorId).SingleOrDefaultAsync(c => c.Id == session.ConversationId, cancellationToken);
        if (session is null || conversation is null)
            throw UnknownSession();
        if (!session.IsLive || !conversation.IsOpen)
            throw new ChatException("This session has ended.");
        return (session, conversation);
    }

    private async Task<(RemoteSession Session, Conversation Conversation)> ActiveSessionForVisitorAsync(VisitorIdentity visitor, Guid sessionId, CancellationToken cancellationToken)
    {
        var found = await (
            from s in db.RemoteSessions.AsNoTracking()
            join c in db.Conversations.AsNoTracking() on s.ConversationId equals c.Id
            where s.Id == sessionId && c.VisitorId == visitor.VisitorId && c.SiteId == visitor.SiteId
            select new { Session = s, Conversation = c }).SingleOrDefaultAsync(cancellationToken)
            ?? throw UnknownSession();
        if (found.Session.Status == RemoteStatus.Requested && found.Conversation.IsOpen)
            throw NotStarted();
        if (found.Session.Status != RemoteStatus.Active || !found.Conversation.IsOpen)
            throw new ChatException("This session has ended.");
        return (found.Session, found.Conversation);
    }

    /// <summary>The session's conversation when it is the visitor's own; anyone else's session is unknown to them.</summary>
    private async Task<Guid> VisitorsConversationOfAsync(VisitorIdentity visitor, Guid sessionId, CancellationToken cancellationToken) =>
        await (
            from s in db.RemoteSessions
            join c in db.Conversations on s.ConversationId equals c.Id
            where s.Id == sessionId && c.VisitorId == visitor.VisitorId && c.SiteId == visitor.SiteId
            select (Guid?)c.Id).SingleOrDefaultAsync(cancellationToken)
        ?? throw UnknownSession();

    private async Task<RemoteSession> LockSessionAsync(Guid sessionId, CancellationToken cancellationToken) =>
        await db.RemoteSessions.FromSqlInterpolated($"SELECT * FROM remote_sessions WHERE id = {sessionId} FOR UPDATE").SingleOrDefaultAsync(cancellationToken)
        ?? throw UnknownSession();

    private Task<string> OperatorNameAsync(string operatorId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == operatorId).Select(u => u.DisplayName).SingleAsync(cancellationToken);

    private static void ValidateSignal(string? payload)
    {
        if (payload is not { Length: > 0 } || payload.Length > RemoteRules.MaxSignalLength)
            throw new ChatException($"A signalling message must have 1 to {RemoteRules.MaxSignalLength} characters.");
    }

    private static ChatException UnknownSession() => new("Unknown remote session.");

    private static ChatException NotStarted() => new("This session has not started: it needs the visitor's consent.");
}

public static class RemoteSetup
{
    public static IServiceCollection AddRemote(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<RemoteOptions>(configuration.GetSection(RemoteOptions.Section));
        services.AddScoped<RemoteService>();
        return services;
    }
}
