using System.Text.RegularExpressions;

namespace ChatDesk.Server;

/// <summary>The keys admins choose for sites, topics and skills: what URLs, snippets and the widget carry.</summary>
public static partial class Keys
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    public static partial Regex Format();
}
