namespace ChatDesk.Server.Routing;

/// <summary>Runs the presence sweep every second on every node; the sweep itself is serialised in the database.</summary>
public sealed class RoutingTimers(IServiceScopeFactory scopes, ILogger<RoutingTimers> logger) : BackgroundService
{
    // A sweep skips its turn while dispatches hold the routing lock, but not for ever: offers still time out.
    private const int MaxSkippedSweeps = 4;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Real time paces the loop; the sweep decides with the injected clock, which tests move by hand.
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var skipped = 0;
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var swept = await scope.ServiceProvider.GetRequiredService<RoutingService>()
                    .SweepAsync(skipIfBusy: skipped < MaxSkippedSweeps, stoppingToken);
                skipped = swept ? 0 : skipped + 1;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Routing sweep failed");
            }
        }
    }
}
