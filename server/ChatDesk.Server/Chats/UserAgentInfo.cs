namespace ChatDesk.Server.Chats;

/// <summary>Browser and operating system names from a User-Agent header, for the visitor context panel.</summary>
public static class UserAgentInfo
{
    public static (string? Browser, string? Os) Parse(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
            return (null, null);
        var ua = userAgent;
        string? browser =
            ua.Contains("Edg/") ? "Edge"
            : ua.Contains("OPR/") ? "Opera"
            : ua.Contains("Firefox/") ? "Firefox"
            : ua.Contains("Chrome/") || ua.Contains("Chromium/") || ua.Contains("HeadlessChrome/") ? "Chrome"
            : ua.Contains("Safari/") ? "Safari"
            : null;
        string? os =
            ua.Contains("Android") ? "Android"
            : ua.Contains("iPhone") || ua.Contains("iPad") ? "iOS"
            : ua.Contains("Windows NT") ? "Windows"
            : ua.Contains("Mac OS X") ? "macOS"
            : ua.Contains("CrOS") ? "ChromeOS"
            : ua.Contains("Linux") ? "Linux"
            : null;
        return (browser, os);
    }
}
