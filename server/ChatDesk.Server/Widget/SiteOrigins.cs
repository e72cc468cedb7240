namespace ChatDesk.Server.Widget;

/// <summary>
/// The origins a site may embed the widget from: <c>scheme://host[:port]</c>, http or https, nothing else,
/// or <c>scheme://*.domain[:port]</c> for every subdomain of a domain (the form CSP frame-ancestors knows too).
/// </summary>
public static class SiteOrigins
{
    public const int MaxPerSite = 50;

    /// <summary>The origin as browsers send it (lower case, default port left out), or why it is not one.</summary>
    public static (string? Origin, string? Error) Normalize(string? value)
    {
        var text = value?.Trim() ?? "";
        if (text.Length is 0 or > 300)
            return (null, "An origin is like https://www.example.com (1 to 300 characters).");
        var wildcard = false;
        var parseable = text;
        var marker = text.IndexOf("://*.", StringComparison.Ordinal);
        if (marker > 0)
        {
            wildcard = true;
            parseable = text.Remove(marker + 3, 2);
        }
        else if (text.Contains('*'))
            return (null, $"'{text}': a wildcard is only allowed as a leading *. subdomain, like https://*.example.com.");
        if (!Uri.TryCreate(parseable, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return (null, $"'{text}' is not an origin: use http:// or https:// and a host name, like https://www.example.com.");
        if (uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.AbsolutePath != "/" || parseable.Contains('?') || parseable.Contains('#'))
            return (null, $"'{text}' has more than an origin: leave out paths, queries and user names.");
        if (uri.HostNameType is not (UriHostNameType.Dns or UriHostNameType.IPv4 or UriHostNameType.IPv6) || uri.Host.Length == 0)
            return (null, $"'{text}' has no valid host name.");
        if (uri.Host.EndsWith('.'))
            return (null, $"'{text}': leave out the trailing dot of the host name.");
        if (wildcard && (uri.HostNameType != UriHostNameType.Dns || !uri.Host.Contains('.')))
            return (null, $"'{text}': a wildcard needs a domain with a dot under it, like https://*.example.com.");
        // Browsers send international names in their ASCII (punycode) form.
        var host = (wildcard ? "*." : "") + uri.IdnHost.ToLowerInvariant();
        if (uri.HostNameType == UriHostNameType.IPv6)
            host = $"[{uri.Host.Trim('[', ']').ToLowerInvariant()}]";
        return (uri.IsDefaultPort ? $"{uri.Scheme}://{host}" : $"{uri.Scheme}://{host}:{uri.Port}", null);
    }

    /// <summary>Whether a browser's Origin header value is allowed by one of the site's origins.</summary>
    public static bool Allows(IEnumerable<string> allowed, string? origin)
    {
        if (origin is null)
            return false;
        var (normalized, _) = Normalize(origin);
        if (normalized is null || normalized.Contains('*'))
            return false;
        foreach (var pattern in allowed)
        {
            if (string.Equals(pattern, normalized, StringComparison.OrdinalIgnoreCase))
                return true;
            var marker = pattern.IndexOf("://*.", StringComparison.Ordinal);
            if (marker < 0 || !normalized.StartsWith(pattern[..(marker + 3)], StringComparison.OrdinalIgnoreCase))
                continue;
            // https://*.example.com:8443 -> the origin must end in ".example.com:8443" with something before the dot.
            var suffix = pattern[(marker + 4)..];
            var rest = normalized[(marker + 3)..];
            if (rest.Length > suffix.Length && rest.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) && !rest[..^suffix.Length].Contains(':'))
                return true;
        }
        return false;
    }
}
