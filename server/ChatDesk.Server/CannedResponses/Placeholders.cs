using System.Text.RegularExpressions;

namespace ChatDesk.Server.CannedResponses;

/// <summary>
/// Fills {visitor.name}, {operator.name} and {site.name} in an answer body. The result is plain text:
/// clients render it as text, so a value can never inject markup. Unknown placeholders stay as written.
/// </summary>
public static partial class Placeholders
{
    public static readonly string[] Known = ["visitor.name", "operator.name", "site.name"];

    [GeneratedRegex(@"\{([a-z]+\.[a-z]+)\}")]
    private static partial Regex Placeholder();

    public static string Fill(string body, IReadOnlyDictionary<string, string?> values) =>
        Placeholder().Replace(body, m => values.TryGetValue(m.Groups[1].Value, out var value) ? value ?? "" : m.Value);
}
