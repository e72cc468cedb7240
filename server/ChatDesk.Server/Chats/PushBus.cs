using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading.Channels;
using ChatDesk.Server.Data;
using ChatDesk.Server.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChatDesk.Server.Chats;

/// <summary>A message too large to travel inline; the receiving node reads it from the database.</summary>
public sealed record MessageReference(Guid ConversationId, int Sequence);

public enum PushAudience { Visitor, Operator, AllOperators, EndSessions }

/// <summary>One client call to make on whichever node holds the recipient's connections.</summary>
public sealed record Push(PushAudience Audience, string? Recipient, string Method, JsonElement? Argument, MessageReference? Reference)
{
    public static Push ToVisitor(Guid visitorId, string method, object argument, MessageReference? reference = null) =>
        new(PushAudience.Visitor, visitorId.ToString(), method, JsonSerializer.SerializeToElement(argument, PushBus.Json), reference);

    public static Push ToOperator(string operatorId, string method, object argument, MessageReference? reference = null) =>
        new(PushAudience.Operator, operatorId, method, JsonSerializer.SerializeToElement(argument, PushBus.Json), reference);

    /// <summary>Every node tells the user's console it was signed out, then closes its hub connections.</summary>
    public static Push EndSessions(string userId) => new(PushAudience.EndSessions, userId, SessionEndedMethod, null, null);

    public const string SessionEndedMethod = "SessionEnded";

    public static Push ToAllOperators(string method, object? argument) =>
        new(PushAudience.AllOperators, null, method, argument is null ? null : JsonSerializer.SerializeToElement(argument, PushBus.Json), null);
}

/// <summary>
/// Fans pushes out to the node holding each recipient's connection. With <c>ChatDesk:Redis</c> set, pushes are
/// hub calls that the SignalR Redis backplane carries to whichever node holds the connection. Without it,
/// they go through PostgreSQL LISTEN/NOTIFY: each node listens and delivers to its own connections, after
/// the commit that sent them and in commit order; payloads are limited to 8000 bytes there, so large
/// messages travel as a reference and are read back from the database by the node that delivers them.
/// Either way a push is best effort: clients resume from their last sequence (PostgreSQL is the record).
/// </summary>
public sealed class PushBus(
    NpgsqlDataSource dataSource, IHubContext<VisitorHub> visitorHub, IHubContext<OperatorHub> operatorHub,
    IServiceScopeFactory scopes, ServerNode node, Identity.ConsoleConnections consoleConnections, ILogger<PushBus> logger,
    RedisSignals? redis = null) : BackgroundService
{
    public const string ChannelName = "chatdesk_push";
    private const int MaxPayloadBytes = 7900;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        // Chat text stays as UTF-8 instead of \uXXXX escapes, so more of it fits in a notification.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public async Task PublishAsync(IReadOnlyList<Push> pushes)
    {
        if (redis is not null)
        {
            await SendThroughBackplaneAsync(pushes);
            return;
        }
        var payloads = Payloads(pushes).ToArray();
        if (payloads.Length == 0)
            return;
        // One round trip, notifications queued in order.
        await using var command = dataSource.CreateCommand(
            "SELECT pg_notify($1, p) FROM (SELECT p FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n) ordered");
        command.Parameters.Add(new NpgsqlParameter { Value = ChannelName });
        command.Parameters.Add(new NpgsqlParameter { Value = payloads });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Packs pushes, in order, into as few notifications as fit the size limit.</summary>
    public static IEnumerable<string> Payloads(IReadOnlyList<Push> pushes)
    {
        var batch = new List<string>();
        var size = 2;
        foreach (var push in pushes)
        {
            var json = JsonSerializer.Serialize(push, Json);
            if (Encoding.UTF8.GetByteCount(json) > MaxPayloadBytes - 2 && push.Reference is not null)
                json = JsonSerializer.Serialize(push with { Argument = null }, Json);
            var bytes = Encoding.UTF8.GetByteCount(json) + 1;
            if (batch.Count > 0 && size + bytes > MaxPayloadBytes)
            {
                yield return $"[{string.Join(',', batch)}]";
                batch.Clear();
                size = 2;
            }
            batch.Add(json);
            size += bytes;
        }
        if (batch.Count > 0)
            yield return $"[{string.Join(',', batch)}]";
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

    private async Task SendThroughBackplaneAsync(IReadOnlyList<Push> pushes)
    {
        try
        {
            foreach (var push in pushes)
            {
                await SendAsync(push);
                if (push.Audience == PushAudience.EndSessions)
                    await redis!.EndSessionsAsync(push.Recipient!);
            }
        }
        catch (Exception e)
        {
            // The change is committed; clients that missed the push catch up when they resume.
            logger.LogWarning(e, "Could not publish pushes through Redis");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (redis is not null)
            _ = SubscribeToEndSessionsAsync(redis, stoppingToken);
        // One consumer delivers in the order the notifications arrived (commit order).
        var inbox = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        var delivery = Task.Run(async () =>
        {
            await foreach (var payload in inbox.Reader.ReadAllAsync(CancellationToken.None))
                await DeliverAsync(payload);
        }, CancellationToken.None);
        try
        {
            await ListenAsync(inbox.Writer, stoppingToken);
        }
        finally
        {
            inbox.Writer.TryComplete();
            await delivery;
        }
    }

    private async Task ListenAsync(ChannelWriter<string> inbox, CancellationToken stoppingToken)
    {
        var listenerWasLost = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => inbox.TryWrite(e.Payload);
                // The node's liveness is this session: presence forgets the connections of a node whose session is gone.
                await using (var listen = new NpgsqlCommand($"SET application_name = '{node.ApplicationName}'; LISTEN {ChannelName}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                Listening.TrySetResult();
                if (listenerWasLost && redis is null)
                    await TellClientsToResyncAsync(); // notifications sent while this node was not listening are gone
                listenerWasLost = false;
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Clients are told to resync once listening again; meanwhile keep trying.
                listenerWasLost = true;
                logger.LogWarning(e, "Push listener lost its connection; reconnecting");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Pushes may have been lost: every client resumes as after a reconnect (through the backplane when there is one).</summary>
    public async Task TellClientsToResyncAsync()
    {
        await visitorHub.Clients.All.SendAsync(nameof(IVisitorClient.Resync));
        await operatorHub.Clients.All.SendAsync(nameof(IOperatorClient.Resync));
    }

    /// <summary>Completes once this node listens, so start-up can wait before serving.</summary>
    public TaskCompletionSource Listening { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task DeliverAsync(string payload)
    {
        try
        {
            foreach (var push in JsonSerializer.Deserialize<List<Push>>(payload, Json)!)
            {
                if (push.Audience == PushAudience.EndSessions)
                {
                    // Closing comes first: telling the console why is a courtesy that may fail.
                    var userId = push.Recipient!;
                    await operatorHub.Clients.User(userId).SendAsync(push.Method).ContinueWith(_ => consoleConnections.Abort(userId), TaskScheduler.Default);
                    continue;
                }
                await SendAsync(push);
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not deliver a push");
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
        if (push.Argument is null && push.Reference is null)
        {
            await clients.SendAsync(push.Method);
            return;
        }
        object? argument = push.Argument ?? (object?)await LoadMessageAsync(push.Reference!);
        await clients.SendAsync(push.Method, argument);
    }

    private async Task<MessageDto?> LoadMessageAsync(MessageReference reference)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDeskDbContext>();
        var message = await db.Messages.AsNoTracking()
            .SingleOrDefaultAsync(m => m.ConversationId == reference.ConversationId && m.Sequence == reference.Sequence);
        return message?.ToDto();
    }
}
