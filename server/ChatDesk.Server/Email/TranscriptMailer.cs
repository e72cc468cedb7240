using System.Net.Mail;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Email;

public sealed record EmailTranscriptRequest(string? Email);

/// <summary>A visitor asks for their conversation's transcript by e-mail (the widget's "send me the transcript").</summary>
public sealed class TranscriptMailer(ChatDeskDbContext db, WorkspaceService workspace, EmailOutbox outbox, EventLog events)
{
    public async Task EmailAsync(VisitorIdentity visitor, EmailTranscriptRequest? request, CancellationToken cancellationToken = default)
    {
        if (!outbox.Enabled)
            throw new ChatException("Sending the transcript by e-mail is not available here: download it instead.");
        var email = request?.Email?.Trim() ?? "";
        if (email.Length > 254 || !MailAddress.TryCreate(email, out _))
            throw new ChatException("Please enter a valid email address.");
        var transcript = await workspace.TranscriptAsync(visitor, cancellationToken);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var latest = await db.Conversations.OfVisitorLatestFirst(visitor).Select(c => c.Id).FirstAsync(cancellationToken);
        var conversation = await db.Conversations.LockAsync(latest, cancellationToken);
        var siteName = await db.Sites.Where(s => s.Id == conversation.SiteId).Select(s => s.Name).SingleAsync(cancellationToken);
        outbox.Queue(db, conversation.SiteId, conversation.Id, conversation.VisitorId, EmailKinds.Transcript, EmailTexts.Transcript(conversation.Language ?? "en", email, siteName, transcript.Text));
        // The address is personal data: the event says only that it was sent.
        events.Append(db, conversation, EventTypes.TranscriptEmailed, new { length = transcript.Text.Length });
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }
}
