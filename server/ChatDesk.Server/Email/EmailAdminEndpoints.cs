using System.Net.Mail;
using System.Security.Claims;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Email;

public sealed record SiteInboxDto(string Key, string Name, string? InboxEmail, string Version);

public sealed record EmailSettingsDto(bool Configured, string? From, IReadOnlyList<SiteInboxDto> Sites);

public sealed record SiteInboxRequest(string? InboxEmail, string? Version);

/// <summary>Admins see whether SMTP is set up and set each site's inbox address (where offline messages are e-mailed).</summary>
public static class EmailAdminEndpoints
{
    public static IEndpointRouteBuilder MapEmailAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/email")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .AddEndpointFilter<AntiforgeryFilter>()
            .WithTags("E-mail");

        group.MapGet("", async (ChatDeskDbContext db, SmtpOptions smtp, CancellationToken ct) =>
            {
                var sites = await db.Sites.AsNoTracking().OrderBy(s => s.Name).ThenBy(s => s.Key).ToListAsync(ct);
                return new EmailSettingsDto(smtp.Configured, smtp.Configured ? smtp.From : null,
                    sites.Select(s => new SiteInboxDto(s.Key, s.Name, s.InboxEmail, s.Version.ToString())).ToList());
            })
            .WithName("EmailSettings").WithSummary("Whether SMTP is configured (ChatDesk:Smtp:*) and each site's inbox address.")
            .Produces<EmailSettingsDto>();

        group.MapPut("/sites/{key}", async (string key, SiteInboxRequest request, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events,
                CancellationToken ct) =>
            {
                var site = await db.Sites.SingleOrDefaultAsync(s => s.Key == key, ct);
                if (site is null)
                    return Results.Problem(title: "Unknown site", statusCode: StatusCodes.Status404NotFound);
                var inbox = request.InboxEmail?.Trim() is { Length: > 0 } value ? value : null;
                if (inbox is not null && (inbox.Length > 254 || !MailAddress.TryCreate(inbox, out _)))
                    return new FieldErrors().Add("inboxEmail", "Use an e-mail address such as support@example.com, or leave it empty.").ToResult();
                if (request.Version != site.Version.ToString())
                    return PeopleEndpoints.Stale();
                var before = new { inboxEmail = site.InboxEmail };
                site.InboxEmail = inbox;
                site.Version++;
                events.AppendAdminEvent(db, AdminEventTypes.SiteUpdated, principal.ActorId(), new AuditTarget("site", site.Key, site.Name), before,
                    new { inboxEmail = inbox });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateConcurrencyException)
                {
                    return PeopleEndpoints.Stale();
                }
                return Results.Ok(new SiteInboxDto(site.Key, site.Name, site.InboxEmail, site.Version.ToString()));
            })
            .WithName("UpdateSiteInbox").WithSummary("Sets the address a site's offline messages are e-mailed to (empty: not e-mailed).")
            .Produces<SiteInboxDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }
}
