using System.Globalization;
using System.Threading.RateLimiting;

namespace ChatDesk.Server.RateLimits;

/// <summary>
/// What a limited caller reads, in its language: the widget and the console name theirs in the <c>lang</c> query
/// of the hub URL; other clients are answered after their Accept-Language.
/// </summary>
public static class RateLimitTexts
{
    public const string Code = "rate_limited";

    public static string Language(HttpContext? context)
    {
        var requested = context?.Request.Query["lang"].ToString() is { Length: > 0 } lang ? lang : context?.Request.Headers.AcceptLanguage.ToString();
        return requested?.StartsWith("fr", StringComparison.OrdinalIgnoreCase) == true ? "fr" : "en";
    }

    public static int RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;

    public static string Title(string language) => language == "fr" ? "Trop de demandes" : "Too many requests";

    public static string Message(string language, int retryAfterSeconds) => string.Format(CultureInfo.InvariantCulture,
        language == "fr"
            ? "Trop de demandes en peu de temps. Réessayez dans {0} s : rien n'a été enregistré."
            : "Too many requests in a short time. Try again in {0} s: nothing was saved.",
        retryAfterSeconds);
}
