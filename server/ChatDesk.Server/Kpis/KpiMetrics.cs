using System.Diagnostics.Metrics;
using ChatDesk.Server.Observability;
using Npgsql;

namespace ChatDesk.Server.Kpis;

/// <summary>
/// How far the KPI projection (<see cref="KpiProjection"/>) is behind the event log: the changes still queued and the
/// age of the oldest (<see cref="CatchUpLag"/>). Cluster-wide facts, refreshed by <see cref="KpiGaugeRefresher"/>.
/// </summary>
public sealed class KpiMetrics
{
    public const string BacklogName = "chatdesk.kpi.backlog";
    public const string CatchUpLagName = "chatdesk.kpi.catchup_lag";

    private volatile Reading last = new(0, 0);

    public KpiMetrics(IMeterFactory meters)
    {
        var meter = ChatDeskMeter.Create(meters);
        meter.CreateObservableGauge(BacklogName, () => last.Backlog, "{change}",
            $"Changes queued for the KPI projection (counted up to {KpiGaugeRefresher.BacklogCountLimit}; cluster-wide).");
        meter.CreateObservableGauge(CatchUpLagName, () => last.LagSeconds, "s",
            "Age of the oldest change the KPI projection has not applied yet, to within one refresh (cluster-wide).");
    }

    private sealed record Reading(int Backlog, double LagSeconds);

    public void Read(int backlog, TimeSpan lag) => last = new Reading(backlog, lag.TotalSeconds);
}

/// <summary>Reads the KPI queue's first and last ids (index only) and its size, bounded.</summary>
public sealed class KpiGaugeRefresher(NpgsqlDataSource dataSource, KpiMetrics metrics, TimeProvider clock, MetricsExport export, ILogger<KpiGaugeRefresher> logger)
    : DatabaseGaugeRefresher(export, logger)
{
    /// <summary>A backlog is counted up to this many rows, so a huge one costs no more to read.</summary>
    public const int BacklogCountLimit = 100_000;

    private readonly CatchUpLag lag = new();

    protected override async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT (SELECT min(id) FROM kpi_dirty_conversations), (SELECT max(id) FROM kpi_dirty_conversations),
                   (SELECT count(*)::int FROM (SELECT 1 FROM kpi_dirty_conversations LIMIT {BacklogCountLimit}) b)
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        long? first = reader.IsDBNull(0) ? null : reader.GetInt64(0);
        long? last = reader.IsDBNull(1) ? null : reader.GetInt64(1);
        metrics.Read(reader.GetInt32(2), lag.Observe(clock.GetUtcNow(), first, last));
    }
}
