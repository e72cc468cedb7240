using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ChatDesk.Server;

/// <summary>
/// Behind a load balancer (infra/nginx/chatdesk.conf): the client's address and scheme come from the
/// X-Forwarded-For and X-Forwarded-Proto headers, trusted only from the configured proxies
/// (<c>ChatDesk:KnownProxies</c>: addresses, <c>ChatDesk:KnownNetworks</c>: CIDR ranges, comma-separated).
/// With neither set, no forwarded header is trusted.
/// </summary>
public static class Proxies
{
    public static IApplicationBuilder UseChatDeskForwardedHeaders(this IApplicationBuilder app, IConfiguration configuration)
    {
        var proxies = List(configuration["ChatDesk:KnownProxies"]);
        var networks = List(configuration["ChatDesk:KnownNetworks"]);
        if (proxies.Length == 0 && networks.Length == 0)
            return app;
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        foreach (var network in networks)
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        return app.UseForwardedHeaders(options);
    }

    private static string[] List(string? value) => (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
