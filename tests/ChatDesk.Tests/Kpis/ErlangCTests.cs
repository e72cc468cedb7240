using ChatDesk.Server.Kpis;

namespace ChatDesk.Tests.Kpis;

public sealed class ErlangCTests
{
    [Fact]
    public void The_textbook_case_needs_14_agents_for_85_percent_in_20_seconds()
    {
        // Classic example: 200 contacts an hour of 180 s = 10 Erlangs. 14 agents: Pw = 0.1741,
        // SL(20 s) = 1 - 0.1741 * exp(-(14 - 10) * 20 / 180) = 1 - 0.1741 * 0.6412 = 0.888.
        // 13 agents: Pw = 0.2853, SL = 1 - 0.2853 * exp(-3 * 20 / 180) = 0.796, below the 0.85 goal
        // (checked against the factorial form of the Erlang C formula).
        var result = ErlangC.Staff(arrivalsPerHour: 200, ahtSeconds: 180, concurrency: 1, serviceLevelGoal: 0.85, answerWithinSeconds: 20, hourlyCost: 25);
        Assert.Equal(14, result.OperatorsNeeded);
        Assert.Equal(0.888, result.ServiceLevel, 3);
        Assert.Equal(0.1741, result.ProbabilityOfWaiting, 3);
        Assert.Equal(10.0 / 14, result.Occupancy, 9);
        Assert.Equal(14 * 25.0 / 200, result.CostPerConversation, 9);
        Assert.Equal(0.796, ErlangC.ServiceLevel(13, 10, 180, 20), 3);
        Assert.Equal(0.2853, ErlangC.ProbabilityOfWaiting(13, 10), 4);
    }

    [Fact]
    public void Concurrency_shortens_the_effective_handle_time_and_a_stricter_target_needs_more_operators()
    {
        var single = ErlangC.Staff(60, 480, 1, 0.8, 30, 25);
        var three = ErlangC.Staff(60, 480, 3, 0.8, 30, 25);
        var faster = ErlangC.Staff(60, 480, 3, 0.8, 10, 25);
        Assert.True(three.OperatorsNeeded < single.OperatorsNeeded);
        Assert.True(faster.OperatorsNeeded >= three.OperatorsNeeded);
        Assert.True(faster.CostPerConversation >= three.CostPerConversation);
    }

    [Theory]
    [InlineData(0, 180, 1, 0.8)]
    [InlineData(100, 0, 1, 0.8)]
    [InlineData(100, 180, 0, 0.8)]
    [InlineData(100, 180, 1, 1.0)]
    public void Absurd_inputs_are_refused(double arrivals, double aht, double concurrency, double goal) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ErlangC.Staff(arrivals, aht, concurrency, goal, 20, 25));
}
