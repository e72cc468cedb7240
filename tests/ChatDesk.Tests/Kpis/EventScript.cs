using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Kpis;

namespace ChatDesk.Tests.Kpis;

/// <summary>A conversation's events written by hand, at seconds after T0, with gap-free sequence numbers.</summary>
public sealed class EventScript(Guid visitorId, DateTimeOffset t0, Guid? skillId = null)
{
    public Guid ConversationId { get; } = Guid.NewGuid();
    public Guid VisitorId { get; } = visitorId;
    public Guid? SkillId { get; } = skillId;
    public List<EventRecord> Events { get; } = [];

    public EventScript At(double seconds, string type, object data, string? operatorId = null)
    {
        Events.Add(new EventRecord
        {
            Type = type, OccurredAt = t0.AddSeconds(seconds), ConversationId = ConversationId, Sequence = Events.Count + 1,
            OperatorId = operatorId, VisitorId = VisitorId, Data = JsonSerializer.Serialize(data, JsonSerializerOptions.Web),
        });
        return this;
    }

    public EventScript Requested(double t) => At(t, EventTypes.ChatRequested, new { });
    public EventScript Assigned(double t, string op) => At(t, EventTypes.ChatAssigned, new { operatorId = op }, op);
    public EventScript Said(double t, string kind, string? op = null) => At(t, EventTypes.MessageSent, new { authorKind = kind, operatorId = op }, op);
    public EventScript Transferred(double t, string from, string to) =>
        At(t, EventTypes.ChatTransferred, new { from, to, reason = "transfer" }, from).Assigned(t, to);
    public EventScript Joined(double t, string op) => At(t, EventTypes.OperatorJoined, new { operatorId = op }, op);
    public EventScript Left(double t, string op) => At(t, EventTypes.OperatorLeft, new { operatorId = op }, op);
    public EventScript Ended(double t, string by) => At(t, EventTypes.ChatEnded, new { endedBy = by });
    public EventScript WrappedUp(double t, string? disposition, bool auto = false) => At(t, EventTypes.WrapUpCompleted, new { disposition, auto });
    public EventScript Survey(double t, int? csat, int? nps, int? ces, bool? resolved) => At(t, EventTypes.SurveySubmitted, new { csat, nps, ces, resolved });
    public ConversationFacts Facts() => ConversationFacts.From(ConversationId, VisitorId, SkillId, Events);

    /// <summary>The conversation row its events describe (state of record beside the log).</summary>
    public Conversation Conversation(Guid siteId)
    {
        var f = Facts();
        var owner = Events.LastOrDefault(e => e.Type == EventTypes.ChatAssigned)?.OperatorId;
        return new Conversation
        {
            Id = ConversationId, SiteId = siteId, VisitorId = VisitorId, SkillId = SkillId, VisitorName = $"Visitor {VisitorId.ToString()[..4]}",
            Status = f.EndedAt is not null ? ConversationStatus.Ended : owner is not null ? ConversationStatus.Assigned : ConversationStatus.Queued,
            OperatorId = owner, RequestedAt = f.RequestedAt, AssignedAt = f.AssignedAt, EndedAt = f.EndedAt, EndedBy = f.EndedBy,
            WrapUpCompletedAt = f.WrappedUpAt, WrapUpAuto = f.WrapUpAuto, Disposition = f.Disposition, LastEventSequence = Events.Count,
        };
    }
}
