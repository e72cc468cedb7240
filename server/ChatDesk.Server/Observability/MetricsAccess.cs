using System.Net;

namespace ChatDesk.Server.Observability;

/// <summary>
/// Who may read <c>/metrics</c>. Off unless <c>ChatDesk:Metrics:Enabled</c> (default: on in demo mode only), and then
/// open to the callers in <c>ChatDesk:Metrics:AllowedNetworks</c> (comma-separated addresses or CIDR networks;
/// empty: any caller). The metrics name skills and nodes and show traffic, so a production node enables them for
/// its monitoring network only.
/// </summary>
public sealed class MetricsAccess
{
    public const string EnabledSetting = "ChatDesk:Metrics:Enabled";
    public const string AllowedNetworksSetting = "ChatDesk:Metrics:AllowedNetworks";

    private readonly IReadOnlyList<IPNetwork> allowed;

    public MetricsAccess(bool enabled, IReadOnlyList<IPNetwork> allowedNetworks)
    {
        Enabled = enabled;
        allowed = allowedNetworks;
    }

    public bool Enabled { get; }

    public static MetricsAccess From(IConfiguration configuration) => new(
        configuration.GetValue(EnabledSetting, configuration.GetValue("ChatDesk:Demo:Enabled", false)),
        ParseNetworks(configuration[AllowedNetworksSetting]));

    /// <summary>"10.0.0.0/8, 127.0.0.1, ::1": a lone address is a network of that one address.</summary>
    /// <exception cref="FormatException">A part is neither: a misconfiguration stops the start rather than opening the endpoint.</exception>
    public static IReadOnlyList<IPNetwork> ParseNetworks(string? setting)
    {
        var networks = new List<IPNetwork>();
        foreach (var part in (setting ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // A network's address has no bits past its prefix: 10.0.0.1/8 is a typo for an address or a network.
            if (part.Contains('/') && IPNetwork.TryParse(part, out var network) && network.BaseAddress.Equals(IPAddress.Parse(part[..part.IndexOf('/')])))
                networks.Add(network);
            else if (IPAddress.TryParse(part, out var address))
                networks.Add(new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128));
            else
                throw new FormatException($"{AllowedNetworksSetting}: '{part}' is neither an IP address nor a network such as 10.0.0.0/8.");
        }
        return networks;
    }

    /// <summary>Whether a caller at this address may read the metrics (the address after forwarded headers).</summary>
    public bool Allows(IPAddress? caller)
    {
        if (!Enabled)
            return false;
        if (allowed.Count == 0)
            return true;
        if (caller is null)
            return false;
        // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
        var address = caller.IsIPv4MappedToIPv6 ? caller.MapToIPv4() : caller;
        foreach (var network in allowed)
        {
            if (network.Contains(address))
                return true;
        }
        return false;
    }
}
