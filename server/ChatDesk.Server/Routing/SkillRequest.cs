using System.Text.RegularExpressions;

namespace ChatDesk.Server.Routing;

/// <summary>A site rule: visitors on pages matching the pattern need the skill. '*' matches anything.</summary>
public sealed record PageRule(string UrlPattern, Guid SkillId);

/// <summary>
/// The skills a chat asks for: the pre-chat topic's skill, the skills of the site rules its page
/// matches, and the visitor's language skill (lang-xx) when the site routes by language.
/// </summary>
public static class SkillRequest
{
    public const string LanguageSkillPrefix = "lang-";

    public static IReadOnlyList<Guid> Resolve(
        Guid topicSkill, string? pageUrl, IEnumerable<PageRule> rules, string? language, IReadOnlyDictionary<string, Guid> skillsByKey, bool routeByLanguage)
    {
        var skills = new List<Guid> { topicSkill };
        if (pageUrl is not null)
            skills.AddRange(rules.Where(r => UrlPatternMatches(r.UrlPattern, pageUrl)).Select(r => r.SkillId));
        if (routeByLanguage && LanguageSkillKey(language) is { } key && skillsByKey.TryGetValue(key, out var languageSkill))
            skills.Add(languageSkill);
        return skills.Distinct().ToList();
    }

    /// <summary>"fr-CA" asks for lang-fr.</summary>
    public static string? LanguageSkillKey(string? language)
    {
        var primary = language?.Split('-', '_')[0].Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(primary) || primary.Length > 8 || !primary.All(char.IsAsciiLetterLower) ? null : LanguageSkillPrefix + primary;
    }

    public static bool UrlPatternMatches(string pattern, string url) =>
        Regex.IsMatch(url, "^" + Regex.Escape(pattern).Replace("\\*", ".*") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(50));
}
