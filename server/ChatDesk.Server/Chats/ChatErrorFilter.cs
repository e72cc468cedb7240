using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Chats;

/// <summary>
/// Turns a broken rule into a HubException the caller can read; the connection stays open.
/// Any other failure is logged and reported without internals, which is what lets the hubs run
/// with detailed errors on: those then only add SignalR's own argument-binding explanations.
/// </summary>
public sealed class ChatErrorFilter(ILogger<ChatErrorFilter> logger) : IHubFilter
{
    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocationContext);
        }
        catch (ChatException e)
        {
            throw new HubException(e.Message);
        }
        catch (Exception e) when (e is not HubException and not OperationCanceledException)
        {
            logger.LogError(e, "Hub method {Method} failed", invocationContext.HubMethodName);
            throw new HubException("The server could not complete this request. Please try again.");
        }
    }
}
