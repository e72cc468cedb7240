using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// Talks to hubs through the official JavaScript SignalR client, run in Node by
/// tests/node/signalr-driver.mjs (the .NET client is not obtainable here).
/// </summary>
public sealed class SignalRDriver : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    /// <summary>How long a hub call or an awaited event may take; load tests on a busy machine raise it.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);

    private readonly Process process;
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonNode?>> pending = new();
    private readonly List<DriverEvent> events = [];
    private readonly Lock eventsGate = new();
    private readonly SemaphoreSlim writeGate = new(1, 1);
    private int nextId;

    public SignalRDriver()
    {
        var start = new ProcessStartInfo("node", Path.Combine(RepoPaths.NodeClients, "signalr-driver.mjs"))
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepoPaths.NodeClients,
        };
        process = Process.Start(start) ?? throw new InvalidOperationException("Cannot start node.");
        _ = ReadLoopAsync();
    }

    public sealed record DriverEvent(string Connection, string Name, JsonArray Args);

    public Task ConnectVisitorAsync(string connection, string baseUrl, string visitorToken, int[]? retryMs = null, string? affinity = null) =>
        SendAsync(new JsonObject
        {
            ["op"] = "connect", ["conn"] = connection, ["url"] = $"{baseUrl}/hubs/visitor", ["token"] = visitorToken, ["headers"] = AffinityHeader(affinity),
            ["events"] = new JsonArray("MessageReceived", "ChatAssigned", "ChatEnded", "QueueUpdated", "OperatorTyping", "RemoteSessionChanged", "RemoteRelay", "RemotePointer", "Resync"),
            ["retryMs"] = retryMs is null ? null : new JsonArray(retryMs.Select(r => (JsonNode)r).ToArray()),
        });

    /// <param name="affinity">Behind the load balancer (infra/nginx/chatdesk.conf): the key that picks the node, as a client address would.</param>
    public Task ConnectOperatorAsync(string connection, string baseUrl, string cookie, string? affinity = null) =>
        SendAsync(new JsonObject
        {
            ["op"] = "connect", ["conn"] = connection, ["url"] = $"{baseUrl}/hubs/operator", ["cookie"] = cookie, ["headers"] = AffinityHeader(affinity),
            ["events"] = new JsonArray("ChatAssigned", "MessageReceived", "ChatEnded", "StatusChanged", "QueueChanged", "OfflineMessageReceived", "ChatOffered", "OfferWithdrawn", "VisitorTyping", "VisitorNavigated", "NoteAdded", "ChatJoined", "ChatTransferredAway", "SurveySubmitted", "RemoteSessionChanged", "RemoteRelay", "SessionEnded", "Resync"),
        });

    private static JsonObject AffinityHeader(string? affinity) => affinity is null ? [] : new JsonObject { ["X-ChatDesk-Affinity"] = affinity };

    /// <summary>Connects to any hub with the console's cookie, listening to the given callbacks.</summary>
    public Task ConnectWithCookieAsync(string connection, string url, string cookie, params string[] events) =>
        SendAsync(new JsonObject
        {
            ["op"] = "connect", ["conn"] = connection, ["url"] = url, ["cookie"] = cookie,
            ["events"] = new JsonArray(events.Select(e => (JsonNode)e).ToArray()),
        });

    /// <summary>Connects to any hub URL with an optional bearer token and no callbacks.</summary>
    public Task InvokeRawConnectAsync(string connection, string url, string? token) =>
        SendAsync(new JsonObject { ["op"] = "connect", ["conn"] = connection, ["url"] = url, ["token"] = token });

    public async Task<T> InvokeAsync<T>(string connection, string method, params object?[] args)
    {
        var result = await InvokeAsync(connection, method, args);
        return result.Deserialize<T>(Json)!;
    }

    public Task<JsonNode?> InvokeAsync(string connection, string method, params object?[] args) =>
        SendAsync(new JsonObject
        {
            ["op"] = "invoke", ["conn"] = connection, ["method"] = method,
            ["args"] = JsonSerializer.SerializeToNode(args, Json),
        });

    /// <summary>Invokes and expects the hub to refuse; returns the error message.</summary>
    public async Task<string> InvokeExpectingErrorAsync(string connection, string method, params object?[] args)
    {
        var error = await Assert.ThrowsAsync<HubCallException>(() => InvokeAsync(connection, method, args));
        return error.Message;
    }

    public Task StopAsync(string connection) => SendAsync(new JsonObject { ["op"] = "stop", ["conn"] = connection });

    public IReadOnlyList<DriverEvent> Events(string connection, string name)
    {
        lock (eventsGate)
            return events.Where(e => e.Connection == connection && e.Name == name).ToList();
    }

    /// <summary>Waits until the server dropped the connection: the client either reconnects or, when told not to, closes.</summary>
    public async Task<string> WaitForDisconnectAsync(string connection, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            lock (eventsGate)
                if (events.FirstOrDefault(e => e.Connection == connection && e.Name is "$reconnecting" or "$closed") is { } dropped)
                    return dropped.Name;
            if (deadline.Elapsed > timeout)
                throw new TimeoutException($"{connection} is still connected after {timeout.TotalSeconds} s.");
            await Task.Delay(20);
        }
    }

    /// <summary>Waits until <paramref name="count"/> events of that name reached the connection.</summary>
    public async Task<IReadOnlyList<DriverEvent>> WaitForEventsAsync(string connection, string name, int count = 1, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var found = Events(connection, name);
            if (found.Count >= count)
                return found;
            if (deadline.Elapsed > (timeout ?? Timeout))
                throw new TimeoutException($"{connection} got {found.Count} of {count} '{name}' events.");
            await Task.Delay(20);
        }
    }

    private async Task<JsonNode?> SendAsync(JsonObject command)
    {
        var id = Interlocked.Increment(ref nextId);
        command["id"] = id;
        var reply = new TaskCompletionSource<JsonNode?>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = reply;
        await writeGate.WaitAsync();
        try
        {
            await process.StandardInput.WriteLineAsync(command.ToJsonString());
            await process.StandardInput.FlushAsync();
        }
        finally
        {
            writeGate.Release();
        }
        return await reply.Task.WaitAsync(Timeout);
    }

    private async Task ReadLoopAsync()
    {
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            var message = JsonNode.Parse(line)!.AsObject();
            if (message["event"] is { } name)
            {
                lock (eventsGate)
                    events.Add(new DriverEvent((string)message["conn"]!, (string)name!, message["args"]!.AsArray()));
            }
            else if (pending.TryRemove((int)message["id"]!, out var reply))
            {
                if ((bool)message["ok"]!)
                    reply.SetResult(message["result"]?.DeepClone());
                else
                    reply.SetException(new HubCallException((string)message["error"]!));
            }
        }
        foreach (var reply in pending.Values)
            reply.TrySetException(new InvalidOperationException($"The SignalR driver exited: {await process.StandardError.ReadToEndAsync()}"));
    }

    public async ValueTask DisposeAsync()
    {
        process.StandardInput.Close();
        if (!process.WaitForExit(5000))
            process.Kill(entireProcessTree: true);
        await Task.CompletedTask;
        process.Dispose();
    }
}

public sealed class HubCallException(string message) : Exception(message);
