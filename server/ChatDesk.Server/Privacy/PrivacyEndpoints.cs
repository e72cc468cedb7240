using System.Net.Mail;
using System.Security.Claims;
using System.Text.Json;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Privacy;

public sealed record VisitorMatch(
    Guid VisitorId, string SiteKey, IReadOnlyList<string> Names, IReadOnlyList<string> Emails, int Conversations, DateTimeOffset FirstSeen, DateTimeOffset LastSeen);

/// <summary>
/// A visitor's rights (GDPR articles 15 and 17): find them by e-mail or id, export what ChatDesk keeps about
/// them as JSON, or erase it. Both are audited; an erasure keeps the KPI facts, anonymised.
/// </summary>
public static class PrivacyEndpoints
{
    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static IServiceCollection AddPrivacy(this IServiceCollection services)
    {
        services.AddScoped<PersonalDataEraser>();
        services.AddScoped<RetentionService>();
        services.AddHostedService<RetentionSweeper>();
        return services;
    }

    public static IEndpointRouteBuilder MapPrivacy(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/privacy/visitors")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .AddEndpointFilter<AntiforgeryFilter>();

        group.MapGet("", async (string? email, Guid? visitorId, ChatDeskDbContext db, CancellationToken ct) =>
        {
            var address = email?.Trim();
            if (visitorId is null && (string.IsNullOrEmpty(address) || address.Length > 254 || !MailAddress.TryCreate(address, out _)))
                return new FieldErrors().Add("email", "Enter the visitor's e-mail address (or their visitor id).").ToResult("Who is it?");
            var ids = visitorId is { } id
                ? [id]
                : await db.Conversations.Where(c => c.VisitorEmail != null && c.VisitorEmail.ToLower() == address!.ToLower()).Select(c => c.VisitorId)
                    .Union(db.OfflineMessages.Where(o => o.Email.ToLower() == address!.ToLower()).Select(o => o.VisitorId))
                    .Distinct().Take(100).ToListAsync(ct);
            var visitors = await (from v in db.Visitors join s in db.Sites on v.SiteId equals s.Id where ids.Contains(v.Id) select new { v.Id, v.CreatedAt, s.Key })
                .ToListAsync(ct);
            var conversations = await db.Conversations.AsNoTracking().Where(c => ids.Contains(c.VisitorId))
                .Select(c => new { c.VisitorId, c.VisitorName, c.VisitorEmail, c.RequestedAt }).ToListAsync(ct);
            return Results.Ok(visitors.Select(v =>
            {
                var own = conversations.Where(c => c.VisitorId == v.Id).ToList();
                return new VisitorMatch(v.Id, v.Key, own.Select(c => c.VisitorName).Where(n => n.Length > 0).Distinct().ToList(),
                    own.Select(c => c.VisitorEmail).OfType<string>().Distinct().ToList(), own.Count, v.CreatedAt,
                    own.Count > 0 ? own.Max(c => c.RequestedAt) : v.CreatedAt);
            }).ToList());
        });

        group.MapGet("/{visitorId:guid}/export", ExportAsync);
        group.MapPost("/{visitorId:guid}/erase", EraseAsync);
        return app;
    }

    private static async Task<IResult> ExportAsync(Guid visitorId, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, TimeProvider clock, CancellationToken ct)
    {
        var visitor = await db.Visitors.AsNoTracking().SingleOrDefaultAsync(v => v.Id == visitorId, ct);
        if (visitor is null)
            return UnknownVisitor();
        var site = await db.Sites.AsNoTracking().Where(s => s.Id == visitor.SiteId).Select(s => s.Key).SingleAsync(ct);
        var conversations = await db.Conversations.AsNoTracking().Where(c => c.VisitorId == visitorId).OrderBy(c => c.RequestedAt).ToListAsync(ct);
        var ids = conversations.Select(c => c.Id).ToList();
        var messages = await db.Messages.AsNoTracking().Where(m => ids.Contains(m.ConversationId)).OrderBy(m => m.Sequence).ToListAsync(ct);
        var pages = await db.PageViews.AsNoTracking().Where(p => ids.Contains(p.ConversationId)).OrderBy(p => p.ViewedAt).ToListAsync(ct);
        var surveys = await db.Surveys.AsNoTracking().Where(s => ids.Contains(s.ConversationId)).ToListAsync(ct);
        var offline = await db.OfflineMessages.AsNoTracking().Where(o => o.VisitorId == visitorId).OrderBy(o => o.CreatedAt).ToListAsync(ct);

        var export = new
        {
            visitorId, site, firstSeen = visitor.CreatedAt, exportedAt = clock.UtcNowForStorage(),
            conversations = conversations.Select(c => new
            {
                id = c.Id, c.RequestedAt, c.EndedAt, c.Status, c.TopicKey, name = c.VisitorName, email = c.VisitorEmail, c.PageUrl, c.PageTitle, c.Language,
                c.TimeZone, c.UserAgent, erasedAt = c.RedactedAt,
                messages = messages.Where(m => m.ConversationId == c.Id).Select(m => new
                {
                    m.Sequence, m.AuthorKind, m.AuthorName, m.Text, m.SentAt, file = m.File is null ? null : new { m.File.Name, m.File.ContentType, m.File.Size },
                }),
                pagesVisited = pages.Where(p => p.ConversationId == c.Id).Select(p => new { p.Url, p.Title, p.ViewedAt }),
                survey = surveys.Where(s => s.ConversationId == c.Id).Select(s => new { s.Csat, s.Nps, s.Ces, s.Resolved, s.Comment, s.SubmittedAt }).FirstOrDefault(),
            }),
            offlineMessages = offline.Select(o => new { o.Name, o.Email, o.Text, o.TopicKey, o.CreatedAt }),
        };
        events.AppendAdminEvent(db, AdminEventTypes.VisitorExported, principal.ActorId(), Target(visitorId), null, new { conversations = conversations.Count });
        await db.SaveChangesAsync(ct);
        return Results.File(JsonSerializer.SerializeToUtf8Bytes(export, ExportJson), "application/json", $"chatdesk-visitor-{visitorId}.json");
    }

    private static async Task<IResult> EraseAsync(
        Guid visitorId, ClaimsPrincipal principal, ChatDeskDbContext db, PersonalDataEraser eraser, EventLog events, CancellationToken ct)
    {
        if (!await db.Visitors.AnyAsync(v => v.Id == visitorId, ct))
            return UnknownVisitor();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Locked: no chat of theirs starts, ends or gets a wrap-up between this check and the erasure.
        var conversations = await db.Conversations.FromSqlInterpolated($"SELECT * FROM conversations WHERE visitor_id = {visitorId} ORDER BY id FOR UPDATE")
            .AsNoTracking().Select(c => new { c.Id, c.Status }).ToListAsync(ct);
        if (conversations.Any(c => c.Status != Chats.ConversationStatus.Ended))
            return Results.Problem(title: "Chat still open", detail: "The visitor has a chat going on: end it first, then erase.", statusCode: StatusCodes.Status409Conflict);
        var ids = conversations.Select(c => c.Id).ToList();
        var (counts, fileIds) = await eraser.EraseAsync(ids, ct);
        await db.OfflineMessages.Where(o => o.VisitorId == visitorId).ExecuteDeleteAsync(ct);
        // E-mails of theirs outside any conversation (an offline message left before chatting).
        var emails = await db.Outbox.Where(o => o.VisitorId == visitorId).ExecuteDeleteAsync(ct);
        counts = counts with { OutboxRows = counts.OutboxRows + emails };
        events.AppendAdminEvent(db, AdminEventTypes.VisitorErased, principal.ActorId(), Target(visitorId), null, counts);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await eraser.DeleteFileBytesAsync(fileIds);
        return Results.Ok(counts);
    }

    private static AuditTarget Target(Guid visitorId) => new("visitor", visitorId.ToString(), visitorId.ToString());

    private static IResult UnknownVisitor() => Results.Problem(title: "Unknown visitor", statusCode: StatusCodes.Status404NotFound);
}
