using System.Text.Json;
using ChatDesk.Server.Events;
using ChatDesk.Server.Kpis;

namespace ChatDesk.Tests.Kpis;

/// <summary>
/// "Remote time counts in handle time" (../shared/kpis.md): golden scenarios worked out by hand.
/// Times are seconds after T0. Handle time = each operator's engaged intervals + the owner's after-chat work.
/// </summary>
public sealed class RemoteHandleTimeTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly KpiSettings Settings = new(TimeSpan.FromHours(24), 30, 0, 120);

    private static ConversationFacts Facts(params (double At, string Type, object Data, string? Operator)[] script)
    {
        var id = Guid.NewGuid();
        var events = script.Select((e, i) => new EventRecord
        {
            Type = e.Type, OccurredAt = T0.AddSeconds(e.At), ConversationId = id, Sequence = i + 1, OperatorId = e.Operator,
            Data = JsonSerializer.Serialize(e.Data, JsonSerializerOptions.Web),
        });
        return ConversationFacts.From(id, Guid.NewGuid(), null, events);
    }

    // R1: op1 assigned at 10, answers at 20, screen share 60..160 (inside op1's engagement), ended 300, wrapped up 330.
    //     op1 = (300 - 10) + ACW 30 = 320: the 100 s of screen share are already engaged time, not counted twice.
    private static readonly ConversationFacts R1 = Facts(
        (0, EventTypes.ChatRequested, new { }, null),
        (10, EventTypes.ChatAssigned, new { operatorId = "op1" }, "op1"),
        (20, EventTypes.MessageSent, new { authorKind = "operator" }, "op1"),
        (60, EventTypes.RemoteStarted, new { sessionId = "s1", kind = "screen" }, "op1"),
        (160, EventTypes.RemoteEnded, new { sessionId = "s1", kind = "screen", endedBy = "visitor", durationSeconds = 100 }, "op1"),
        (300, EventTypes.ChatEnded, new { endedBy = "operator" }, "op1"),
        (330, EventTypes.WrapUpCompleted, new { disposition = "resolved" }, "op1"));

    // R2: op1 assigned at 10, answers at 20; op2 invited at 50 starts a co-browse at 70, leaves at 100 while it
    //     still runs; it ends at 130. Chat ended 200, wrapped up 220.
    //     op1 = (200 - 10) + ACW 20 = 210. op2 = engaged 50..100 joined with remote 70..130 = 50..130 = 80.
    //     The conversation: 190 + 80 + 20 = 290.
    private static readonly ConversationFacts R2 = Facts(
        (0, EventTypes.ChatRequested, new { }, null),
        (10, EventTypes.ChatAssigned, new { operatorId = "op1" }, "op1"),
        (20, EventTypes.MessageSent, new { authorKind = "operator" }, "op1"),
        (50, EventTypes.OperatorJoined, new { operatorId = "op2" }, "op2"),
        (70, EventTypes.RemoteStarted, new { sessionId = "s2", kind = "cobrowse" }, "op2"),
        (100, EventTypes.OperatorLeft, new { operatorId = "op2" }, "op2"),
        (130, EventTypes.RemoteEnded, new { sessionId = "s2", kind = "cobrowse", endedBy = "operator", durationSeconds = 60 }, "op2"),
        (200, EventTypes.ChatEnded, new { endedBy = "operator" }, "op1"),
        (220, EventTypes.WrapUpCompleted, new { disposition = "resolved" }, "op1"));

    private static KpiSet Team() => KpiCalculator.Team([R1, R2], new Dictionary<Guid, DateTimeOffset>(), [R1, R2], [], T0, T0.AddHours(1), Settings, T0.AddHours(1));

    private static KpiSet Operator(string id) =>
        KpiCalculator.Operator(id, [R1, R2], new Dictionary<Guid, DateTimeOffset>(), [R1, R2], [], T0, T0.AddHours(1), Settings, T0.AddHours(1));

    [Fact]
    public void A_screen_share_inside_the_operators_engagement_is_counted_once()
    {
        Assert.Equal(320, KpiCalculator.HandleTime(R1, Settings, null), 6);
        Assert.Equal(320, KpiCalculator.HandleTime(R1, Settings, "op1"), 6);
    }

    [Fact]
    public void A_session_that_outlives_the_operators_engagement_extends_their_handle_time()
    {
        Assert.Equal(80, KpiCalculator.HandleTime(R2, Settings, "op2"), 6);
        Assert.Equal(210, KpiCalculator.HandleTime(R2, Settings, "op1"), 6);
        Assert.Equal(290, KpiCalculator.HandleTime(R2, Settings, null), 6);
    }

    [Fact]
    public void Average_handle_time_includes_remote_time_for_the_team_and_each_operator()
    {
        // Team: (320 + 290) / 2 = 305. op1: (320 + 210) / 2 = 265. op2 took part in R2 only: 80.
        Assert.Equal(305, Team().Aht.Mean!.Value, 6);
        Assert.Equal(265, Operator("op1").Aht.Mean!.Value, 6);
        Assert.Equal(80, Operator("op2").Aht.Mean!.Value, 6);
    }
}
