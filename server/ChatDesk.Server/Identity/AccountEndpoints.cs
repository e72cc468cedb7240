using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Identity;

public sealed record InvitationDto(string Email, string DisplayName, DateTimeOffset ExpiresAt);

public sealed record InvitationLookupRequest(string? Token);

public sealed record AcceptInvitationRequest(string? Token, string? Password, string? DisplayName);

public sealed record UpdateMeRequest(string? DisplayName, string? Language);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>Everyone's own account (display name, language, password) and accepting an invitation.</summary>
public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder app)
    {
        var anonymous = app.MapGroup("/api/auth/invitations").AddEndpointFilter<AntiforgeryFilter>();
        // The token travels in the body, never in a URL that access logs and proxies would keep.
        anonymous.MapPost("/lookup", async (InvitationLookupRequest request, HttpContext context, ChatDeskDbContext db, TimeProvider clock, CancellationToken ct) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var found = await FindUsableAsync(db, request.Token, clock, ct);
            return found is { } f ? Results.Ok(new InvitationDto(f.User.Email!, f.User.DisplayName, f.Invitation.ExpiresAt)) : InvitationGone();
        });
        anonymous.MapPost("/accept", AcceptAsync);

        var own = app.MapGroup("/api/auth").RequireAuthorization().AddEndpointFilter<AntiforgeryFilter>();
        own.MapPut("/me", UpdateMeAsync);
        own.MapPost("/password", ChangePasswordAsync);
        return app;
    }

    private static async Task<IResult> AcceptAsync(
        AcceptInvitationRequest request, ChatDeskDbContext db, UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn,
        EventLog events, TimeProvider clock, CancellationToken ct)
    {
        if (await FindUsableAsync(db, request.Token, clock, ct) is not { } found)
            return InvitationGone();
        var errors = new FieldErrors();
        var displayName = string.IsNullOrWhiteSpace(request.DisplayName) ? found.User.DisplayName : PersonRules.DisplayName(request.DisplayName, errors);
        if (string.IsNullOrEmpty(request.Password))
            errors.Add("password", "Choose a password.");
        else if (request.Password.Length > 256)
            errors.Add("password", "A password has at most 256 characters.");
        if (errors.Any)
            return errors.ToResult();

        var (invitation, user) = found;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Claim the link first: of two tabs accepting at once, one wins.
        var claimed = await db.Invitations.Where(i => i.Id == invitation.Id && i.UsedAt == null)
            .ExecuteUpdateAsync(i => i.SetProperty(x => x.UsedAt, clock.UtcNowForStorage()), ct);
        if (claimed == 0)
            return InvitationGone();
        var before = user.DisplayName;
        user.DisplayName = displayName!;
        user.EmailConfirmed = true;
        var added = await users.AddPasswordAsync(user, request.Password!);
        if (!added.Succeeded)
            return PeopleEndpoints.IdentityProblem(added, "password");
        events.AppendAdminEvent(db, AdminEventTypes.InvitationAccepted, user.Id, PeopleEndpoints.Target(user),
            new { displayName = before }, new { displayName = user.DisplayName });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        await signIn.SignInAsync(user, isPersistent: true);
        return Results.Ok(await AuthEndpoints.ToMeAsync(user, users));
    }

    private static async Task<IResult> UpdateMeAsync(
        UpdateMeRequest request, HttpContext context, ChatDeskDbContext db, UserManager<ApplicationUser> users, EventLog events, CancellationToken ct)
    {
        var user = await users.GetUserAsync(context.User);
        if (user is null)
            return Results.Unauthorized();
        var errors = new FieldErrors();
        var displayName = PersonRules.DisplayName(request.DisplayName, errors);
        var language = PersonRules.Language(request.Language, errors);
        if (errors.Any)
            return errors.ToResult();
        var before = new { displayName = user.DisplayName, language = user.Language };
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Only these columns: presence writes the others at any moment.
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisplayName, displayName!).SetProperty(x => x.Language, language), ct);
        (user.DisplayName, user.Language) = (displayName!, language);
        events.AppendAdminEvent(db, AdminEventTypes.ProfileUpdated, user.Id, PeopleEndpoints.Target(user), before, new { displayName, language });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Results.Ok(await AuthEndpoints.ToMeAsync(user, users));
    }

    private static async Task<IResult> ChangePasswordAsync(
        ChangePasswordRequest request, HttpContext context, ChatDeskDbContext db, UserManager<ApplicationUser> users,
        SignInManager<ApplicationUser> signIn, EventLog events, AccountSessions sessions, CancellationToken ct)
    {
        var user = await users.GetUserAsync(context.User);
        if (user is null)
            return Results.Unauthorized();
        var errors = new FieldErrors();
        if (string.IsNullOrEmpty(request.CurrentPassword) || request.CurrentPassword.Length > 256)
            errors.Add("currentPassword", "Enter your current password.");
        if (string.IsNullOrEmpty(request.NewPassword) || request.NewPassword.Length > 256)
            errors.Add("newPassword", "Choose a new password.");
        if (errors.Any)
            return errors.ToResult();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var changed = await users.ChangePasswordAsync(user, request.CurrentPassword!, request.NewPassword!);
        if (!changed.Succeeded)
        {
            var fieldErrors = new FieldErrors();
            foreach (var error in changed.Errors)
                fieldErrors.Add(error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "currentPassword" : "newPassword",
                    error.Code == nameof(IdentityErrorDescriber.PasswordMismatch) ? "This is not your current password." : error.Description);
            return fieldErrors.ToResult();
        }
        events.AppendAdminEvent(db, AdminEventTypes.PasswordChanged, user.Id, PeopleEndpoints.Target(user), null, null);
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        // The new security stamp refuses every other session's cookie; this one gets a fresh cookie, and the
        // console's hub connections reconnect with it.
        await signIn.RefreshSignInAsync(user);
        await sessions.EndAsync(user.Id);
        return Results.NoContent();
    }

    private static async Task<(Invitation Invitation, ApplicationUser User)?> FindUsableAsync(
        ChatDeskDbContext db, string? token, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
            return null;
        var hash = Invitation.Hash(token);
        var invitation = await db.Invitations.SingleOrDefaultAsync(i => i.TokenHash == hash, ct);
        if (invitation is null || !invitation.IsUsable(clock.UtcNowForStorage()))
            return null;
        var user = await db.Users.SingleAsync(u => u.Id == invitation.UserId, ct);
        return user.DisabledAt is null && user.PasswordHash is null ? (invitation, user) : null;
    }

    private static IResult InvitationGone() => Results.Problem(title: "Invitation not valid",
        detail: "This invitation link was already used, has expired or was replaced. Ask your admin for a new one.", statusCode: StatusCodes.Status404NotFound);
}
