using ChatDesk.Server.Routing;
using Microsoft.AspNetCore.SignalR;
using Npgsql;

namespace ChatDesk.Server.Chats;

public enum PushAudience { Visitor, Operator, AllOperators, EndSessions }

/// <summary>One client call to make on whichever node holds the recipient's connections.</summary>
public sealed record Push(PushAudience Audience, string? Recipient, string Method, object? Argument)
{
    public static Push ToVisitor(Guid visitorId, string method, object argument) => new(PushAudience.Visitor, visitorId.ToString(), method, argument);

    public static Push ToOperator(string operatorId, string method, object argument) => new(PushAudience.Operator, operatorId, method, argument);

    /// <summary>Every node tells the user's console it was signed out, then closes its hub connections.</summary>
    public static Push EndSessions(string userId) => new(PushAudience.EndSessions, userId, SessionEndedMethod, null);

    public const string SessionEndedMethod = "SessionEnded";

    public static Push ToAllOperators(string method, object? argument) => new(PushAudience.AllOperators, null, method, argument);
}

/// <summary>
/// Delivers pushes, after the change they announce is committed, to the recipients' connections. With
/// <c>ChatDesk:Redis</c> set they are hub calls that the SignalR Redis backplane carries to whichever node holds the
/// connection; without it ChatDesk runs as one node and pushes go straight to its own connections (no database
/// round trip). A push is best effort either way: clients resume from their last sequence (PostgreSQL is the record).
/// The node also keeps one database session open under its name: presence forgets the connections of a node whose
/// session is gone. A second node on the same database without Redis would miss the first one's pushes: both
/// then report not ready and say why.
/// </summary>
public sealed class PushBus(
    NpgsqlDataSource dataSource, IHubContext<VisitorHub> visitorHub, IHubContext<OperatorHub> operatorHub,
    ServerNode node, Identity.ConsoleConnections consoleConnections, ILogger<PushBus> logger,
    RedisSignals? redis = null) : BackgroundService
{
    private static readonly TimeSpan OtherNodesCheck = TimeSpan.FromSeconds(5);

    /// <summary>Completes once the node's database session is open, so start-up can wait before serving.</summary>
    public TaskCompletionSource SessionOpen { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Another node shares the database but this one has no backplane to reach its clients.</summary>
    public bool OtherNodesWithoutBackplane { get; private set; }

    public async Task PublishAsync(IReadOnlyList<Push> pushes)
    {
        try
        {
            foreach (var push in pushes)
                await SendAsync(push);
        }
        catch (Exception e)
        {
            // The change is committed; clients that missed the push catch up when they resume.
            logger.LogWarning(e, "Could not deliver pushes");
        }
    }

    /// <summary>Pushes may have been lost: every client resumes as after a reconnect (through the backplane when there is one).</summary>
    public async Task TellClientsToResyncAsync()
    {
        await visitorHub.Clients.All.SendAsync(nameof(IVisitorClient.Resync));
        await operatorHub.Clients.All.SendAsync(nameof(IOperatorClient.Resync));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (redis is not null)
            _ = SubscribeToEndSessionsAsync(redis, stoppingToken);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                await using (var name = new NpgsqlCommand($"SET application_name = '{node.ApplicationName}'", connection))
                    await name.ExecuteNonQueryAsync(stoppingToken);
                SessionOpen.TrySetResult();
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (redis is null)
                        await CheckForOtherNodesAsync(connection, stoppingToken);
                    await Task.Delay(OtherNodesCheck, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "The node's database session was lost; reconnecting");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    private async Task CheckForOtherNodesAsync(NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'chatdesk-node:%' AND application_name <> $1)", connection);
        command.Parameters.AddWithValue(node.ApplicationName);
        var others = (bool)(await command.ExecuteScalarAsync(stoppingToken))!;
        if (others && !OtherNodesWithoutBackplane)
            logger.LogError("Another ChatDesk node uses this database but ChatDesk:Redis is not set: its clients would miss this node's pushes. Set ChatDesk:Redis on every node.");
        OtherNodesWithoutBackplane = others;
    }

    /// <summary>Retries until Redis answers; once made, the subscription survives reconnections.</summary>
    private async Task SubscribeToEndSessionsAsync(RedisSignals signals, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signals.OnEndSessionsAsync(userId => consoleConnections.Abort(userId));
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Redis is not reachable yet; subscribing again");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, CancellationToken.None);
            }
        }
    }

    /// <summary>The hub call a push stands for, to the recipient's connections (this node's, or all through the backplane).</summary>
    private async Task SendAsync(Push push)
    {
        var clients = push.Audience switch
        {
            PushAudience.Visitor => visitorHub.Clients.Group(ChatNotifier.VisitorGroup(Guid.Parse(push.Recipient!))),
            PushAudience.Operator or PushAudience.EndSessions => operatorHub.Clients.User(push.Recipient!),
            _ => operatorHub.Clients.Group(ChatNotifier.OperatorsGroup),
        };
        if (push.Argument is null)
            await clients.SendAsync(push.Method);
        else
            await clients.SendAsync(push.Method, push.Argument);
        if (push.Audience != PushAudience.EndSessions)
            return;
        // Telling the console why comes first; then its connections close, on every node.
        if (redis is not null)
            await redis.EndSessionsAsync(push.Recipient!);
        else
            consoleConnections.Abort(push.Recipient!);
    }
}
