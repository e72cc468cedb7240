namespace ChatDesk.Server.Kpis;

public sealed record Stat(double? Mean, double? Median, double? P90, int Count)
{
    public static Stat Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0
            ? new Stat(null, null, null, 0)
            : new Stat(sorted.Average(), Percentiles.Continuous(sorted, 0.5), Percentiles.Continuous(sorted, 0.9), sorted.Length);
    }
}

public static class Percentiles
{
    /// <summary>Like PostgreSQL's percentile_cont: linear interpolation between the closest ranks.</summary>
    public static double Continuous(IReadOnlyList<double> sorted, double fraction)
    {
        if (sorted.Count == 0)
            throw new ArgumentException("No values.", nameof(sorted));
        var position = fraction * (sorted.Count - 1);
        var lower = (int)Math.Floor(position);
        var upper = (int)Math.Ceiling(position);
        return sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);
    }
}
