using Microsoft.AspNetCore.SignalR;
using StackExchange.Redis;
using ChatDesk.Server.Events;

namespace ChatDesk.Server.Chats;

public static class ChatsSetup
{
    /// <summary>
    /// The largest legitimate hub message is a co-browse part (at most 28,000 UTF-8 bytes of data, split so by
    /// the widget) or a signalling message (16,000 characters), plus their JSON envelope: 32 KiB holds both, and
    /// anything larger is refused before it is read whole (the connection is closed).
    /// </summary>
    public const int MaxHubMessageBytes = 32 * 1024;

    /// <summary>
    /// One call at a time per connection: a client cannot hold many database connections or server threads at
    /// once, and its calls run in the order sent (the widget's co-browse parts and messages rely on it).
    /// </summary>
    public const int MaxParallelInvocationsPerClient = 1;

    public const string RedisSetting = "ChatDesk:Redis";

    public static IServiceCollection AddChats(this IServiceCollection services, IConfiguration configuration)
    {
        var signalR = services.AddSignalR(options =>
        {
            options.MaximumReceiveMessageSize = MaxHubMessageBytes;
            options.MaximumParallelInvocationsPerClient = MaxParallelInvocationsPerClient;
            options.EnableDetailedErrors = true; // safe: ChatErrorFilter hides internal failures
            // Outermost first: every log line of a call carries its conversation; a call over its limit is refused
            // before anything (database retries included) runs.
            options.AddFilter<Observability.ConversationLogScopeFilter>();
            options.AddFilter<ConnectionMetricsFilter>();
            options.AddFilter<RateLimits.HubRateLimitFilter>();
            options.AddFilter<ChatErrorFilter>();
        });
        if (configuration[RedisSetting] is { Length: > 0 } redisConnection)
        {
            // Nodes behind a load balancer: the standard SignalR backplane carries every hub call to the node
            // holding the connection. A node keeps serving while Redis is away (pushes wait for resumes).
            var redis = ConfigurationOptions.Parse(redisConnection);
            redis.AbortOnConnectFail = false;
            // While Redis is away a push fails at once (clients resync when it is back) instead of holding the
            // hub call in a send backlog.
            redis.BacklogPolicy = BacklogPolicy.FailFast;
            // Come back within a second of Redis, however long it was away (the default backs off further and further).
            redis.ReconnectRetryPolicy = new LinearRetry(1000);
            redis.ClientName ??= "chatdesk";
            signalR.AddStackExchangeRedis(options =>
            {
                options.Configuration = redis.Clone();
                options.Configuration.ChannelPrefix = RedisChannel.Literal("chatdesk");
            });
            services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis.Clone()));
            services.AddSingleton<RedisSignals>();
            services.AddHostedService<BackplaneResync>();
        }
        // SignalR logs every hub call that throws as an error with its stack trace, refusals included (a broken
        // rule, a rate limit, a malformed call): an abuser could flood the logs and the disk. ChatErrorFilter logs
        // the failures that are the server's own.
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher", LogLevel.Critical));
        services.AddSingleton<EventLog>();
        services.AddSingleton<PushBus>();
        services.AddHostedService(provider => provider.GetRequiredService<PushBus>());
        services.AddSingleton<ChatNotifier>();
        services.AddSingleton<ChatMetrics>();
        services.AddSingleton<ConnectionMetricsFilter>(); // singletons: no filter instance per hub call
        services.AddSingleton<Observability.ConversationLogScopeFilter>();
        services.AddSingleton<MessageAppender>();
        services.AddHostedService(services => services.GetRequiredService<MessageAppender>());
        services.AddScoped<ChatService>();
        services.AddScoped<WorkspaceService>();
        services.AddMemoryCache();
        services.AddSingleton<TypingAudiences>();
        services.AddHostedService(provider => provider.GetRequiredService<TypingAudiences>());
        services.AddSingleton<TypingRelay>();
        return services;
    }

    /// <summary>
    /// Hub and file requests must come from ChatDesk's own pages (the console and the widget frame):
    /// the operator hub authenticates by cookie, so a foreign page opening a WebSocket to it
    /// (cross-site WebSocket hijacking) is refused, and files are sent and read the same way.
    /// </summary>
    public static IApplicationBuilder UseHubOriginCheck(this IApplicationBuilder app)
    {
        // Behind a TLS reverse proxy the request itself looks like http://internal-host, so the
        // configured public URL is accepted as ChatDesk's own origin too.
        var publicUrl = app.ApplicationServices.GetRequiredService<IConfiguration>()["ChatDesk:PublicUrl"];
        var publicOrigin = Uri.TryCreate(publicUrl, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : null;
        return app.Use(async (context, next) =>
        {
            if ((context.Request.Path.StartsWithSegments("/hubs") || context.Request.Path.StartsWithSegments("/api/files"))
                && context.Request.Headers.Origin is { Count: > 0 } header)
            {
                var origin = header.ToString();
                var own = $"{context.Request.Scheme}://{context.Request.Host}";
                if (!string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) && !string.Equals(origin, publicOrigin, StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.StatusCode = StatusCodes.Status403Forbidden;
                    await context.Response.WriteAsync("Origin not allowed.");
                    return;
                }
            }
            await next();
        });
    }

    public static IEndpointRouteBuilder MapChats(this IEndpointRouteBuilder app)
    {
        app.MapHub<VisitorHub>("/hubs/visitor").RequireRateLimiting(RateLimits.RateLimitsSetup.VisitorConnectionPolicy);
        app.MapHub<OperatorHub>("/hubs/operator");
        return app;
    }
}
