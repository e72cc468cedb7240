using System.Text;
using System.Text.RegularExpressions;

namespace ChatDesk.Server.Files;

/// <summary>
/// Turns a client-supplied file name into one that is safe to store, show and send back in a
/// Content-Disposition header: the last path segment only, no control or bidirectional-override
/// characters, no characters Windows forbids, no leading or trailing dots or spaces (so no "..",
/// no hidden files), no reserved device names, at most <see cref="MaxLength"/> characters.
/// </summary>
public static partial class FileNames
{
    public const int MaxLength = 120;

    [GeneratedRegex(@"^(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])$", RegexOptions.IgnoreCase)]
    private static partial Regex ReservedDeviceName();

    /// <returns>The safe name, or null when nothing usable is left.</returns>
    public static string? Sanitize(string? raw)
    {
        if (raw is null)
            return null;
        var lastSegment = raw[(raw.LastIndexOfAny(['/', '\\']) + 1)..];
        var cleaned = new StringBuilder(lastSegment.Length);
        foreach (var c in lastSegment)
        {
            if (char.IsControl(c) || IsInvisibleFormatting(c))
                continue;
            cleaned.Append(c is '<' or '>' or ':' or '"' or '|' or '?' or '*' ? '_' : c);
        }
        var name = cleaned.ToString().Trim(' ', '.');
        if (name.Length == 0)
            return null;

        var dot = name.LastIndexOf('.');
        var (stem, extension) = dot > 0 ? (name[..dot], name[dot..]) : (name, "");
        if (ReservedDeviceName().IsMatch(stem.TrimEnd(' ', '.')))
            stem = "_" + stem;
        if (extension.Length > 16)
            (stem, extension) = (stem + extension, "");
        var maxStem = MaxLength - extension.Length;
        if (stem.Length > maxStem)
            stem = TruncateWithoutSplittingSurrogates(stem, maxStem).TrimEnd(' ', '.');
        return stem.Length == 0 ? null : stem + extension;
    }

    /// <summary>The lower-case extension without its dot ("" when none).</summary>
    public static string ExtensionOf(string safeName)
    {
        var dot = safeName.LastIndexOf('.');
        return dot > 0 ? safeName[(dot + 1)..].ToLowerInvariant() : "";
    }

    // Bidirectional overrides and zero-width characters make "evil\u202Egnp.exe" display as "evilexe.png".
    private static bool IsInvisibleFormatting(char c) =>
        c is (>= '\u200B' and <= '\u200F') or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\uFEFF';

    private static string TruncateWithoutSplittingSurrogates(string value, int length) =>
        length > 0 && char.IsHighSurrogate(value[length - 1]) ? value[..(length - 1)] : value[..length];
}
