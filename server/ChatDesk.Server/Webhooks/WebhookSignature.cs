using System.Security.Cryptography;
using System.Text;

namespace ChatDesk.Server.Webhooks;

/// <summary>
/// How a webhook request is signed (docs/webhooks.md): <c>v1=</c> and the lower-case hex HMAC-SHA256, keyed with the
/// subscription's secret (its UTF-8 bytes), of <c>{timestamp}.{body}</c>, where timestamp is the Unix seconds sent in
/// <see cref="TimestampHeader"/>. Signing the timestamp lets a receiver refuse an old request replayed to it.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "ChatDesk-Webhook-Id";
    public const string TimestampHeader = "ChatDesk-Webhook-Timestamp";
    public const string SignatureHeader = "ChatDesk-Webhook-Signature";
    public const string AttemptHeader = "ChatDesk-Webhook-Attempt";
    public const string SecretPrefix = "whsec_";

    public static string NewSecret() => SecretPrefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Sign(string secret, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{timestamp}.");
        var signed = new byte[prefix.Length + body.Length];
        prefix.CopyTo(signed, 0);
        body.CopyTo(signed.AsSpan(prefix.Length));
        return "v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    /// <summary>What a receiver does: recompute and compare in constant time.</summary>
    public static bool Verify(string secret, long timestamp, ReadOnlySpan<byte> body, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));

    /// <summary>Enough of a secret for an admin to tell two apart, never enough to use it.</summary>
    public static string Hint(string secret) => secret.Length > SecretPrefix.Length + 4 ? $"{SecretPrefix}…{secret[^4..]}" : SecretPrefix + "…";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
