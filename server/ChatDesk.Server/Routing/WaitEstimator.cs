namespace ChatDesk.Server.Routing;

/// <summary>
/// Estimates a queued visitor's wait from the recent assignment rate of their skill queue. With too
/// little data it says nothing (the visitor is told "a few minutes") rather than a wrong number.
/// </summary>
public static class WaitEstimator
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(30);
    public const int MinimumAssignments = 3;

    public static TimeSpan? Estimate(int position, int assignmentsInWindow, TimeSpan window)
    {
        if (position < 1 || assignmentsInWindow < MinimumAssignments || window <= TimeSpan.Zero)
            return null;
        var perSecond = assignmentsInWindow / window.TotalSeconds;
        return TimeSpan.FromSeconds(Math.Ceiling(position / perSecond));
    }

    /// <summary>Whole minutes for display, at least 1.</summary>
    public static int Minutes(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
}
