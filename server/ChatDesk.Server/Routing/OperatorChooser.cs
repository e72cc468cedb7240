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
/// have the requested skill and are under capacity; among them the most proficient wins, then the
/// least loaded, then the one who waited longest since their last assignment.
/// </summary>
public static class OperatorChooser
{
    public static bool IsEligible(OperatorCandidate candidate, Guid? skillId) =>
        candidate.Status == OperatorStatus.Online
        && candidate.ActiveChats < candidate.MaxConcurrentChats
        && (skillId is null || candidate.SkillProficiency.ContainsKey(skillId.Value));

    public static OperatorCandidate? Choose(IEnumerable<OperatorCandidate> candidates, Guid? skillId) =>
        candidates
            .Where(c => IsEligible(c, skillId))
            .OrderByDescending(c => skillId is null ? 0 : c.SkillProficiency[skillId.Value])
            .ThenBy(c => c.ActiveChats)
            .ThenBy(c => c.LastAssignedAt ?? DateTimeOffset.MinValue)
            .ThenBy(c => c.OperatorId, StringComparer.Ordinal)
            .FirstOrDefault();
}
