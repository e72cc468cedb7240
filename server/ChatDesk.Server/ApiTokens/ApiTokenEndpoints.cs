using System.Security.Claims;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.ApiTokens;

public sealed record CreateApiTokenRequest(string? Name, IReadOnlyList<string>? Scopes, DateTimeOffset? ExpiresAt);

public sealed record ApiTokenDto(
    Guid Id, string Name, IReadOnlyList<string> Scopes, string CreatedById, string? CreatedByName, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt, bool Usable);

/// <param name="Token">The secret, shown this once: only its hash is kept.</param>
public sealed record CreatedApiToken(ApiTokenDto ApiToken, string Token);

/// <summary>Admins create, list and revoke API tokens. Tokens themselves cannot reach these endpoints (no scope grants it).</summary>
public static class ApiTokenEndpoints
{
    public const int MaxTokens = 500;

    public static IEndpointRouteBuilder MapApiTokens(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/tokens")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .AddEndpointFilter<AntiforgeryFilter>()
            .WithTags("API tokens");

        group.MapGet("", ListAsync).WithName("ListApiTokens").WithSummary("Every API token, newest first (never the secret).");
        group.MapGet("/scopes", () => ApiScopes.All).WithName("ListApiTokenScopes").WithSummary("The scopes a token can be given.");
        group.MapPost("", CreateAsync).WithName("CreateApiToken")
            .WithSummary("Creates a token; the answer carries its secret, shown this once.")
            .Produces<CreatedApiToken>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapPost("/{id:guid}/revoke", RevokeAsync).WithName("RevokeApiToken")
            .WithSummary("Revokes a token: refused from the next request on, on every node.")
            .Produces<ApiTokenDto>().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<List<ApiTokenDto>> ListAsync(ChatDeskDbContext db, TimeProvider clock, CancellationToken ct)
    {
        var tokens = await db.ApiTokens.AsNoTracking().OrderByDescending(t => t.CreatedAt).ThenByDescending(t => t.Id).Take(MaxTokens).ToListAsync(ct);
        var ownerIds = tokens.Select(t => t.OwnerId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => ownerIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
        var now = clock.GetUtcNow();
        return tokens.Select(t => t.ToDto(names.GetValueOrDefault(t.OwnerId), now)).ToList();
    }

    private static async Task<IResult> CreateAsync(
        CreateApiTokenRequest request, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.UtcNowForStorage();
        var errors = new FieldErrors();
        var name = request.Name?.Trim() ?? "";
        if (name.Length is 0 or > ApiToken.MaxName)
            errors.Add("name", $"A name has 1 to {ApiToken.MaxName} characters.");
        var scopes = (request.Scopes ?? []).Select(s => s?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        if (scopes.Count == 0)
            errors.Add("scopes", "Give at least one scope.");
        else if (scopes.FirstOrDefault(s => !ApiScopes.All.Contains(s)) is { } unknown)
            errors.Add("scopes", $"Unknown scope '{(unknown.Length > 40 ? unknown[..40] : unknown)}': the scopes are {string.Join(", ", ApiScopes.All)}.");
        if (request.ExpiresAt is { } expires && expires <= now)
            errors.Add("expiresAt", "The expiry must be in the future.");
        if (errors.Any)
            return errors.ToResult();

        var secret = ApiToken.NewSecret();
        var token = new ApiToken
        {
            Id = Guid.CreateVersion7(now), Name = name, Scopes = [.. scopes.Order(StringComparer.Ordinal)], TokenHash = ApiToken.Hash(secret),
            OwnerId = principal.ActorId()!, CreatedAt = now, ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
        };
        db.ApiTokens.Add(token);
        events.AppendAdminEvent(db, AdminEventTypes.TokenCreated, principal.ActorId(), Target(token), before: null,
            after: new { name = token.Name, scopes = token.Scopes, expiresAt = token.ExpiresAt });
        await db.SaveChangesAsync(ct);
        var owner = await db.Users.AsNoTracking().Where(u => u.Id == token.OwnerId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        return Results.Created($"/api/admin/tokens/{token.Id}", new CreatedApiToken(token.ToDto(owner, now), secret));
    }

    private static async Task<IResult> RevokeAsync(Guid id, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.UtcNowForStorage();
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var token = await db.ApiTokens.FromSql($"SELECT * FROM api_tokens WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
        if (token is null)
            return Results.Problem(title: "Unknown token", statusCode: StatusCodes.Status404NotFound);
        if (token.RevokedAt is null)
        {
            token.RevokedAt = now;
            token.RevokedBy = principal.ActorId();
            events.AppendAdminEvent(db, AdminEventTypes.TokenRevoked, principal.ActorId(), Target(token), new { revoked = false }, new { revoked = true });
            await db.SaveChangesAsync(ct);
        }
        await transaction.CommitAsync(ct);
        var owner = await db.Users.AsNoTracking().Where(u => u.Id == token.OwnerId).Select(u => u.DisplayName).SingleOrDefaultAsync(ct);
        return Results.Ok(token.ToDto(owner, now));
    }

    private static AuditTarget Target(ApiToken token) => new("token", token.Id.ToString(), token.Name);

    public static ApiTokenDto ToDto(this ApiToken token, string? ownerName, DateTimeOffset now) =>
        new(token.Id, token.Name, token.Scopes, token.OwnerId, ownerName, token.CreatedAt, token.ExpiresAt, token.LastUsedAt, token.RevokedAt, token.IsUsable(now));
}
