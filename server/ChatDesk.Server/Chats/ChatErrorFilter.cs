using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Chats;

/// <summary>Turns a broken rule into a HubException the caller can read; the connection stays open.</summary>
public sealed class ChatErrorFilter : IHubFilter
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
    }
}
