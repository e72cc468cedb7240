using ChatDesk.Server.Routing;

namespace ChatDesk.Tests.Routing;

public sealed class OperatorChooserTests
{
    private static readonly Guid Billing = Guid.NewGuid();
    private static readonly Guid Technical = Guid.NewGuid();
    private static readonly DateTimeOffset Noon = new(2026, 11, 2, 12, 0, 0, TimeSpan.Zero);

    private static OperatorCandidate Candidate(string id, int proficiency = 3, int active = 0, int max = 3,
        string status = OperatorStatus.Online, DateTimeOffset? lastAssigned = null, Guid? skill = null) =>
        new(id, status, new Dictionary<Guid, int> { [skill ?? Billing] = proficiency }, active, max, lastAssigned);

    [Fact]
    public void Only_online_operators_with_the_skill_and_a_free_slot_are_eligible()
    {
        var chosen = OperatorChooser.Choose(
        [
            Candidate("away", proficiency: 5, status: OperatorStatus.Away),
            Candidate("offline", proficiency: 5, status: OperatorStatus.Offline),
            Candidate("full", proficiency: 5, active: 3, max: 3),
            Candidate("other-skill", proficiency: 5, skill: Technical),
            Candidate("eligible", proficiency: 1),
        ], [Billing]);

        Assert.Equal("eligible", chosen?.OperatorId);
    }

    [Fact]
    public void Nobody_is_chosen_when_nobody_is_eligible()
    {
        Assert.Null(OperatorChooser.Choose([Candidate("full", active: 2, max: 2), Candidate("away", status: OperatorStatus.Away)], [Billing]));
        Assert.Null(OperatorChooser.Choose([], [Billing]));
    }

    [Fact]
    public void Highest_proficiency_wins_then_fewest_active_chats_then_longest_since_last_assignment()
    {
        Assert.Equal("expert", OperatorChooser.Choose([Candidate("novice", 2), Candidate("expert", 5, active: 2)], [Billing])?.OperatorId);
        Assert.Equal("idle", OperatorChooser.Choose([Candidate("busy", 4, active: 2), Candidate("idle", 4, active: 0)], [Billing])?.OperatorId);
        Assert.Equal("waited-longer", OperatorChooser.Choose(
        [
            Candidate("recent", 4, active: 1, lastAssigned: Noon),
            Candidate("waited-longer", 4, active: 1, lastAssigned: Noon.AddMinutes(-30)),
        ], [Billing])?.OperatorId);
        Assert.Equal("never-assigned", OperatorChooser.Choose(
        [
            Candidate("recent", 4, lastAssigned: Noon),
            Candidate("never-assigned", 4, lastAssigned: null),
        ], [Billing])?.OperatorId);
    }

    [Fact]
    public void A_chat_without_a_skill_may_go_to_any_online_operator_under_capacity()
    {
        Assert.Equal("b", OperatorChooser.Choose([Candidate("a", active: 1), Candidate("b", skill: Technical)], [])?.OperatorId);
    }

    [Fact]
    public void An_operator_needs_every_requested_skill_and_proficiency_counts_over_all_of_them()
    {
        var both = new OperatorCandidate("both", OperatorStatus.Online, new Dictionary<Guid, int> { [Billing] = 2, [Technical] = 2 }, 0, 3, null);
        var expertInOne = Candidate("billing-expert", proficiency: 5);
        var strongerPair = new OperatorCandidate("stronger", OperatorStatus.Online, new Dictionary<Guid, int> { [Billing] = 3, [Technical] = 4 }, 2, 3, null);

        Assert.Equal("both", OperatorChooser.Choose([expertInOne, both], [Billing, Technical])?.OperatorId);
        Assert.Equal("stronger", OperatorChooser.Choose([expertInOne, both, strongerPair], [Billing, Technical])?.OperatorId);
    }

    [Fact]
    public void Operators_who_refused_the_chat_are_not_chosen_again()
    {
        var excluded = new HashSet<string> { "expert" };
        Assert.Equal("novice", OperatorChooser.Choose([Candidate("expert", 5), Candidate("novice", 1)], [Billing], excluded)?.OperatorId);
        Assert.Null(OperatorChooser.Choose([Candidate("expert", 5)], [Billing], excluded));
    }
}
