using System.Globalization;
using System.Text;

namespace ChatDesk.Tests.Observability;

/// <summary>A scrape in the Prometheus text format, parsed into samples (comments and types skipped).</summary>
public sealed class PrometheusText
{
    public sealed record Sample(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public IReadOnlyList<Sample> Samples { get; }
    public string Raw { get; }

    private PrometheusText(string raw, IReadOnlyList<Sample> samples) => (Raw, Samples) = (raw, samples);

    public static PrometheusText Parse(string text)
    {
        var samples = new List<Sample>();
        foreach (var line in text.Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#')
                continue;
            samples.Add(ParseLine(line.TrimEnd('\r')));
        }
        return new PrometheusText(text, samples);
    }

    /// <summary>The samples of a metric whose labels include all of <paramref name="labels"/> ("key=value").</summary>
    public IEnumerable<Sample> Where(string name, params string[] labels) =>
        Samples.Where(s => s.Name == name && labels.All(l => l.Split('=', 2) is [var key, var value] && s.Labels.GetValueOrDefault(key) == value));

    /// <summary>The sum of the matching samples; 0 when there is none (a series not yet reported).</summary>
    public double Value(string name, params string[] labels) => Where(name, labels).Sum(s => s.Value);

    private static Sample ParseLine(string line)
    {
        var labels = new Dictionary<string, string>();
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        string name;
        int rest;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            var i = brace + 1;
            while (line[i] != '}')
            {
                var equals = line.IndexOf('=', i);
                var key = line[i..equals].Trim(',', ' ');
                var value = new StringBuilder();
                var j = equals + 2; // past ="
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] == 'n' ? '\n' : line[j]);
                    }
                    else
                        value.Append(line[j]);
                }
                labels[key] = value.ToString();
                i = j + 1;
                if (line[i] == ',')
                    i++;
            }
            rest = i + 1;
        }
        else
        {
            name = line[..space];
            rest = space;
        }
        var fields = line[rest..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var number = fields[0] switch { "+Inf" => double.PositiveInfinity, "-Inf" => double.NegativeInfinity, var v => double.Parse(v, CultureInfo.InvariantCulture) };
        return new Sample(name, labels, number);
    }
}
