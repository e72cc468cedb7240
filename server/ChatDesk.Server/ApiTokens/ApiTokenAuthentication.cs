using System.Security.Claims;
using System.Text.Encodings.Web;
using ChatDesk.Server.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatDesk.Server.ApiTokens;

/// <summary>
/// Authenticates <c>Authorization: Bearer cdk_…</c>. The token's row is read on every request (one indexed
/// lookup by hash), so a revocation, an expiry or the owner's account being disabled takes effect at once on
/// every node: nothing is cached in a node's memory. The secret itself is never logged, only the token's id and name.
/// </summary>
public sealed class ApiTokenAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ChatDeskDbContext db, DatabaseRetry retry, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiToken";

    /// <summary>The default scheme: an API token when the request carries one, the console's cookie otherwise.</summary>
    public const string SelectorScheme = "ChatDesk";

    /// <summary>Last-used times are written at most this often per token, so busy integrations cost reads only.</summary>
    public static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    /// <summary>The presented token, or null when the request carries none (or a visitor's bearer token, which is not ours).</summary>
    public static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer " + ApiToken.Prefix, StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    /// <summary>Which scheme authenticates a request that names none: requests with an API token never fall back to the cookie.</summary>
    public static string SelectScheme(HttpContext context) =>
        Presented(context.Request) is null ? IdentityConstants.ApplicationScheme : SchemeName;

    private sealed record TokenRow(Guid Id, string Name, List<string> Scopes, string OwnerId, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt,
        DateTimeOffset? RevokedAt, bool OwnerDisabled);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = Presented(Request);
        if (secret is null)
            return AuthenticateResult.NoResult();
        if (!ApiToken.LooksLikeOne(secret))
            return AuthenticateResult.Fail("Malformed API token.");

        var hash = ApiToken.Hash(secret);
        var row = await retry.ExecuteAsync(async () => await db.ApiTokens.AsNoTracking()
            .Where(t => t.TokenHash == hash)
            .Select(t => new TokenRow(t.Id, t.Name, t.Scopes, t.OwnerId, t.ExpiresAt, t.LastUsedAt, t.RevokedAt,
                db.Users.Any(u => u.Id == t.OwnerId && u.DisabledAt != null)))
            .SingleOrDefaultAsync(Context.RequestAborted), () => { });
        var now = clock.GetUtcNow();
        if (row is null)
        {
            Logger.LogWarning("Refused an unknown API token on {Method} {Path}", Request.Method, Request.Path);
            return AuthenticateResult.Fail("Unknown API token.");
        }
        var refusal = row.RevokedAt is not null ? "revoked" : row.ExpiresAt <= now ? "expired" : row.OwnerDisabled ? "owner disabled" : null;
        if (refusal is not null)
        {
            Logger.LogWarning("Refused API token {TokenId} ({TokenName}): {Refusal}, on {Method} {Path}", row.Id, row.Name, refusal, Request.Method, Request.Path);
            return AuthenticateResult.Fail($"API token {refusal}.");
        }

        if (row.LastUsedAt is null || now - row.LastUsedAt >= LastUsedResolution)
        {
            var stamp = clock.UtcNowForStorage();
            var staleBefore = stamp - LastUsedResolution;
            // Conditional, so nodes racing on the same token write it once a minute between them.
            await retry.ExecuteAsync(async () => await db.ApiTokens.Where(t => t.Id == row.Id && (t.LastUsedAt == null || t.LastUsedAt <= staleBefore))
                .ExecuteUpdateAsync(t => t.SetProperty(x => x.LastUsedAt, stamp), Context.RequestAborted), () => { });
        }

        Logger.LogInformation("API token {TokenId} ({TokenName}, created by {TokenOwner}) authenticated {Method} {Path}",
            row.Id, row.Name, row.OwnerId, Request.Method, Request.Path);
        Claim[] claims =
        [
            // A name no person has: code that records "who did it" records the token, and per-person filters match nobody.
            new(ClaimTypes.NameIdentifier, $"token:{row.Id}"),
            new(ClaimTypes.Name, row.Name),
            new(ApiScopes.TokenIdClaim, row.Id.ToString()),
            new(ApiScopes.TokenNameClaim, row.Name),
            new(ApiScopes.TokenOwnerClaim, row.OwnerId),
            .. row.Scopes.Select(s => new Claim(ApiScopes.ScopeClaim, s)),
        ];
        var identity = new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, roleType: "chatdesk:no_roles");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer realm=\"ChatDesk\", error=\"invalid_token\"";
        return Task.CompletedTask;
    }
}
