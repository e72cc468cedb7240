using System.Net;
using ChatDesk.Server.Observability;

namespace ChatDesk.Tests.Observability;

public sealed class MetricsAccessTests
{
    private static MetricsAccess Access(string? networks, bool enabled = true) => new(enabled, MetricsAccess.ParseNetworks(networks));

    [Theory]
    [InlineData("10.0.0.0/8", "10.20.30.40", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.7", "192.168.1.7", true)]
    [InlineData("192.168.1.7", "192.168.1.8", false)]
    [InlineData("127.0.0.0/8, ::1", "::1", true)]
    [InlineData("127.0.0.0/8, ::1", "::ffff:127.0.0.1", true)] // IPv4 on a dual-stack socket
    [InlineData("fd00::/8", "fd12::5", true)]
    [InlineData("fd00::/8", "10.0.0.1", false)]
    [InlineData("", "203.0.113.9", true)] // no networks configured: any caller
    public void A_caller_is_allowed_from_the_configured_networks(string networks, string caller, bool allowed) =>
        Assert.Equal(allowed, Access(networks).Allows(IPAddress.Parse(caller)));

    [Fact]
    public void Disabled_metrics_are_refused_to_everyone_and_an_unknown_caller_to_a_restricted_endpoint()
    {
        Assert.False(Access(null, enabled: false).Allows(IPAddress.Loopback));
        Assert.False(Access("127.0.0.1").Allows(null));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("localhost")]
    [InlineData("10.0.0.1/8")] // host bits set: a typo for a network or an address
    public void A_malformed_network_stops_the_start_instead_of_opening_the_endpoint(string networks) =>
        Assert.Throws<FormatException>(() => MetricsAccess.ParseNetworks(networks));
}
