using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.RemoteSupport;

/// <summary>
/// Ends a remote session inside the caller's transaction (conversation row locked): the state, the
/// <c>remote.ended</c> (or <c>remote.declined</c>) event, the transcript line, and the relayed data,
/// which is not kept beyond the session unless the site keeps co-browse recordings.
/// </summary>
public static class RemoteSessionEnding
{
    /// <param name="endedBy">visitor, operator or system.</param>
    /// <param name="endedByName">Who stopped it, as the transcript names them (null: the end of the chat).</param>
    public static async Task<Message> EndAsync(
        ChatDeskDbContext db, EventLog events, TimeProvider clock, Conversation conversation, RemoteSession session,
        string endedBy, string? endedByOperatorId, string? endedByName, CancellationToken cancellationToken, string textKey = "ended")
    {
        var now = clock.UtcNowForStorage();
        var wasActive = session.Status == RemoteStatus.Active;
        session.EndedAt = now;
        session.EndedBy = endedBy;
        string text;
        if (wasActive)
        {
            session.Status = RemoteStatus.Ended;
            var duration = now - session.StartedAt!.Value;
            events.Append(db, conversation, EventTypes.RemoteEnded, new
            {
                sessionId = session.Id,
                kind = session.Kind,
                endedBy,
                endedByOperatorId,
                durationSeconds = duration.TotalSeconds,
            }, session.OperatorId);
            text = RemoteTexts.Text($"{textKey}.{session.Kind}", conversation.Language,
                endedByName ?? RemoteTexts.Text("system", conversation.Language), RemoteTexts.Duration(duration));
        }
        else
        {
            // Never consented: no session took place, only the request is on the record.
            session.Status = endedBy == AuthorKind.Visitor ? RemoteStatus.Declined : RemoteStatus.Cancelled;
            events.Append(db, conversation, EventTypes.RemoteDeclined, new { sessionId = session.Id, kind = session.Kind, by = endedBy }, session.OperatorId);
            text = RemoteTexts.Text($"declined.{session.Kind}", conversation.Language);
        }

        var keep = session.Kind == RemoteKinds.Cobrowse
            && await db.Sites.Where(s => s.Id == conversation.SiteId).Select(s => s.CobrowseKeepRecording).SingleAsync(cancellationToken);
        var relayed = db.RemoteRelay.Where(r => r.SessionId == session.Id);
        await (keep ? relayed.Where(r => r.Kind != RemoteRelayKinds.Cobrowse) : relayed).ExecuteDeleteAsync(cancellationToken);
        return ServerMessages.Add(db, events, clock, conversation, AuthorKind.System, text);
    }

    /// <summary>The chat ends: so does any session of it, requested or running.</summary>
    public static Task<IReadOnlyList<Message>> EndLiveAsync(
        ChatDeskDbContext db, EventLog events, TimeProvider clock, Conversation conversation, CancellationToken cancellationToken) =>
        EndLiveAsync(db, events, clock, conversation, null, cancellationToken);

    /// <summary>
    /// An operator leaves the chat (left, transferred it away, or was disconnected): the sessions they
    /// asked for end, since only the conversation's operators may see its screen or page.
    /// </summary>
    public static Task<IReadOnlyList<Message>> EndOperatorsSessionsAsync(
        ChatDeskDbContext db, EventLog events, TimeProvider clock, Conversation conversation, string operatorId, CancellationToken cancellationToken) =>
        EndLiveAsync(db, events, clock, conversation, operatorId, cancellationToken);

    private static async Task<IReadOnlyList<Message>> EndLiveAsync(
        ChatDeskDbContext db, EventLog events, TimeProvider clock, Conversation conversation, string? operatorId, CancellationToken cancellationToken)
    {
        var live = await db.RemoteSessions
            .FromSqlInterpolated($"SELECT * FROM remote_sessions WHERE conversation_id = {conversation.Id} AND status IN ('requested', 'active') FOR UPDATE")
            .ToListAsync(cancellationToken);
        var messages = new List<Message>();
        var operatorName = operatorId is null ? null : await db.Users.Where(u => u.Id == operatorId).Select(u => u.DisplayName).SingleAsync(cancellationToken);
        foreach (var session in live.Where(s => operatorId is null || s.OperatorId == operatorId))
            messages.Add(await EndAsync(db, events, clock, conversation, session, AuthorKind.System, null, operatorName, cancellationToken,
                operatorId is null ? "ended" : "gone"));
        return messages;
    }
}
