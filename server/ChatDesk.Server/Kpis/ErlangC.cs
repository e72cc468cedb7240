namespace ChatDesk.Server.Kpis;

public sealed record StaffingResult(int OperatorsNeeded, double ServiceLevel, double Occupancy, double ProbabilityOfWaiting, double CostPerConversation);

/// <summary>
/// Erlang C staffing for one hour slot, on the effective handle time (AHT / concurrency, since an
/// operator handles several chats at once): the fewest operators whose expected share of chats
/// answered within the target reaches the goal.
/// </summary>
public static class ErlangC
{
    public const int MaxOperators = 10_000;

    /// <summary>Probability that a chat waits, for <paramref name="agents"/> operators and a load of <paramref name="erlangs"/>.</summary>
    public static double ProbabilityOfWaiting(int agents, double erlangs)
    {
        if (agents <= erlangs)
            return 1;
        // Erlang B by its stable recursion, then converted to Erlang C.
        var b = 1.0;
        for (var k = 1; k <= agents; k++)
            b = erlangs * b / (k + erlangs * b);
        return agents * b / (agents - erlangs * (1 - b));
    }

    public static double ServiceLevel(int agents, double erlangs, double effectiveHandleSeconds, double answerWithinSeconds) =>
        agents <= erlangs ? 0 : 1 - ProbabilityOfWaiting(agents, erlangs) * Math.Exp(-(agents - erlangs) * answerWithinSeconds / effectiveHandleSeconds);

    public static StaffingResult Staff(
        double arrivalsPerHour, double ahtSeconds, double concurrency, double serviceLevelGoal, double answerWithinSeconds, double hourlyCost)
    {
        if (arrivalsPerHour <= 0 || ahtSeconds <= 0 || concurrency <= 0 || serviceLevelGoal is <= 0 or >= 1 || answerWithinSeconds < 0 || hourlyCost < 0)
            throw new ArgumentOutOfRangeException(nameof(arrivalsPerHour), "Arrivals, handle time and concurrency must be positive, the goal between 0 and 1.");
        var effective = ahtSeconds / concurrency;
        var erlangs = arrivalsPerHour * effective / 3600;
        for (var agents = Math.Max(1, (int)Math.Floor(erlangs) + 1); agents <= MaxOperators; agents++)
        {
            var level = ServiceLevel(agents, erlangs, effective, answerWithinSeconds);
            if (level >= serviceLevelGoal)
                return new StaffingResult(agents, level, erlangs / agents, ProbabilityOfWaiting(agents, erlangs), agents * hourlyCost / arrivalsPerHour);
        }
        throw new ArgumentOutOfRangeException(nameof(arrivalsPerHour), $"More than {MaxOperators} operators would be needed.");
    }
}
