using System.Security.Claims;
using System.Threading.RateLimiting;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Identity;
using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.RateLimits;

/// <summary>Who makes a hub call: the visitor or operator, the visitor's site, and the client's address.</summary>
public readonly record struct HubCaller(string Actor, string Site, string Address);

/// <summary>
/// Refuses a hub call over its limit before the method runs, so nothing of it is stored; the caller gets a
/// retryable HubException and the connection stays open. Methods without a limit here pass untouched (each
/// connection still runs one call at a time: <see cref="ChatsSetup.MaxParallelInvocationsPerClient"/>).
/// </summary>
public sealed class HubRateLimitFilter : IHubFilter, IDisposable
{
    private readonly Dictionary<(Type Hub, string Method), PartitionedRateLimiter<HubCaller>> limits;
    private readonly List<PartitionedRateLimiter<HubCaller>> owned = [];

    public HubRateLimitFilter(RateLimitOptions options)
    {
        var visitorMessages = By(options.VisitorMessages, c => c.Actor);
        var operatorMessages = By(options.OperatorMessages, c => c.Actor);
        limits = new()
        {
            [(typeof(VisitorHub), nameof(VisitorHub.StartChat))] = Chain(
                By(options.StartChatPerVisitor, c => c.Actor), By(options.StartChatPerSite, c => c.Site), By(options.StartChatPerIp, c => c.Address)),
            [(typeof(VisitorHub), nameof(VisitorHub.SendMessage))] = visitorMessages,
            [(typeof(VisitorHub), nameof(VisitorHub.Typing))] = By(options.VisitorTyping, c => c.Actor),
            [(typeof(VisitorHub), nameof(VisitorHub.LeaveOfflineMessage))] = Chain(
                By(options.OfflineMessagesPerVisitor, c => c.Actor), By(options.OfflineMessagesPerIp, c => c.Address)),
            [(typeof(VisitorHub), nameof(VisitorHub.EmailTranscript))] = Chain(
                By(options.TranscriptEmailsPerVisitor, c => c.Actor), By(options.TranscriptEmailsPerIp, c => c.Address)),
            [(typeof(OperatorHub), nameof(OperatorHub.SendMessage))] = operatorMessages,
            [(typeof(OperatorHub), nameof(OperatorHub.AddNote))] = operatorMessages,
            [(typeof(OperatorHub), nameof(OperatorHub.Typing))] = By(options.OperatorTyping, c => c.Actor),
        };
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        if (!limits.TryGetValue((invocationContext.Hub.GetType(), invocationContext.HubMethodName), out var limiter))
            return await next(invocationContext);
        using var lease = limiter.AttemptAcquire(Caller(invocationContext.Context));
        if (!lease.IsAcquired)
        {
            var http = invocationContext.Context.GetHttpContext();
            throw new HubException(RateLimitTexts.Message(RateLimitTexts.Language(http), RateLimitTexts.RetryAfterSeconds(lease)));
        }
        return await next(invocationContext);
    }

    public void Dispose()
    {
        foreach (var limiter in owned)
            limiter.Dispose();
    }

    private static HubCaller Caller(HubCallerContext context)
    {
        var address = RateLimitsSetup.ClientAddress(context.GetHttpContext());
        return context.User?.FindFirst(VisitorIdentity.VisitorIdClaim) is { } visitor
            ? new HubCaller($"v:{visitor.Value}", $"s:{context.User.FindFirst(VisitorIdentity.SiteIdClaim)?.Value}", address)
            : new HubCaller($"o:{context.User?.FindFirstValue(ClaimTypes.NameIdentifier)}", "", address);
    }

    private PartitionedRateLimiter<HubCaller> By(RateRule rule, Func<HubCaller, string> key)
    {
        var limiter = PartitionedRateLimiter.Create<HubCaller, string>(caller =>
            RateLimitPartition.GetTokenBucketLimiter(key(caller), _ => rule.ToLimiterOptions()));
        owned.Add(limiter);
        return limiter;
    }

    private static PartitionedRateLimiter<HubCaller> Chain(params PartitionedRateLimiter<HubCaller>[] limiters) =>
        PartitionedRateLimiter.CreateChained(limiters);
}
