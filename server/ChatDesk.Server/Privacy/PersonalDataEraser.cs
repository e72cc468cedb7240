using ChatDesk.Server.Data;
using ChatDesk.Server.Files;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Privacy;

/// <param name="OutboxRows">Webhook deliveries and e-mails (pending or done) that carried the data, deleted with it.</param>
public sealed record ErasureCounts(int Conversations, int Messages, int Files, int OutboxRows);

/// <summary>
/// Erases the personal data of conversations: messages, files (rows and bytes), co-browse and signalling
/// data, page views, internal notes, offline messages, survey comments, and the visitor's name, e-mail,
/// page, user agent, wrap-up notes and tags, and the outbox rows that carry any of it (webhook deliveries of their
/// events and their e-mails, pending ones too: what was not sent yet is not sent). What the KPIs are computed from stays: the conversation row's
/// times, skill, operator and outcome, the survey scores, and every event (their personal fields removed).
/// </summary>
public sealed class PersonalDataEraser(ChatDeskDbContext db, IFileStore files, TimeProvider clock)
{
    /// <summary>Fields of event data that can hold personal data; no KPI reads them (../shared/kpis.md).</summary>
    private static readonly string[] PersonalEventFields = ["pageUrl", "userAgent", "url", "title", "name", "notes", "tags"];

    /// <summary>Runs inside the caller's transaction; file bytes in a folder are removed after it commits.</summary>
    public async Task<(ErasureCounts Counts, IReadOnlyList<Guid> FileIds)> EraseAsync(IReadOnlyCollection<Guid> conversationIds, CancellationToken ct)
    {
        var ids = conversationIds.ToList();
        var fileIds = await db.SharedFiles.Where(f => ids.Contains(f.ConversationId)).Select(f => f.Id).ToListAsync(ct);
        var messages = await db.Messages.Where(m => ids.Contains(m.ConversationId)).ExecuteDeleteAsync(ct);
        var deletedFiles = await db.SharedFiles.Where(f => ids.Contains(f.ConversationId)).ExecuteDeleteAsync(ct);
        await db.RemoteRelay.Where(r => db.RemoteSessions.Any(s => s.Id == r.SessionId && ids.Contains(s.ConversationId))).ExecuteDeleteAsync(ct);
        await db.PageViews.Where(p => ids.Contains(p.ConversationId)).ExecuteDeleteAsync(ct);
        await db.ConversationNotes.Where(n => ids.Contains(n.ConversationId)).ExecuteDeleteAsync(ct);
        await db.OfflineMessages.Where(o => o.ConversationId != null && ids.Contains(o.ConversationId.Value)).ExecuteDeleteAsync(ct);
        // Two statements, each served by an index of 0022 (one OR of both would scan the whole outbox).
        var eventIds = db.Events.Where(e => e.ConversationId != null && ids.Contains(e.ConversationId.Value)).Select(e => (long?)e.Id);
        var outbox = await db.Outbox.Where(o => eventIds.Contains(o.EventId)).ExecuteDeleteAsync(ct)
            + await db.Outbox.Where(o => o.ConversationId != null && ids.Contains(o.ConversationId.Value)).ExecuteDeleteAsync(ct);
        await db.Surveys.Where(s => ids.Contains(s.ConversationId) && s.Comment != null).ExecuteUpdateAsync(s => s.SetProperty(x => x.Comment, (string?)null), ct);
        var now = clock.UtcNowForStorage();
        var conversations = await db.Conversations.Where(c => ids.Contains(c.Id)).ExecuteUpdateAsync(c => c
            .SetProperty(x => x.VisitorName, "")
            .SetProperty(x => x.VisitorEmail, (string?)null)
            .SetProperty(x => x.PageUrl, (string?)null)
            .SetProperty(x => x.PageTitle, (string?)null)
            .SetProperty(x => x.UserAgent, (string?)null)
            .SetProperty(x => x.WrapUpNotes, (string?)null)
            .SetProperty(x => x.Tags, new List<string>())
            .SetProperty(x => x.RedactedAt, now), ct);

        // The one rewrite the event log allows (see migration 0017): personal fields out, everything else as it was.
        await db.Database.ExecuteSqlRawAsync("SET LOCAL chatdesk.redaction = 'on'", ct);
        await db.Database.ExecuteSqlInterpolatedAsync($$"""
            UPDATE events SET data = (data - {{PersonalEventFields}}::text[]) || '{"redacted": true}'::jsonb
            WHERE conversation_id = ANY({{ids}}) AND data ?| {{PersonalEventFields}}::text[]
            """, ct);
        await db.Database.ExecuteSqlRawAsync("SET LOCAL chatdesk.redaction = 'off'", ct);
        return (new ErasureCounts(conversations, messages, deletedFiles, outbox), fileIds);
    }

    /// <summary>After the commit: the bytes of erased files kept outside the database.</summary>
    public async Task DeleteFileBytesAsync(IReadOnlyList<Guid> fileIds)
    {
        foreach (var id in fileIds)
            await files.DeleteAsync(id);
    }
}
