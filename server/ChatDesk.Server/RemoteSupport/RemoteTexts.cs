using System.Globalization;

namespace ChatDesk.Server.RemoteSupport;

/// <summary>The system messages that put remote sessions in the transcript both sides see and download.</summary>
public static class RemoteTexts
{
    private static readonly Dictionary<string, (string En, string Fr)> Texts = new()
    {
        ["started.screen"] = ("Screen sharing with {0} started.", "Partage d'écran avec {0} démarré."),
        ["started.cobrowse"] = ("Co-browsing with {0} started.", "Co-navigation avec {0} démarrée."),
        ["ended.screen"] = ("Screen sharing ended after {1}, stopped by {0}.", "Partage d'écran terminé après {1}, arrêté par {0}."),
        ["ended.cobrowse"] = ("Co-browsing ended after {1}, stopped by {0}.", "Co-navigation terminée après {1}, arrêtée par {0}."),
        ["gone.screen"] = ("Screen sharing ended after {1}: {0} is no longer in the chat.", "Partage d'écran terminé après {1} : {0} n'est plus dans la conversation."),
        ["gone.cobrowse"] = ("Co-browsing ended after {1}: {0} is no longer in the chat.", "Co-navigation terminée après {1} : {0} n'est plus dans la conversation."),
        ["declined.screen"] = ("Screen sharing was declined.", "Le partage d'écran a été refusé."),
        ["declined.cobrowse"] = ("Co-browsing was declined.", "La co-navigation a été refusée."),
        ["system"] = ("the end of the chat", "la fin de la conversation"),
    };

    public static string Text(string key, string? language, params object[] arguments)
    {
        var (en, fr) = Texts[key];
        return string.Format(CultureInfo.InvariantCulture, language == "fr" ? fr : en, arguments);
    }

    /// <summary>"0:42", "12:05", "1:02:03".</summary>
    public static string Duration(TimeSpan duration)
    {
        var seconds = (long)Math.Max(0, Math.Round(duration.TotalSeconds));
        return seconds >= 3600
            ? $"{seconds / 3600}:{seconds / 60 % 60:00}:{seconds % 60:00}"
            : $"{seconds / 60}:{seconds % 60:00}";
    }
}
