using System.Text.Json;
using ChatDesk.Server.Events;
using ChatDesk.Server.Kpis;

namespace ChatDesk.Tests.Kpis;

/// <summary>
/// Golden scenarios: each expected figure is worked out by hand from ../shared/kpis.md (in the
/// comments), not from the code. Times are seconds after T0; settings: repeat window 24 h, service
/// level 30 s, short abandon 10 s (on), wrap-up timeout 120 s.
/// </summary>
public sealed class KpiGoldenTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly KpiSettings Settings = new(TimeSpan.FromHours(24), 30, 10, 120);
    private const string Op1 = "op1";
    private const string Op2 = "op2";
    private static readonly Guid VisitorA = Guid.NewGuid();

    // A: bot notice at 6 s, human answer at 20 s, resolved. B: answered by op1, transferred to op2, unresolved, survey.
    // C: abandoned after 60 s. D: short abandon (8 s). E: missed. F: invited op2, wrap-up timed out, survey says resolved.
    // G: A's visitor again at 3900 s (inside the repeat window), abandoned after 50 s.
    /// <summary>The golden conversations A to G, at seconds after t0, with the given operators (also replayed through the database by KpiDerivedTests).</summary>
    public static EventScript[] Scenario(DateTimeOffset t0, string op1, string op2, Guid visitorA, Guid? skillId = null) =>
    [
        new EventScript(visitorA, t0, skillId).Requested(0).Assigned(5, op1).Said(6, "automated").Said(20, "operator", op1)
            .Ended(300, "operator").WrappedUp(360, "resolved"),
        new EventScript(Guid.NewGuid(), t0, skillId).Requested(100).Assigned(110, op1).Said(140, "operator", op1).Transferred(200, op1, op2)
            .Said(210, "operator", op2).Ended(500, "visitor").WrappedUp(520, "unresolved").Survey(600, 5, 10, 6, true),
        new EventScript(Guid.NewGuid(), t0, skillId).Requested(1000).Said(1001, "automated").Ended(1060, "visitor"),
        new EventScript(Guid.NewGuid(), t0, skillId).Requested(2000).Ended(2008, "visitor"),
        new EventScript(Guid.NewGuid(), t0, skillId).Requested(3000).Ended(3000, "system"),
        new EventScript(Guid.NewGuid(), t0, skillId).Requested(4000).Assigned(4002, op1).Said(4012, "operator", op1)
            .Joined(4050, op2).Said(4060, "operator", op2).Left(4100, op2)
            .Ended(4200, "operator").WrappedUp(4400, null, auto: true).Survey(4500, 3, 6, null, true),
        new EventScript(visitorA, t0, skillId).Requested(3900).Ended(3950, "visitor"),
    ];

    private static readonly EventScript[] Scripts = Scenario(T0, Op1, Op2, VisitorA);
    private static readonly EventScript A = Scripts[0];
    private static readonly ConversationFacts[] Facts = Scripts.Select(s => s.Facts()).ToArray();
    private static readonly Dictionary<Guid, DateTimeOffset> NextRequest = new() { [A.ConversationId] = T0.AddSeconds(3900) };
    private static readonly StaffedInterval[] Staffed = [new(Op1, T0, T0.AddSeconds(5000)), new(Op2, T0.AddSeconds(100), T0.AddSeconds(5000))];
    private static readonly DateTimeOffset Now = T0.AddSeconds(5000);

    private static KpiSet Team() => KpiCalculator.Team(Facts, NextRequest, Facts, Staffed, T0, T0.AddSeconds(5000), Settings, Now);
    private static KpiSet Operator(string id) => KpiCalculator.Operator(id, Facts, NextRequest, Facts, Staffed, T0, T0.AddSeconds(5000), Settings, Now);

    private static void Near(double expected, double? actual) => Assert.Equal(expected, actual!.Value, 6);

    [Fact]
    public void Volume_counts_answered_abandoned_short_abandoned_and_missed()
    {
        Assert.Equal(new Volume(Requested: 7, Answered: 3, Abandoned: 3, ShortAbandoned: 1, Missed: 1), Team().Volume);
    }

    [Fact]
    public void First_response_ignores_automated_messages_and_abandoned_chats()
    {
        // A 20 (not the bot's 6), B 40, F 12 -> sorted 12, 20, 40: mean 24, median 20, p90 = 20 + 0.8 * 20 = 36.
        var frt = Team().Frt;
        Assert.Equal((24.0, 20.0, 36.0, 3), (frt.Mean!.Value, frt.Median!.Value, frt.P90!.Value, frt.Count));
    }

    [Fact]
    public void Wait_and_time_to_abandon()
    {
        // ASA: A 5, B 10, F 2 -> mean 17/3, median 5, p90 = 5 + 0.8 * 5 = 9. ATA: C 60, D 8, G 50 -> 118/3.
        var team = Team();
        Near(17.0 / 3, team.Asa.Mean);
        Assert.Equal((5.0, 9.0), (team.Asa.Median!.Value, team.Asa.P90!.Value));
        Near(118.0 / 3, team.Ata.Mean);
    }

    [Fact]
    public void Short_abandons_leave_the_abandonment_rate_and_service_level()
    {
        // Abandonment: (3 - 1) / (7 - 1). Service level: A and F answered within 30 s / (3 answered + 2 counted abandons).
        var team = Team();
        Near(2.0 / 6, team.AbandonmentRate);
        Near(2.0 / 5, team.ServiceLevel);
    }

    [Fact]
    public void Handle_time_sums_every_operators_intervals_and_the_owners_capped_after_chat_work()
    {
        // A: 5..300 + ACW 60 = 355. B: op1 110..200 (90) + op2 200..500 (300) + ACW 20 = 410.
        // F: op1 4002..4200 (198) + op2 4050..4100 (50) + ACW 200 capped to 120 = 368.
        var team = Team();
        Near((355.0 + 410 + 368) / 3, team.Aht.Mean);
        Near((60.0 + 20 + 120) / 3, team.Acw.Mean);
    }

    [Fact]
    public void Resolution_uses_the_disposition_first_and_the_survey_when_there_is_none()
    {
        // A resolved (disposition); B unresolved despite its survey; F resolved by its survey (auto wrap-up, no disposition).
        var team = Team();
        Near(2.0 / 3, team.ResolutionRate);
        Assert.Equal((250.0, 250.0), (team.ResolutionTime.Mean!.Value, team.ResolutionTime.Median!.Value)); // A 300, F 200
    }

    [Fact]
    public void First_contact_resolution_is_broken_by_a_repeat_inside_the_window_and_provisional_while_it_is_open()
    {
        // A came back (G) inside 24 h: not FCR. F: no repeat yet, window open at "now": FCR, provisional. 1 / 3 answered.
        var fcr = Team().Fcr;
        Near(1.0 / 3, fcr.Rate);
        Assert.Equal((1, 1), (fcr.Conversations, fcr.Provisional));
        var later = KpiCalculator.Team(Facts, NextRequest, Facts, Staffed, T0, T0.AddSeconds(5000), Settings, T0.AddDays(2));
        Assert.Equal(0, later.Fcr.Provisional);
    }

    [Fact]
    public void Surveys_give_csat_nps_ces_customer_fcr_and_the_response_rate()
    {
        // CSAT: B 5, F 3 -> 1 of 2 satisfied, mean 4. NPS: B 10 promoter, F 6 detractor -> 0. CES: B 6.
        // Customer FCR: B yes, F yes -> 1. Response rate: 2 surveys / 3 answered and ended.
        var team = Team();
        Assert.Equal(new CsatFigure(0.5, 4), team.Csat);
        Assert.Equal(0, team.Nps);
        Assert.Equal(6, team.Ces);
        Assert.Equal(1, team.CustomerFcr);
        Near(2.0 / 3, team.SurveyResponseRate);
        Near(1.0 / 3, team.TransferRate);
    }

    [Fact]
    public void Utilization_is_busy_over_staffed_time_and_concurrency_handle_over_busy_time()
    {
        // Busy op1: 5..360 (A + ACW) already covers B's 110..200 (two chats at once), then 4002..4320 (F + capped ACW)
        // = 355 + 318 = 673. Busy op2: 200..520 (B + ACW) + 4050..4100 (F) = 370. Staffed 5000 + 4900.
        // Concurrency: total handle time 355 + 410 + 368 = 1133 over busy time 673 + 370 = 1043.
        var team = Team();
        Near((673.0 + 370) / 9900, team.Utilization);
        Near(1133.0 / 1043, team.Concurrency);
        Near(370.0 / 4900, Operator(Op2).Utilization);
    }

    [Fact]
    public void After_a_transfer_each_figure_goes_to_the_operator_the_specification_names()
    {
        var op1 = Operator(Op1);
        var op2 = Operator(Op2);
        // FRT to who answered first: op1 answered A, B and F first.
        Assert.Equal((24.0, 3), (op1.Frt.Mean!.Value, op1.Frt.Count));
        Assert.Equal(0, op2.Frt.Count);
        Assert.Null(op2.Frt.Mean);
        // Handle time: own intervals, plus after-chat work when owner at the end.
        Near((355.0 + 90 + 318) / 3, op1.Aht.Mean); // A 295 + 60, B 90, F 198 + 120
        Near((320.0 + 50) / 2, op2.Aht.Mean);        // B 300 + 20, F 50
        // Resolution, CSAT, NPS to the owner at the end: B is op2's, A and F op1's.
        Assert.Equal(1.0, op1.ResolutionRate);
        Assert.Equal(0.0, op2.ResolutionRate);
        Assert.Equal(new CsatFigure(0, 3), op1.Csat);
        Assert.Equal(new CsatFigure(1, 5), op2.Csat);
        Assert.Equal((-100.0, 100.0), (op1.Nps!.Value, op2.Nps!.Value));
        // Transfer rate: answered conversations they took part in that they transferred away.
        Near(1.0 / 3, op1.TransferRate);
        Assert.Equal(0.0, op2.TransferRate);
        // Team-only figures stay empty for operators.
        Assert.Null(op1.AbandonmentRate);
        Assert.Null(op1.ServiceLevel);
    }

    [Fact]
    public void An_empty_population_is_no_data_never_zero()
    {
        var empty = KpiCalculator.Team([], new Dictionary<Guid, DateTimeOffset>(), [], [], T0, T0.AddDays(1), Settings, Now);
        Assert.Null(empty.Frt.Mean);
        Assert.Null(empty.AbandonmentRate);
        Assert.Null(empty.Nps);
        Assert.Null(empty.Csat.Rate);
        Assert.Null(empty.Fcr.Rate);
        Assert.Null(empty.Utilization);
    }

    [Theory]
    [InlineData(new[] { 1.0 }, 0.5, 1.0)]
    [InlineData(new[] { 1.0, 2.0 }, 0.5, 1.5)]
    [InlineData(new[] { 10.0, 20.0, 30.0, 40.0 }, 0.9, 37.0)]
    public void Percentiles_interpolate_like_percentile_cont(double[] sorted, double fraction, double expected) =>
        Assert.Equal(expected, Percentiles.Continuous(sorted, fraction), 9);
}
