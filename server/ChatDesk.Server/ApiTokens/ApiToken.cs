using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace ChatDesk.Server.ApiTokens;

/// <summary>
/// A named, scoped, revocable credential an admin hands to an integration. Only a hash of the secret is kept:
/// a copy of the database holds no working token, and the secret is shown once, when it is created.
/// </summary>
public sealed class ApiToken
{
    /// <summary>Every token starts with this, so secret scanners (and people) recognise a leaked one.</summary>
    public const string Prefix = "cdk_";

    /// <summary>Long enough for any token this class makes (prefix + 43 characters); anything longer is not one.</summary>
    public const int MaxLength = 64;

    public const int MaxName = 100;

    public Guid Id { get; set; }
    public required string Name { get; set; }
    public List<string> Scopes { get; set; } = [];
    public required byte[] TokenHash { get; set; }

    /// <summary>The admin who created it; the token acts with its scopes only, never with this person's roles.</summary>
    public required string OwnerId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? ExpiresAt { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
    public DateTimeOffset? RevokedAt { get; set; }
    public string? RevokedBy { get; set; }

    /// <summary>256 random bits, URL-safe: a hash lookup is enough, no slow password hash is needed.</summary>
    public static string NewSecret() => Prefix + WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    public static bool LooksLikeOne(string? value) =>
        value is { Length: > 4 and <= MaxLength } && value.StartsWith(Prefix, StringComparison.Ordinal);

    public bool IsUsable(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
