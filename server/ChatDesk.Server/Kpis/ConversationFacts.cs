using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;

namespace ChatDesk.Server.Kpis;

/// <summary>One operator's time on a conversation: assigned or joined until they left, transferred it away, or it ended.</summary>
public sealed record EngagedInterval(string OperatorId, DateTimeOffset From, DateTimeOffset To)
{
    public double Seconds => (To - From).TotalSeconds;
}

public sealed record SurveyFacts(int? Csat, int? Nps, int? Ces, bool? Resolved);

/// <summary>
/// What the event log says about one conversation (../shared/kpis.md section 3): its timestamps,
/// who answered first, who owned it when it ended, each operator's engaged intervals, wrap-up and survey.
/// </summary>
public sealed record ConversationFacts(
    Guid ConversationId, Guid VisitorId, Guid? SkillId,
    DateTimeOffset RequestedAt, DateTimeOffset? AssignedAt, DateTimeOffset? FirstResponseAt, string? FirstResponder,
    DateTimeOffset? EndedAt, string? EndedBy, DateTimeOffset? WrappedUpAt, bool WrapUpAuto, string? Disposition,
    string? OwnerAtEnd, IReadOnlyList<string> TransferredAwayBy, IReadOnlyList<EngagedInterval> Intervals, SurveyFacts? Survey)
{
    public bool Answered => FirstResponseAt is not null;
    public bool Abandoned => !Answered && EndedAt is not null && EndedBy == AuthorKind.Visitor;
    public bool Missed => !Answered && EndedAt is not null && EndedBy == AuthorKind.System;
    public int Transfers => TransferredAwayBy.Count;
    public IEnumerable<string> Operators => Intervals.Select(i => i.OperatorId).Distinct();

    /// <summary>Resolved by the wrap-up disposition, or, with no disposition, by the survey.</summary>
    public bool Resolved => Disposition is not null ? Disposition == Dispositions.Resolved : Survey?.Resolved == true;

    /// <summary>Builds the facts from a conversation's events, in sequence order.</summary>
    public static ConversationFacts From(Guid conversationId, Guid visitorId, Guid? skillId, IEnumerable<EventRecord> events)
    {
        DateTimeOffset? requested = null, assigned = null, firstResponse = null, ended = null, wrapped = null;
        string? firstResponder = null, endedBy = null, disposition = null, owner = null, ownerAtEnd = null;
        var wrapUpAuto = false;
        SurveyFacts? survey = null;
        var transfers = new List<string>();
        var open = new Dictionary<string, DateTimeOffset>();
        var intervals = new List<EngagedInterval>();
        var remoteOpen = new Dictionary<string, (string OperatorId, DateTimeOffset From)>();
        var remote = new List<EngagedInterval>();

        void Close(string operatorId, DateTimeOffset at)
        {
            if (open.Remove(operatorId, out var from))
                intervals.Add(new EngagedInterval(operatorId, from, at));
        }

        foreach (var e in events.OrderBy(e => e.Sequence))
        {
            using var data = JsonDocument.Parse(e.Data);
            var root = data.RootElement;
            switch (e.Type)
            {
                case EventTypes.ChatRequested:
                    requested = e.OccurredAt;
                    break;
                case EventTypes.ChatAssigned:
                    assigned ??= e.OccurredAt;
                    owner = e.OperatorId;
                    open.TryAdd(e.OperatorId!, e.OccurredAt);
                    break;
                case EventTypes.ChatTransferred:
                    var from = root.GetProperty("from").GetString()!;
                    transfers.Add(from);
                    Close(from, e.OccurredAt);
                    owner = null;
                    break;
                case EventTypes.OperatorJoined:
                    open.TryAdd(root.GetProperty("operatorId").GetString()!, e.OccurredAt);
                    break;
                case EventTypes.OperatorLeft:
                    Close(root.GetProperty("operatorId").GetString()!, e.OccurredAt);
                    break;
                case EventTypes.MessageSent when root.GetProperty("authorKind").GetString() == AuthorKind.Operator:
                    if (firstResponse is null)
                    {
                        firstResponse = e.OccurredAt;
                        firstResponder = e.OperatorId;
                    }
                    break;
                case EventTypes.RemoteStarted when e.OperatorId is not null:
                    remoteOpen[root.GetProperty("sessionId").GetString()!] = (e.OperatorId, e.OccurredAt);
                    break;
                case EventTypes.RemoteEnded:
                    if (remoteOpen.Remove(root.GetProperty("sessionId").GetString()!, out var stopped))
                        remote.Add(new EngagedInterval(stopped.OperatorId, stopped.From, e.OccurredAt));
                    break;
                case EventTypes.ChatEnded:
                    ended = e.OccurredAt;
                    foreach (var running in remoteOpen.Values)
                        remote.Add(new EngagedInterval(running.OperatorId, running.From, e.OccurredAt));
                    remoteOpen.Clear();
                    endedBy = root.GetProperty("endedBy").GetString();
                    ownerAtEnd = owner;
                    foreach (var operatorId in open.Keys.ToList())
                        Close(operatorId, e.OccurredAt);
                    break;
                case EventTypes.WrapUpCompleted:
                    wrapped = e.OccurredAt;
                    wrapUpAuto = root.TryGetProperty("auto", out var auto) && auto.GetBoolean();
                    disposition = root.TryGetProperty("disposition", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
                    break;
                case EventTypes.SurveySubmitted:
                    survey = new SurveyFacts(IntOrNull(root, "csat"), IntOrNull(root, "nps"), IntOrNull(root, "ces"),
                        root.TryGetProperty("resolved", out var r) && r.ValueKind is JsonValueKind.True or JsonValueKind.False ? r.GetBoolean() : null);
                    break;
            }
        }

        return new ConversationFacts(conversationId, visitorId, skillId,
            requested ?? throw new InvalidOperationException($"Conversation {conversationId} has no chat.requested event."),
            assigned, firstResponse, firstResponder, ended, endedBy, wrapped, wrapUpAuto, disposition, ownerAtEnd, transfers,
            WithRemoteTime(intervals, remote), survey);
    }

    /// <summary>
    /// Remote time counts in handle time: an operator's screen share or co-browse is engaged time, so
    /// where it ran outside their engaged intervals it extends them; where it ran inside, it adds nothing.
    /// </summary>
    public static IReadOnlyList<EngagedInterval> WithRemoteTime(IReadOnlyList<EngagedInterval> engaged, IReadOnlyList<EngagedInterval> remote)
    {
        if (remote.Count == 0)
            return engaged;
        var remoteOperators = remote.Select(r => r.OperatorId).ToHashSet();
        var merged = engaged.Where(i => !remoteOperators.Contains(i.OperatorId)).ToList();
        foreach (var group in engaged.Concat(remote).Where(i => remoteOperators.Contains(i.OperatorId)).GroupBy(i => i.OperatorId))
        {
            EngagedInterval? current = null;
            foreach (var interval in group.OrderBy(i => i.From))
            {
                if (current is not null && interval.From <= current.To)
                {
                    current = current with { To = interval.To > current.To ? interval.To : current.To };
                    continue;
                }
                if (current is not null)
                    merged.Add(current);
                current = interval;
            }
            merged.Add(current!);
        }
        return merged;
    }

    private static int? IntOrNull(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;
}
