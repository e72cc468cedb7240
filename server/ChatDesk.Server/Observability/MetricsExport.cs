namespace ChatDesk.Server.Observability;

/// <summary>Whether anything reads the metrics (the scrape endpoint or an OTLP collector), and how fresh the database-read gauges are kept.</summary>
public sealed class MetricsExport(bool active, TimeSpan refreshInterval)
{
    public const string RefreshSecondsSetting = "ChatDesk:Metrics:RefreshSeconds";

    /// <summary>Without a reader, the gauges read from the database are not refreshed at all.</summary>
    public bool Active { get; } = active;

    public TimeSpan RefreshInterval { get; } = refreshInterval;
}

/// <summary>
/// Keeps a gauge's value read from PostgreSQL (a cluster-wide fact, the same on every node): one cheap query every
/// <see cref="MetricsExport.RefreshInterval"/> on each node, however often the metrics are scraped, and none while
/// nothing reads the metrics. The gauge's callback only reads the value last stored.
/// </summary>
public abstract class DatabaseGaugeRefresher(MetricsExport export, ILogger logger) : BackgroundService
{
    protected abstract Task RefreshAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!export.Active)
            return;
        // Real time paces the loop; the values are computed with the injected clock.
        using var timer = new PeriodicTimer(export.RefreshInterval);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The gauge keeps its last value; the next tick tries again.
                logger.LogWarning(e, "Could not refresh the metrics read from the database");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
