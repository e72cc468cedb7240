namespace ChatDesk.Server.Routing;

/// <summary>
/// Coalesces this node's dispatch requests. One dispatch routes every waiting chat, so a burst of
/// requests needs one dispatch that starts after each of them, not one each: a request joins the
/// dispatch that has not started yet, or queues one behind the running one. Callers wait without
/// holding a database connection (each used to hold one while it queued for the routing lock, and
/// a burst of StartChat calls drained the pool). Nodes still serialise on the database lock.
/// </summary>
public sealed class RoutingDispatcher(IServiceScopeFactory scopes, ILogger<RoutingDispatcher> logger)
{
    private readonly Lock gate = new();
    private Task running = Task.CompletedTask;
    private PendingDispatch? pending;

    /// <summary>Completes once a dispatch that started after this call has committed (or fails with its error).</summary>
    /// <param name="queueMoved">A waiting chat left the queue: positions behind it changed.</param>
    public Task DispatchAsync(bool queueMoved = false, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (pending is null)
            {
                pending = new PendingDispatch();
                running = RunAfterAsync(running, pending);
            }
            pending.QueueMoved |= queueMoved;
            return pending.Completion.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task RunAfterAsync(Task previous, PendingDispatch dispatch)
    {
        // The previous dispatch's failure belongs to its own callers.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        lock (gate)
            pending = null; // requests from now on may arrive after this dispatch read the queue
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<RoutingService>().DispatchAsync(dispatch.QueueMoved, CancellationToken.None);
            dispatch.Completion.SetResult();
        }
        catch (Exception e)
        {
            // Callers may have stopped waiting; the chats stay queued and the next sweep routes them.
            logger.LogWarning(e, "Routing dispatch failed");
            dispatch.Completion.SetException(e);
        }
    }

    private sealed class PendingDispatch
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool QueueMoved { get; set; }
    }
}
