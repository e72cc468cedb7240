using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.Routing;
using Microsoft.AspNetCore.Authorization;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ChatDesk.Server.Observability;

/// <summary>
/// OpenTelemetry metrics and traces: ASP.NET Core, SignalR hub calls, Npgsql, outbound HTTP, the .NET runtime, and
/// ChatDesk's own meter (<see cref="ChatDeskMeter"/>). Metrics are scraped at <c>/metrics</c> (Prometheus text,
/// see <see cref="MetricsAccess"/>) and/or pushed over OTLP; traces go over OTLP only. The OTLP exporter follows the
/// standard <c>OTEL_EXPORTER_OTLP_*</c> settings and is on when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set. With
/// neither reader nothing listens, and the instruments cost next to nothing.
/// </summary>
public static class ObservabilitySetup
{
    public const string MetricsPath = "/metrics";
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>ASP.NET Core 9+ traces each hub method call from this source.</summary>
    public const string SignalRServerSource = "Microsoft.AspNetCore.SignalR.Server";

    /// <summary>Npgsql's own traces and metrics (no extra package needed).</summary>
    public const string NpgsqlSource = "Npgsql";

    public static WebApplicationBuilder AddObservability(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var access = MetricsAccess.From(configuration);
        var otlp = configuration[OtlpEndpointSetting] is { Length: > 0 };
        builder.Services.AddSingleton(access);
        builder.Services.AddSingleton(new MetricsExport(access.Enabled || otlp,
            TimeSpan.FromSeconds(Math.Clamp(configuration.GetValue(MetricsExport.RefreshSecondsSetting, 5), 1, 300))));
        if (!access.Enabled && !otlp)
            return builder;

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("chatdesk", serviceInstanceId: ServerNode.NameFor(configuration)));
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(ChatDeskMeter.Name, NpgsqlSource, "System.Runtime")
                .AddAspNetCoreInstrumentation() // requests, Kestrel, SignalR connections, rate limiting
                .AddHttpClientInstrumentation();
            if (access.Enabled)
                metrics.AddPrometheusExporter(options => options.ScrapeResponseCacheDurationMilliseconds = ScrapeCacheMilliseconds);
            if (otlp)
                metrics.AddOtlpExporter();
        });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path))
                .AddSource(SignalRServerSource, NpgsqlSource)
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }
        return builder;
    }

    /// <summary>
    /// A scrape is answered from the last one for this long: however often <c>/metrics</c> is called, the metrics are
    /// collected at most once a second.
    /// </summary>
    public const int ScrapeCacheMilliseconds = 1000;

    /// <summary>The scrape endpoint (when enabled), and the conversation log scope of requests on a conversation.</summary>
    public static WebApplication UseObservability(this WebApplication app)
    {
        app.UseConversationLogScope();
        var access = app.Services.GetRequiredService<MetricsAccess>();
        // Disabled: no endpoint at all (404). Enabled: 401/403 for a caller outside the allowed networks without a token.
        if (access.Enabled)
        {
            app.MapPrometheusScrapingEndpoint(MetricsPath)
                .Add(endpoint =>
                {
                    var scrape = endpoint.RequestDelegate!;
                    endpoint.RequestDelegate = async context =>
                    {
                        // The monitoring networks scrape as they are; from anywhere else a metrics:read token (or an admin) may.
                        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
                        if (access.Allows(context.Connection.RemoteIpAddress)
                            || (await authorization.AuthorizeAsync(context.User, ApiPolicies.MetricsRead)).Succeeded)
                        {
                            await scrape(context);
                            return;
                        }
                        context.Response.StatusCode = context.User.Identity?.IsAuthenticated == true
                            ? StatusCodes.Status403Forbidden : StatusCodes.Status401Unauthorized;
                    };
                });
        }
        return app;
    }

    private static bool IsProbe(PathString path) => path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/healthz");
}
