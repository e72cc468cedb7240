namespace ChatDesk.Server.Routing;

public static class RoutingSetup
{
    public static IServiceCollection AddChatRouting(this IServiceCollection services)
    {
        services.AddScoped<RoutingService>();
        services.AddScoped<PresenceService>();
        return services;
    }
}
