namespace ChatDesk.Server.Kpis;

/// <summary>
/// How far behind the KPI projection is: the age of the oldest change it has not projected yet. The queue
/// (kpi_dirty_conversations) keeps no times, only increasing ids, so each reading of the queue's first and last id
/// is remembered with its time: the oldest pending change (the first id) was queued by the earliest reading whose
/// last id had reached it. The lag is thus known to within one reading interval, never overstated.
/// </summary>
public sealed class CatchUpLag
{
    /// <summary>Readings kept at most (hours of backlog at one reading every few seconds); beyond, the lag is understated.</summary>
    public const int MaxReadings = 10_000;

    private readonly Queue<(DateTimeOffset At, long LastId)> readings = new();

    /// <summary>Records a reading of the queue and returns the lag then.</summary>
    /// <param name="firstId">The first queued id, or null when the queue is empty.</param>
    /// <param name="lastId">The last queued id, or null when the queue is empty.</param>
    public TimeSpan Observe(DateTimeOffset now, long? firstId, long? lastId)
    {
        if (firstId is not { } first || lastId is not { } last)
        {
            readings.Clear(); // caught up
            return TimeSpan.Zero;
        }
        if (readings.Count == 0 || last > readings.Last().LastId)
            readings.Enqueue((now, last));
        if (readings.Count > MaxReadings)
            readings.Dequeue();
        // Readings whose changes are all projected tell nothing more.
        while (readings.Count > 0 && readings.Peek().LastId < first)
            readings.Dequeue();
        return readings.Count == 0 ? TimeSpan.Zero : Max(TimeSpan.Zero, now - readings.Peek().At);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
