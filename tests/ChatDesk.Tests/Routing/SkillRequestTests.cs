using ChatDesk.Server.Routing;

namespace ChatDesk.Tests.Routing;

public sealed class SkillRequestTests
{
    private static readonly Guid Billing = Guid.NewGuid();
    private static readonly Guid Technical = Guid.NewGuid();
    private static readonly Guid French = Guid.NewGuid();
    private static readonly Dictionary<string, Guid> Languages = new() { ["lang-fr"] = French };

    [Theory]
    [InlineData("https://shop.example/pro/*", "https://shop.example/pro/tents?id=4", true)]
    [InlineData("https://shop.example/pro/*", "https://shop.example/promo", false)]
    [InlineData("*/checkout*", "https://shop.example/checkout/pay", true)]
    [InlineData("https://shop.example/a.b", "https://shop.example/aXb", false)]
    public void Url_patterns_match_with_stars_only(string pattern, string url, bool matches) =>
        Assert.Equal(matches, SkillRequest.UrlPatternMatches(pattern, url));

    [Theory]
    [InlineData("fr-CA", "lang-fr")]
    [InlineData("FR", "lang-fr")]
    [InlineData("en_GB", "lang-en")]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("x'; drop", null)]
    public void The_language_skill_comes_from_the_primary_language(string? language, string? key) =>
        Assert.Equal(key, SkillRequest.LanguageSkillKey(language));

    [Fact]
    public void A_chat_asks_for_its_topic_its_pages_rules_and_its_language_when_the_site_routes_by_language()
    {
        PageRule[] rules = [new("https://shop.example/pro/*", Technical), new("https://shop.example/pro/*", Billing)];
        Assert.Equal([Billing, Technical, French], SkillRequest.Resolve(Billing, "https://shop.example/pro/x", rules, "fr-FR", Languages, routeByLanguage: true));
        Assert.Equal([Billing, Technical], SkillRequest.Resolve(Billing, "https://shop.example/pro/x", rules, "fr-FR", Languages, routeByLanguage: false));
        Assert.Equal([Billing], SkillRequest.Resolve(Billing, "https://shop.example/", rules, "de", Languages, routeByLanguage: true));
    }
}
