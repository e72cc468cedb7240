namespace ChatDesk.Server.Routing;

public static class RoutingSetup
{
    public static IServiceCollection AddChatRouting(this IServiceCollection services)
    {
        services.AddSingleton<ServerNode>();
        services.AddScoped<RoutingService>();
        services.AddSingleton<RoutingDispatcher>();
        services.AddScoped<PresenceService>();
        services.AddHostedService<RoutingTimers>();
        services.AddSingleton<RoutingMetrics>();
        services.AddHostedService<QueueGaugeRefresher>();
        return services;
    }
}
