using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using ChatDesk.Server.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ChatDesk.Server.Identity;

public sealed record VisitorIdentity(Guid VisitorId, Guid SiteId)
{
    public const string VisitorIdClaim = "chatdesk:visitor_id";
    public const string SiteIdClaim = "chatdesk:site_id";

    public static VisitorIdentity From(ClaimsPrincipal? user) => new(
        Guid.Parse(user?.FindFirst(VisitorIdClaim)?.Value ?? throw new InvalidOperationException("Not a visitor.")),
        Guid.Parse(user.FindFirst(SiteIdClaim)!.Value));
}

public enum VisitorTokenStatus { Valid, Forged, Expired }

/// <summary>
/// Signed visitor tokens: "payload.signature", HMAC-SHA256 over the payload with a key every
/// server node shares (kept in PostgreSQL), with an expiry checked against the injected clock.
/// </summary>
public sealed class VisitorTokenService(TimeProvider clock, IConfiguration configuration)
{
    private const string SecretName = "visitor_token_key";
    private byte[]? key;

    public TimeSpan Lifetime => TimeSpan.FromDays(configuration.GetValue("ChatDesk:VisitorTokenDays", 30));

    public async Task LoadKeyAsync(ChatDeskDbContext db, CancellationToken cancellationToken = default)
    {
        await db.Database.ExecuteSqlInterpolatedAsync(
            $"INSERT INTO server_secrets (name, value) VALUES ({SecretName}, {RandomNumberGenerator.GetBytes(32)}) ON CONFLICT (name) DO NOTHING",
            cancellationToken);
        UseKey((await db.ServerSecrets.AsNoTracking().SingleAsync(s => s.Name == SecretName, cancellationToken)).Value);
    }

    public void UseKey(byte[] signingKey) =>
        key = signingKey.Length >= 32 ? signingKey : throw new ArgumentException("The signing key needs at least 32 bytes.", nameof(signingKey));

    public string Issue(VisitorIdentity visitor)
    {
        var payload = JsonSerializer.SerializeToUtf8Bytes(new TokenPayload(visitor.VisitorId, visitor.SiteId, (clock.UtcNowForStorage() + Lifetime).ToUnixTimeSeconds()));
        return $"{WebEncoders.Base64UrlEncode(payload)}.{WebEncoders.Base64UrlEncode(Sign(payload))}";
    }

    public (VisitorTokenStatus Status, VisitorIdentity? Visitor) Validate(string? token)
    {
        var parts = token?.Split('.');
        if (parts is not { Length: 2 })
            return (VisitorTokenStatus.Forged, null);
        try
        {
            var payload = WebEncoders.Base64UrlDecode(parts[0]);
            if (!CryptographicOperations.FixedTimeEquals(Sign(payload), WebEncoders.Base64UrlDecode(parts[1])))
                return (VisitorTokenStatus.Forged, null);
            var data = JsonSerializer.Deserialize<TokenPayload>(payload)!;
            if (DateTimeOffset.FromUnixTimeSeconds(data.E) <= clock.UtcNowForStorage())
                return (VisitorTokenStatus.Expired, null);
            return (VisitorTokenStatus.Valid, new VisitorIdentity(data.V, data.S));
        }
        catch (FormatException)
        {
            return (VisitorTokenStatus.Forged, null);
        }
        catch (JsonException)
        {
            return (VisitorTokenStatus.Forged, null);
        }
    }

    private byte[] Sign(byte[] payload) =>
        HMACSHA256.HashData(key ?? throw new InvalidOperationException("Visitor token key not loaded."), payload);

    private sealed record TokenPayload(Guid V, Guid S, long E);
}

/// <summary>Authenticates the visitor hub from the token (Authorization: Bearer, or access_token for WebSockets).</summary>
public sealed class VisitorAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, VisitorTokenService tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Visitor";
    public const string Policy = "Visitor";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? token = Request.Query["access_token"];
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            token = header["Bearer ".Length..].Trim();
        if (string.IsNullOrEmpty(token))
            return Task.FromResult(AuthenticateResult.NoResult());

        var (status, visitor) = tokens.Validate(token);
        if (status != VisitorTokenStatus.Valid)
            return Task.FromResult(AuthenticateResult.Fail(status == VisitorTokenStatus.Expired ? "Visitor token expired." : "Visitor token is not valid."));

        var identity = new ClaimsIdentity(
            [new Claim(VisitorIdentity.VisitorIdClaim, visitor!.VisitorId.ToString()), new Claim(VisitorIdentity.SiteIdClaim, visitor.SiteId.ToString())],
            SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

public static class OperatorAuthorization
{
    public const string Policy = "Operator";
}
