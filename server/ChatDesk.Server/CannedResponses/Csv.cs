using System.Text;

namespace ChatDesk.Server.CannedResponses;

/// <summary>RFC 4180 CSV: fields quoted when needed, quotes doubled, line breaks allowed inside quotes.</summary>
public static class Csv
{
    public static string Line(IEnumerable<string?> fields) =>
        string.Join(',', fields.Select(f => f is null ? "" : f.IndexOfAny([',', '"', '\n', '\r']) >= 0 || f.StartsWith(' ') || f.EndsWith(' ')
            ? $"\"{f.Replace("\"", "\"\"")}\"" : f));

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
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else if (c is '\n' or '\r')
            {
                if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
                fields.Add(field.ToString());
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
            fields.Add(field.ToString());
            yield return (rowStart, fields);
        }
    }
}
