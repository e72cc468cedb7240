using ChatDesk.Server.Widget;

namespace ChatDesk.Tests.Widget;

public sealed class SiteOriginsTests
{
    [Theory]
    [InlineData("https://www.example.com", "https://www.example.com")]
    [InlineData("  HTTPS://Shop.Example.COM/ ", "https://shop.example.com")]
    [InlineData("https://example.com:443", "https://example.com")]
    [InlineData("http://127.0.0.1:5080", "http://127.0.0.1:5080")]
    [InlineData("https://*.example.com", "https://*.example.com")]
    [InlineData("http://localhost:8080", "http://localhost:8080")]
    [InlineData("https://bücher.example", "https://xn--bcher-kva.example")]
    public void Origins_are_normalised_as_browsers_send_them(string input, string expected)
    {
        var (origin, error) = SiteOrigins.Normalize(input);
        Assert.Null(error);
        Assert.Equal(expected, origin);
    }

    [Theory]
    [InlineData("example.com")]
    [InlineData("ftp://example.com")]
    [InlineData("javascript:alert(1)")]
    [InlineData("https://example.com/shop")]
    [InlineData("https://example.com?x=1")]
    [InlineData("https://example.com#top")]
    [InlineData("https://user:pw@example.com")]
    [InlineData("https://*")]
    [InlineData("https://*.com")]
    [InlineData("https://shop.*.example.com")]
    [InlineData("*")]
    [InlineData("https://example.com.")]
    [InlineData("https://*.com.")]
    [InlineData("")]
    public void Anything_but_an_origin_is_refused_with_a_reason(string input)
    {
        var (origin, error) = SiteOrigins.Normalize(input);
        Assert.Null(origin);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData("https://shop.example.com", true)]
    [InlineData("https://a.b.example.com", true)]
    [InlineData("https://example.com", false)]
    [InlineData("http://shop.example.com", false)]
    [InlineData("https://shop.example.com:8443", false)]
    [InlineData("https://evilexample.com", false)]
    [InlineData("https://example.com.evil.net", false)]
    [InlineData("https://www.other.org", true)]
    [InlineData("https://WWW.OTHER.ORG", true)]
    [InlineData("null", false)]
    [InlineData(null, false)]
    public void A_wildcard_allows_subdomains_only_and_exact_origins_match_exactly(string? origin, bool allowed) =>
        Assert.Equal(allowed, SiteOrigins.Allows(["https://*.example.com", "https://www.other.org"], origin));
}
