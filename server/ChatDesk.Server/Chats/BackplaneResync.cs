using StackExchange.Redis;

namespace ChatDesk.Server.Chats;

/// <summary>
/// While Redis is away, pushes between nodes are lost (the changes themselves are committed in PostgreSQL).
/// When this node's Redis connection comes back it tells every client to resync: each resumes from the last
/// sequence it saw, exactly as after a reconnect, so nothing sent meanwhile is missed.
/// </summary>
public sealed class BackplaneResync(IConnectionMultiplexer redis, PushBus bus, ILogger<BackplaneResync> logger) : IHostedService
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(500);
    private const int Attempts = 240; // two minutes

    public Task StartAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored += OnRestored;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        redis.ConnectionRestored -= OnRestored;
        return Task.CompletedTask;
    }

    private void OnRestored(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType == ConnectionType.Subscription)
            _ = TellClientsAsync();
    }

    private async Task TellClientsAsync()
    {
        // The backplane has its own Redis connection, which may come back a moment after this one.
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            try
            {
                await bus.TellClientsToResyncAsync();
                logger.LogInformation("Redis is back: clients told to resync");
                return;
            }
            catch (Exception e) when (attempt < Attempts)
            {
                logger.LogDebug(e, "Backplane not back yet");
                await Task.Delay(RetryEvery);
            }
        }
    }
}
