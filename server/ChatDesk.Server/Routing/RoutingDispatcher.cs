namespace ChatDesk.Server.Routing;

/// <summary>
/// Coalesces this node's dispatch requests, per queue. One dispatch routes every waiting chat of its
/// queue (or of every queue), so a burst of requests needs one dispatch that starts after each of
/// them, not one each: a request joins the dispatch of its queue that has not started yet, or queues
/// one behind the running one. Callers wait without holding a database connection (each used to hold
/// one while it queued for the routing lock, and a burst of StartChat calls drained the pool).
/// Different queues dispatch side by side; nodes still serialise on the database locks.
/// </summary>
public sealed class RoutingDispatcher(IServiceScopeFactory scopes, ILogger<RoutingDispatcher> logger)
{
    // The lane of the dispatches that span every queue (RoutingService takes a null queue for those).
    private static readonly Guid EveryQueue = Guid.AllBitsSet;

    private readonly Lock gate = new();
    private readonly Dictionary<Guid, Lane> lanes = [];

    /// <summary>Completes once a dispatch that started after this call has committed (or fails with its error).</summary>
    /// <param name="queue">Route only this queue (<see cref="RoutingService.QueueOf"/>); null: every queue.</param>
    /// <param name="queueMoved">A waiting chat left the queue: positions behind it changed.</param>
    public Task DispatchAsync(Guid? queue = null, bool queueMoved = false, CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            var key = queue ?? EveryQueue;
            if (!lanes.TryGetValue(key, out var lane))
                lanes[key] = lane = new Lane();
            if (lane.Pending is null)
            {
                lane.Pending = new PendingDispatch();
                // The dispatch serves every caller that joins it: it must not run in the first one's log scope and trace.
                var (previous, pending) = (lane.Running, lane.Pending);
                using (ExecutionContext.SuppressFlow())
                    lane.Running = Task.Run(() => RunAfterAsync(lane, previous, pending, queue));
            }
            lane.Pending.QueueMoved |= queueMoved;
            return lane.Pending.Completion.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task RunAfterAsync(Lane lane, Task previous, PendingDispatch dispatch, Guid? queue)
    {
        // The previous dispatch's failure belongs to its own callers.
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ForceYielding);
        lock (gate)
            lane.Pending = null; // requests from now on may arrive after this dispatch read the queue
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<RoutingService>().DispatchAsync(queue, dispatch.QueueMoved, CancellationToken.None);
            dispatch.Completion.SetResult();
        }
        catch (Exception e)
        {
            // Callers may have stopped waiting; the chats stay queued and the next sweep routes them.
            logger.LogWarning(e, "Routing dispatch failed");
            dispatch.Completion.SetException(e);
        }
    }

    private sealed class Lane
    {
        public Task Running { get; set; } = Task.CompletedTask;
        public PendingDispatch? Pending { get; set; }
    }

    private sealed class PendingDispatch
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public bool QueueMoved { get; set; }
    }
}
