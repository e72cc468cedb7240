using System.Net;
using System.Net.Sockets;

namespace ChatDesk.Server.Webhooks;

/// <summary>
/// Server-side request forgery guard: a webhook must not reach ChatDesk's own machine, its private network or a
/// cloud metadata service. Refused by default: loopback, link-local (169.254.0.0/16, where the metadata services
/// live, and fe80::/10), private (10/8, 172.16/12, 192.168/16, fc00::/7), carrier-grade NAT (100.64/10), "this
/// network" (0/8), multicast, broadcast and reserved ranges. IPv4-mapped IPv6 addresses are judged as IPv4.
/// </summary>
public static class TargetAddresses
{
    /// <returns>Why the address is refused (e.g. "loopback"), or null when it is a public address.</returns>
    public static string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address))
            return "loopback";
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "a 'this network' address",
                10 => "private",
                100 when (b[1] & 0xC0) == 64 => "private (carrier-grade NAT)",
                169 when b[1] == 254 => b[2] == 169 && b[3] == 254 ? "a cloud metadata address" : "link-local",
                172 when (b[1] & 0xF0) == 16 => "private",
                192 when b[1] == 168 => "private",
                192 when b[1] == 0 && b[2] == 0 => "reserved",
                >= 224 => "multicast or reserved",
                _ => null,
            };
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.Equals(IPAddress.IPv6None) || address.Equals(IPAddress.IPv6Any))
                return "unspecified";
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal)
                return "link-local";
            if (address.IsIPv6Multicast)
                return "multicast or reserved";
            var first = address.GetAddressBytes()[0];
            if ((first & 0xFE) == 0xFC)
                return "private"; // unique local, fd00:ec2::254 (a metadata service) among them
            return null;
        }
        return "not an IP address";
    }

    /// <summary>The message shown to the admin and stored with a refused delivery.</summary>
    public static string Describe(string host, IPAddress address, string refusal) =>
        $"The target {host} resolves to {address} ({refusal}): ChatDesk does not send webhooks to loopback, link-local, private or metadata addresses.";
}

/// <summary>A connection refused by <see cref="TargetAddresses"/> (not retried: the address will not change by waiting).</summary>
public sealed class TargetRefusedException(string message) : Exception(message);
