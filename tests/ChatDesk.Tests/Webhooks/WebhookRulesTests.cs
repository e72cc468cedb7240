using System.Net;
using ChatDesk.Server.Webhooks;

namespace ChatDesk.Tests.Webhooks;

public sealed class WebhookRulesTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("100.64.0.1", "private (carrier-grade NAT)")]
    [InlineData("169.254.169.254", "a cloud metadata address")]
    [InlineData("169.254.1.1", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00:ec2::254", "private")]
    [InlineData("0.0.0.0", "a 'this network' address")]
    [InlineData("::", "unspecified")]
    [InlineData("224.0.0.1", "multicast or reserved")]
    [InlineData("255.255.255.255", "multicast or reserved")]
    public void Private_loopback_link_local_and_metadata_addresses_are_refused(string address, string why) =>
        Assert.Equal(why, TargetAddresses.Refusal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700::1111")]
    public void Public_addresses_are_allowed(string address) => Assert.Null(TargetAddresses.Refusal(IPAddress.Parse(address)));

    [Fact]
    public void Back_off_doubles_with_jitter_up_to_the_cap_and_a_Retry_After_wins()
    {
        var options = new OutboxOptions { BaseDelayMilliseconds = 1000, MaxDelaySeconds = 60, MaxRetryAfterSeconds = 300 };
        Assert.Equal(TimeSpan.FromMilliseconds(750), RetryDelays.Next(1, null, options, 0));
        Assert.Equal(TimeSpan.FromMilliseconds(2000), RetryDelays.Next(2, null, options, 0.5));
        Assert.InRange(RetryDelays.Next(3, null, options, 0.999).TotalMilliseconds, 4990, 5000);
        Assert.Equal(TimeSpan.FromSeconds(60), RetryDelays.Next(20, null, options, 0));
        Assert.Equal(TimeSpan.FromSeconds(7), RetryDelays.Next(2, TimeSpan.FromSeconds(7), options, 0.9));
        Assert.Equal(TimeSpan.FromSeconds(300), RetryDelays.Next(2, TimeSpan.FromHours(2), options, 0));
        var now = DateTimeOffset.Parse("2026-01-01T00:00:00Z");
        Assert.Equal(TimeSpan.FromSeconds(30), RetryDelays.FromHeader(new System.Net.Http.Headers.RetryConditionHeaderValue(now.AddSeconds(30)), now));
        Assert.Equal(TimeSpan.FromSeconds(5), RetryDelays.FromHeader(new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(5)), now));
    }

    [Fact]
    public void A_signature_verifies_only_with_the_same_secret_timestamp_and_body()
    {
        var secret = WebhookSignature.NewSecret();
        var body = "{\"id\":\"1\"}"u8.ToArray();
        var signature = WebhookSignature.Sign(secret, 1700000000, body);
        Assert.Matches("^v1=[0-9a-f]{64}$", signature);
        Assert.True(WebhookSignature.Verify(secret, 1700000000, body, signature));
        Assert.False(WebhookSignature.Verify(secret, 1700000001, body, signature));
        Assert.False(WebhookSignature.Verify(secret, 1700000000, "{\"id\":\"2\"}"u8.ToArray(), signature));
        Assert.False(WebhookSignature.Verify(WebhookSignature.NewSecret(), 1700000000, body, signature));
        Assert.False(WebhookSignature.Verify(secret, 1700000000, body, null));
        Assert.Equal("whsec_…" + secret[^4..], WebhookSignature.Hint(secret));
    }
}
