using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Routing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Identity;

/// <param name="Version">A fingerprint of the editable fields: an update naming an older one is refused.</param>
public sealed record PersonDto(
    string Id, string Email, string DisplayName, IReadOnlyList<string> Roles, string Language, bool Disabled, bool InvitationPending,
    string Status, string Version);

public sealed record CreatePersonRequest(string? Email, string? DisplayName, IReadOnlyList<string>? Roles, string? Language, string? Password);

public sealed record CreatedPerson(PersonDto Person, string? InvitationUrl, DateTimeOffset? InvitationExpiresAt);

public sealed record UpdatePersonRequest(string? DisplayName, IReadOnlyList<string>? Roles, string? Language, string? Version);

public sealed record InvitationLink(string InvitationUrl, DateTimeOffset InvitationExpiresAt);

/// <summary>The checks every account's fields pass, whoever edits them.</summary>
public static class PersonRules
{
    public const int MaxDisplayName = 100;
    public static readonly string[] Languages = ["en", "fr"];

    public static string? DisplayName(string? value, FieldErrors errors, string field = "displayName")
    {
        var name = value?.Trim() ?? "";
        if (name.Length is 0 or > MaxDisplayName)
        {
            errors.Add(field, $"A display name has 1 to {MaxDisplayName} characters.");
            return null;
        }
        return name;
    }

    public static string Language(string? value, FieldErrors errors)
    {
        var language = string.IsNullOrWhiteSpace(value) ? "en" : value.Trim().ToLowerInvariant();
        if (!Languages.Contains(language))
            errors.Add("language", "The language is en or fr.");
        return language;
    }

    public static List<string> RoleList(IReadOnlyList<string>? values, FieldErrors errors)
    {
        var roles = (values ?? []).Select(Roles.Canonical).ToList();
        if (roles.Count == 0)
            errors.Add("roles", "Give at least one role: Operator, Manager or Admin.");
        else if (roles.Any(r => r is null))
            errors.Add("roles", "A role is Operator, Manager or Admin.");
        return roles.OfType<string>().Distinct().ToList();
    }

    public static string? Email(string? value, FieldErrors errors)
    {
        var email = value?.Trim() ?? "";
        if (email.Length is 0 or > 254 || !new EmailAddressAttribute().IsValid(email) || email.Contains(' '))
        {
            errors.Add("email", "Enter a valid e-mail address.");
            return null;
        }
        return email;
    }
}

/// <summary>Admins list, create or invite, edit, disable and enable the people who use the console.</summary>
public static class PeopleEndpoints
{
    public static IEndpointRouteBuilder MapPeople(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/people")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .AddEndpointFilter<AntiforgeryFilter>();

        group.MapGet("", async (string? search, ChatDeskDbContext db, CancellationToken ct) =>
        {
            var query = db.Users.AsNoTracking();
            if (!string.IsNullOrWhiteSpace(search))
            {
                var pattern = $"%{EscapeLike(search.Trim()[..Math.Min(search.Trim().Length, 100)])}%";
                query = query.Where(u => EF.Functions.ILike(u.Email!, pattern, "\\") || EF.Functions.ILike(u.DisplayName, pattern, "\\"));
            }
            var people = await query.OrderBy(u => u.DisplayName).ThenBy(u => u.Email).Take(500).ToListAsync(ct);
            var roles = await RolesOfAsync(db, people.Select(p => p.Id).ToList(), ct);
            return people.Select(p => p.ToPersonDto(roles.GetValueOrDefault(p.Id, []))).ToList();
        });

        group.MapPost("", CreateAsync);
        group.MapPut("/{id}", UpdateAsync);
        group.MapPost("/{id}/disable", DisableAsync);
        group.MapPost("/{id}/enable", EnableAsync);
        group.MapPost("/{id}/invitation", NewInvitationAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        CreatePersonRequest request, ClaimsPrincipal principal, HttpContext context, ChatDeskDbContext db, UserManager<ApplicationUser> users,
        EventLog events, TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var email = PersonRules.Email(request.Email, errors);
        var displayName = PersonRules.DisplayName(request.DisplayName, errors);
        var roles = PersonRules.RoleList(request.Roles, errors);
        var language = PersonRules.Language(request.Language, errors);
        var password = string.IsNullOrEmpty(request.Password) ? null : request.Password;
        if (password is { Length: > 256 })
            errors.Add("password", "A password has at most 256 characters.");
        if (errors.Any)
            return errors.ToResult();
        if (await users.FindByEmailAsync(email!) is not null)
            return Results.Problem(title: "E-mail already used", detail: $"Someone already has the e-mail {email}.", statusCode: StatusCodes.Status409Conflict);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // One creation at a time, so two admins adding the same e-mail get a clear 409, not a unique-index failure.
        await OneChangeAtATimeAsync(db, ct);
        if (await users.FindByEmailAsync(email!) is not null)
            return Results.Problem(title: "E-mail already used", detail: $"Someone already has the e-mail {email}.", statusCode: StatusCodes.Status409Conflict);
        var user = new ApplicationUser { UserName = email, Email = email, DisplayName = displayName!, Language = language, EmailConfirmed = password is not null };
        var created = password is null ? await users.CreateAsync(user) : await users.CreateAsync(user, password);
        if (!created.Succeeded)
            return IdentityProblem(created, "password");
        await users.AddToRolesAsync(user, roles);

        string? link = null;
        DateTimeOffset? expires = null;
        if (password is null)
            (link, expires) = AddInvitation(db, user.Id, principal.ActorId(), clock, PublicUrl.Of(context));
        events.AppendAdminEvent(db, password is null ? AdminEventTypes.PersonInvited : AdminEventTypes.PersonCreated, principal.ActorId(),
            Target(user), before: null, after: Snapshot(user, roles));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Results.Created($"/api/admin/people/{user.Id}", new CreatedPerson(user.ToPersonDto(roles), link, expires));
    }

    private static async Task<IResult> UpdateAsync(
        string id, UpdatePersonRequest request, ClaimsPrincipal principal, ChatDeskDbContext db,
        EventLog events, RoutingService routing, AccountSessions sessions, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var displayName = PersonRules.DisplayName(request.DisplayName, errors);
        var roles = PersonRules.RoleList(request.Roles, errors);
        var language = PersonRules.Language(request.Language, errors);
        if (errors.Any)
            return errors.ToResult();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await LockPersonAsync(db, id, ct) is not { } user)
            return UnknownPerson();
        var before = (await RolesOfAsync(db, [id], ct)).GetValueOrDefault(id, []);
        if (request.Version != user.ToPersonDto(before).Version)
            return Stale();
        if (before.Contains(Roles.Admin) && !roles.Contains(Roles.Admin))
        {
            if (id == principal.ActorId())
                return new FieldErrors().Add("roles", "You cannot remove your own Admin role.").ToResult();
            if (!await AnotherEnabledAdminAsync(db, id, ct))
                return new FieldErrors().Add("roles", "ChatDesk needs at least one enabled admin.").ToResult();
        }

        var snapshotBefore = Snapshot(user, before);
        // Only the columns an admin edits: presence writes the others at any moment.
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisplayName, displayName!).SetProperty(x => x.Language, language), ct);
        (user.DisplayName, user.Language) = (displayName!, language);
        var roleIds = await db.Roles.ToDictionaryAsync(r => r.Name!, r => r.Id, ct);
        var removed = before.Except(roles).ToList();
        var removedIds = removed.Select(r => roleIds[r]).ToList();
        await db.UserRoles.Where(r => r.UserId == id && removedIds.Contains(r.RoleId)).ExecuteDeleteAsync(ct);
        db.UserRoles.AddRange(roles.Except(before).Select(r => new IdentityUserRole<string> { UserId = id, RoleId = roleIds[r] }));
        events.AppendAdminEvent(db, AdminEventTypes.PersonUpdated, principal.ActorId(), Target(user), snapshotBefore, Snapshot(user, roles));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        if (removed.Count > 0)
        {
            // A role taken away ends the sessions that used it (console, live board); an ex-operator's chats are requeued.
            if (removed.Contains(Roles.Operator))
                await routing.GoOfflineAsync(id, "role_removed", ct);
            await sessions.EndAsync(id);
        }
        return Results.Ok(user.ToPersonDto(roles));
    }

    private static async Task<IResult> DisableAsync(
        string id, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, TimeProvider clock,
        RoutingService routing, AccountSessions sessions, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await LockPersonAsync(db, id, ct) is not { } user)
            return UnknownPerson();
        var roles = (await RolesOfAsync(db, [id], ct)).GetValueOrDefault(id, []);
        if (user.DisabledAt is not null)
            return Results.Ok(user.ToPersonDto(roles));
        if (id == principal.ActorId())
            return Results.Problem(title: "Cannot disable yourself", detail: "Ask another admin to disable your account.", statusCode: StatusCodes.Status400BadRequest);
        if (roles.Contains(Roles.Admin) && !await AnotherEnabledAdminAsync(db, id, ct))
            return Results.Problem(title: "Last admin", detail: "ChatDesk needs at least one enabled admin.", statusCode: StatusCodes.Status400BadRequest);

        user.DisabledAt = clock.UtcNowForStorage();
        // A new security stamp makes every cookie issued to the account fail its next check, on every node.
        await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(u => u
            .SetProperty(x => x.DisabledAt, user.DisabledAt)
            .SetProperty(x => x.SecurityStamp, Guid.NewGuid().ToString("N").ToUpperInvariant()), ct);
        await db.Invitations.Where(i => i.UserId == id && i.UsedAt == null).ExecuteDeleteAsync(ct);
        events.AppendAdminEvent(db, AdminEventTypes.PersonDisabled, principal.ActorId(), Target(user), new { disabled = false }, new { disabled = true });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);

        await sessions.EndAsync(id);
        await routing.GoOfflineAsync(id, "disabled", ct);
        return Results.Ok(user.ToPersonDto(roles));
    }

    private static async Task<IResult> EnableAsync(string id, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (await LockPersonAsync(db, id, ct) is not { } user)
            return UnknownPerson();
        if (user.DisabledAt is not null)
        {
            user.DisabledAt = null;
            await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(u => u.SetProperty(x => x.DisabledAt, (DateTimeOffset?)null), ct);
            events.AppendAdminEvent(db, AdminEventTypes.PersonEnabled, principal.ActorId(), Target(user), new { disabled = true }, new { disabled = false });
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return Results.Ok(user.ToPersonDto((await RolesOfAsync(db, [id], ct)).GetValueOrDefault(id, [])));
    }

    /// <summary>
    /// Admin changes to people run one at a time (they are rare), so two admins disabling or demoting each other
    /// cannot leave ChatDesk without an enabled admin; the person's row is read inside that turn.
    /// </summary>
    private static async Task<ApplicationUser?> LockPersonAsync(ChatDeskDbContext db, string id, CancellationToken ct)
    {
        await OneChangeAtATimeAsync(db, ct);
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == id, ct);
    }

    private static Task OneChangeAtATimeAsync(ChatDeskDbContext db, CancellationToken ct) =>
        db.Database.ExecuteSqlRawAsync("SELECT pg_advisory_xact_lock(hashtext('chatdesk.people'))", ct);

    private static async Task<IResult> NewInvitationAsync(
        string id, ClaimsPrincipal principal, HttpContext context, ChatDeskDbContext db, UserManager<ApplicationUser> users, EventLog events,
        TimeProvider clock, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null)
            return UnknownPerson();
        if (user.PasswordHash is not null)
            return Results.Problem(title: "Already active", detail: "This person has set a password; they can sign in.", statusCode: StatusCodes.Status409Conflict);
        if (user.DisabledAt is not null)
            return Results.Problem(title: "Account disabled", detail: "Enable the account before inviting them again.", statusCode: StatusCodes.Status409Conflict);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Invitations.Where(i => i.UserId == id && i.UsedAt == null).ExecuteDeleteAsync(ct);
        var (link, expires) = AddInvitation(db, id, principal.ActorId(), clock, PublicUrl.Of(context));
        events.AppendAdminEvent(db, AdminEventTypes.PersonInvited, principal.ActorId(), Target(user), null, new { invitationExpiresAt = expires });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Results.Ok(new InvitationLink(link, expires));
    }

    private static (string Link, DateTimeOffset Expires) AddInvitation(ChatDeskDbContext db, string userId, string? actorId, TimeProvider clock, string publicUrl)
    {
        var token = Invitation.NewToken();
        var now = clock.UtcNowForStorage();
        var invitation = new Invitation
        {
            Id = Guid.CreateVersion7(now), UserId = userId, TokenHash = Invitation.Hash(token), CreatedAt = now,
            ExpiresAt = now + Invitation.Lifetime, CreatedBy = actorId,
        };
        db.Invitations.Add(invitation);
        // The token travels in the URL's fragment: browsers send it neither to the server's logs nor in a Referer.
        return ($"{publicUrl}/console/#invitation={token}", invitation.ExpiresAt);
    }

    private static async Task<bool> AnotherEnabledAdminAsync(ChatDeskDbContext db, string exceptId, CancellationToken ct)
    {
        var adminRole = await db.Roles.Where(r => r.Name == Roles.Admin).Select(r => r.Id).SingleAsync(ct);
        return await db.Users.AnyAsync(u => u.Id != exceptId && u.DisabledAt == null && db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == adminRole), ct);
    }

    internal static async Task<Dictionary<string, List<string>>> RolesOfAsync(ChatDeskDbContext db, IReadOnlyCollection<string> userIds, CancellationToken ct) =>
        (await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where userIds.Contains(ur.UserId) select new { ur.UserId, r.Name })
            .ToListAsync(ct))
        .GroupBy(x => x.UserId)
        .ToDictionary(g => g.Key, g => g.Select(x => x.Name!).Order(StringComparer.Ordinal).ToList());

    public static PersonDto ToPersonDto(this ApplicationUser user, IEnumerable<string> roles)
    {
        var sorted = roles.Order(StringComparer.Ordinal).ToList();
        return new(user.Id, user.Email!, user.DisplayName, sorted, user.Language, user.DisabledAt is not null, user.PasswordHash is null, user.Status,
            Version(user, sorted));
    }

    /// <summary>A fingerprint of what an admin edits: an update naming another one was made on stale data.</summary>
    private static string Version(ApplicationUser user, IReadOnlyList<string> roles) =>
        Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(
            string.Join('\n', [user.DisplayName, user.Language, user.DisabledAt is null ? "enabled" : "disabled", .. roles]))))[..16];

    internal static AuditTarget Target(ApplicationUser user) => new("person", user.Id, user.Email!);

    private static object Snapshot(ApplicationUser user, IEnumerable<string> roles) =>
        new { email = user.Email, displayName = user.DisplayName, roles = roles.Order(StringComparer.Ordinal).ToList(), language = user.Language };

    /// <summary>Identity's refusals as field errors (password rules on the password field).</summary>
    internal static IResult IdentityProblem(IdentityResult result, string passwordField)
    {
        if (result.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName)))
            return Results.Problem(title: "E-mail already used", statusCode: StatusCodes.Status409Conflict);
        var errors = new FieldErrors();
        foreach (var error in result.Errors)
            errors.Add(error.Code.StartsWith("Password", StringComparison.Ordinal) ? passwordField : error.Code.Contains("Email") ? "email" : passwordField, error.Description);
        return errors.ToResult();
    }

    private static IResult UnknownPerson() => Results.Problem(title: "Unknown person", statusCode: StatusCodes.Status404NotFound);

    internal static IResult Stale() => Results.Problem(title: "Changed by someone else",
        detail: "This was changed since you loaded it. Reload to see the current values, then make your change again.", statusCode: StatusCodes.Status409Conflict);

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
