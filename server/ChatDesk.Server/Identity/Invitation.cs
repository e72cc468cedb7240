using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace ChatDesk.Server.Identity;

/// <summary>
/// A single-use link for a new account to set its own password. Only a hash of the token is kept, so a
/// copy of the database does not hold working links.
/// </summary>
public sealed class Invitation
{
    public Guid Id { get; set; }
    public required string UserId { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ExpiresAt { get; set; }
    public DateTimeOffset? UsedAt { get; set; }
    public string? CreatedBy { get; set; }

    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    public static string NewToken() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public bool IsUsable(DateTimeOffset now) => UsedAt is null && ExpiresAt > now;
}
