using ChatDesk.Server.Data;
using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Chats;

/// <summary>
/// Turns a broken rule into a HubException the caller can read; the connection stays open.
/// Any other failure is logged and reported without internals, which is what lets the hubs run
/// with detailed errors on: those then only add SignalR's own argument-binding explanations.
/// </summary>
public sealed class ChatErrorFilter(DatabaseRetry retry, ILogger<ChatErrorFilter> logger) : IHubFilter
{
    /// <summary>Hub methods that may run again after a transient database failure: reads, and sends made idempotent by their client id.</summary>
    private static readonly HashSet<string> Repeatable =
    [
        "GetConversation", "GetMessagesAfter", "GetTranscript", "GetRemoteSession", "GetRemoteRelayAfter", "GetState", "GetChat", "GetQueue",
        "GetOfflineMessages", "GetTransferTargets", "SuggestAnswers", "SendMessage",
    ];

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            if (!Repeatable.Contains(invocationContext.HubMethodName))
                return await next(invocationContext);
            // A retry starts from a clean unit of work: nothing the failed attempt tracked is saved twice.
            var db = invocationContext.ServiceProvider.GetRequiredService<ChatDeskDbContext>();
            return await retry.ExecuteAsync(() => next(invocationContext), () => db.ChangeTracker.Clear());
        }
        catch (ChatException e)
        {
            throw new HubException(e.Message);
        }
        catch (Exception e) when (DatabaseRetry.IsTransient(e))
        {
            logger.LogWarning(e, "Hub method {Method} failed: the database is unreachable", invocationContext.HubMethodName);
            throw new HubException(DatabaseRetry.UnavailableMessage);
        }
        catch (Exception e) when (e is not HubException and not OperationCanceledException)
        {
            logger.LogError(e, "Hub method {Method} failed", invocationContext.HubMethodName);
            throw new HubException("The server could not complete this request. Please try again.");
        }
    }
}
