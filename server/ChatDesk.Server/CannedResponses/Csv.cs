using System.Text;

namespace ChatDesk.Server.CannedResponses;

/// <summary>
/// RFC 4180 CSV: fields quoted when needed, quotes doubled, line breaks allowed inside quotes. Text that a
/// spreadsheet would run as a formula (starting with =, +, -, @, a tab or a carriage return) is written with a
/// leading apostrophe, which <see cref="Parse"/> takes off again, so an export opens safely and imports back as it was.
/// </summary>
public static class Csv
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    public static string Line(IEnumerable<string?> fields) =>
        string.Join(',', fields.Select(f => f is null ? "" : Quote(Neutralize(f))));

    private static string Quote(string f) =>
        f.IndexOfAny([',', '"', '\n', '\r']) >= 0 || f.StartsWith(' ') || f.EndsWith(' ') ? $"\"{f.Replace("\"", "\"\"")}\"" : f;

    /// <summary>A number stays a number (-3.5); any other text a spreadsheet would evaluate gets an apostrophe.</summary>
    public static string Neutralize(string field) =>
        LooksLikeFormula(field) && !double.TryParse(field, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
            ? "'" + field
            : field;

    private static string Restore(string field) => field.StartsWith('\'') && LooksLikeFormula(field) ? field[1..] : field;

    /// <summary>Leading apostrophes aside (so that text which really starts with one also round-trips).</summary>
    private static bool LooksLikeFormula(string field) => field.TrimStart('\'') is { Length: > 0 } core && FormulaStarts.Contains(core[0]);

    /// <summary>Rows with the line number each starts on; throws FormatException on an unclosed quote.</summary>
    public static IEnumerable<(int Line, List<string> Fields)> Parse(string text)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var line = 1;
        var rowStart = 1;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i++; }
                else if (c == '"') quoted = false;
                else { if (c == '\n') line++; field.Append(c); }
            }
            else if (c == '"' && field.Length == 0) quoted = true;
            else if (c == ',') { fields.Add(Restore(field.ToString())); field.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                fields.Add(Restore(field.ToString()));
                field.Clear();
                if (fields.Count > 1 || fields[0].Length > 0)
                    yield return (rowStart, fields);
                fields = [];
                line++;
                rowStart = line;
            }
            else field.Append(c);
        }
        if (quoted)
            throw new FormatException($"Line {rowStart}: a quoted field is not closed.");
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(Restore(field.ToString()));
            yield return (rowStart, fields);
        }
    }
}
