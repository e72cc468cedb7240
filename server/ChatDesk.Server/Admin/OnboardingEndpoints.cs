using ChatDesk.Server.Data;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Admin;

public sealed record OnboardingStep(string Key, bool Done);

public sealed record OnboardingDto(bool Demo, IReadOnlyList<OnboardingStep> Steps);

/// <summary>
/// The first admin's checklist on a fresh install, read from what exists: each step ticks itself once done.
/// </summary>
public static class OnboardingEndpoints
{
    public static IEndpointRouteBuilder MapOnboarding(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/onboarding", async (ChatDeskDbContext db, IConfiguration configuration, CancellationToken ct) =>
            {
                var operatorRole = await db.Roles.Where(r => r.Name == Roles.Operator).Select(r => r.Id).SingleAsync(ct);
                OnboardingStep[] steps =
                [
                    new("site", await db.Sites.AnyAsync(ct)),
                    new("topic", await db.SiteTopics.AnyAsync(ct)),
                    new("operator", await db.UserRoles.AnyAsync(r => r.RoleId == operatorRole, ct)),
                    // A visitor exists once the widget opened a session from one of the site's origins: the snippet is in place.
                    new("snippet", await db.Visitors.AnyAsync(ct)),
                    new("testChat", await db.Conversations.AnyAsync(ct)),
                ];
                return Results.Ok(new OnboardingDto(configuration.GetValue("ChatDesk:Demo:Enabled", false), steps));
            })
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin));
        return app;
    }
}
