namespace ChatDesk.Server.Webhooks;

public static class WebhooksSetup
{
    /// <summary>The outbox (queued by a trigger on the event log, see migration 0018), its dispatcher and webhook sender.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(OutboxOptions.From(configuration));
        services.AddSingleton<OutboxOutcomes>();
        services.AddSingleton<DeliveryPipelines>();
        services.AddSingleton<IOutboxSender, WebhookSender>();
        services.AddHostedService<OutboxDispatcher>();
        return services;
    }

    public static IEndpointRouteBuilder MapWebhooks(this IEndpointRouteBuilder app) => app.MapWebhookAdmin();
}
