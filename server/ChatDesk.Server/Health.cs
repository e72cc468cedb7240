using ChatDesk.Server.Chats;
using Npgsql;

namespace ChatDesk.Server;

public sealed record ReadinessDto(string Status, string Database, string Redis);

/// <summary>
/// <c>/healthz</c>: the process answers (liveness). <c>/healthz/ready</c>: it can serve, its database answers
/// and, when configured, Redis is connected; without Redis, no other node shares the database (a load balancer
/// sends no traffic to a node that is not ready).
/// </summary>
public static class Health
{
    private static readonly TimeSpan DatabaseTimeout = TimeSpan.FromSeconds(2);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapGet("/healthz/ready", async (NpgsqlDataSource database, IServiceProvider services) =>
        {
            var databaseUp = await DatabaseAnswersAsync(database);
            // "needed": another node shares the database and only a backplane could carry pushes between them.
            var redis = services.GetService<RedisSignals>() is { } signals ? signals.Connection.IsConnected ? "up" : "down"
                : services.GetRequiredService<PushBus>().OtherNodesWithoutBackplane ? "needed" : "off";
            var ready = databaseUp && redis is ("up" or "off");
            return Results.Json(new ReadinessDto(ready ? "ready" : "not ready", databaseUp ? "up" : "down", redis),
                statusCode: ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return app;
    }

    private static async Task<bool> DatabaseAnswersAsync(NpgsqlDataSource database)
    {
        using var timeout = new CancellationTokenSource(DatabaseTimeout);
        try
        {
            await using var command = database.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return true;
        }
        catch (Exception e) when (e is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            return false;
        }
    }
}
