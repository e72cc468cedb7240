namespace ChatDesk.Server.Routing;

/// <summary>What routing knows about one operator when it decides who takes a chat.</summary>
public sealed record OperatorCandidate(
    string OperatorId,
    string Status,
    IReadOnlyDictionary<Guid, int> SkillProficiency,
    int ActiveChats,
    int MaxConcurrentChats,
    DateTimeOffset? LastAssignedAt);

/// <summary>
/// The routing choice, kept pure so it can be unit-tested and grow: eligible operators are online,
/// have every requested skill and are under capacity; among them the most proficient (summed over
/// the requested skills) wins, then the least loaded, then the one who waited longest since their
/// last assignment. Operators who already declined or let the chat's offer time out are skipped.
/// </summary>
public static class OperatorChooser
{
    public static bool IsEligible(OperatorCandidate candidate, IReadOnlyCollection<Guid> skills) =>
        candidate.Status == OperatorStatus.Online
        && candidate.ActiveChats < candidate.MaxConcurrentChats
        && skills.All(candidate.SkillProficiency.ContainsKey);

    public static OperatorCandidate? Choose(
        IEnumerable<OperatorCandidate> candidates, IReadOnlyCollection<Guid> skills, IReadOnlySet<string>? excluded = null) =>
        candidates
            .Where(c => IsEligible(c, skills) && excluded?.Contains(c.OperatorId) != true)
            .OrderByDescending(c => skills.Sum(s => c.SkillProficiency[s]))
            .ThenBy(c => c.ActiveChats)
            .ThenBy(c => c.LastAssignedAt ?? DateTimeOffset.MinValue)
            .ThenBy(c => c.OperatorId, StringComparer.Ordinal)
            .FirstOrDefault();
}
