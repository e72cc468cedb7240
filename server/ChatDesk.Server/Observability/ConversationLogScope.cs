using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using ChatDesk.Server.Identity;
using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Observability;

/// <summary>
/// The log scope of work on one conversation: every line logged meanwhile carries <c>ConversationId</c> (the JSON
/// console writes it among the line's scopes), and the current trace span gets the <c>chatdesk.conversation_id</c> tag.
/// </summary>
public sealed class ConversationScope(string name, object value) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public const string ConversationId = "ConversationId";
    public const string VisitorId = "VisitorId";
    public const string ConversationTag = "chatdesk.conversation_id";

    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new(name, value) : throw new ArgumentOutOfRangeException(nameof(index));

    public int Count => 1;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"{name}:{value}";

    public static IDisposable? Begin(ILogger logger, Guid conversationId)
    {
        Activity.Current?.SetTag(ConversationTag, conversationId.ToString());
        return logger.BeginScope(new ConversationScope(ConversationId, conversationId));
    }
}

/// <summary>
/// Hub calls: an operator's call on a conversation (its <c>conversationId</c> argument) runs in that conversation's
/// scope; a visitor's call, in the visitor's (a visitor acts on their own current conversation, which only the
/// service resolves). Registered outermost, so that the other filters' logs carry the scope too.
/// </summary>
public sealed class ConversationLogScopeFilter(ILogger<ConversationLogScopeFilter> logger) : IHubFilter
{
    /// <summary>Per hub method: the position of its conversationId argument, or -1.</summary>
    private static readonly ConcurrentDictionary<MethodInfo, int> ConversationArgument = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        using var scope = Begin(invocationContext);
        return await next(invocationContext);
    }

    private IDisposable? Begin(HubInvocationContext invocationContext)
    {
        var index = ConversationArgument.GetOrAdd(invocationContext.HubMethod, method =>
            Array.FindIndex(method.GetParameters(), p => p.Name == "conversationId" && p.ParameterType == typeof(Guid)));
        var arguments = invocationContext.HubMethodArguments;
        if (index >= 0 && index < arguments.Count && arguments[index] is Guid conversationId)
            return ConversationScope.Begin(logger, conversationId);
        if (invocationContext.Context.User?.FindFirst(VisitorIdentity.VisitorIdClaim)?.Value is { } visitorId)
            return logger.BeginScope(new ConversationScope(ConversationScope.VisitorId, visitorId));
        return null;
    }
}

public static class ConversationLogScopeMiddleware
{
    /// <summary>HTTP requests whose route names a conversation (<c>{conversationId}</c>) run in its scope.</summary>
    public static IApplicationBuilder UseConversationLogScope(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ConversationLogScopeMiddleware));
        return app.Use(async (context, next) =>
        {
            if (context.GetRouteValue("conversationId") is string value && Guid.TryParse(value, out var conversationId))
            {
                using (ConversationScope.Begin(logger, conversationId))
                    await next(context);
                return;
            }
            await next(context);
        });
    }
}
