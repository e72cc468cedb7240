namespace ChatDesk.Server.RemoteSupport;

public sealed record RemoteRequest(string? Kind);

/// <summary>Where a session stands, for both sides; <see cref="Rtc"/> tells the clients how to connect.</summary>
public sealed record RemoteSessionDto(
    Guid SessionId, Guid ConversationId, string Kind, string Status, string OperatorId, string OperatorName,
    DateTimeOffset RequestedAt, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? EndedBy, RtcConfigDto Rtc);

public sealed record IceServerDto(IReadOnlyList<string> Urls, string? Username, string? Credential);

/// <param name="LoopbackCandidatesOnly">Test hosts only: clients signal 127.0.0.1 candidates and nothing else.</param>
public sealed record RtcConfigDto(IReadOnlyList<IceServerDto> IceServers, bool LoopbackCandidatesOnly);

/// <summary>A signalling message or co-browse part; <see cref="Payload"/> is null when too large to push: fetch it.</summary>
public sealed record RemoteRelayNotice(Guid SessionId, Guid ConversationId, int Sequence, string Kind, string? Payload);

/// <param name="X">Fraction of the shared picture's or page viewport's width, 0..1.</param>
/// <param name="Y">Fraction of its height, 0..1.</param>
/// <param name="Mode">"point" (a pointer) or "highlight" (a ring that stays a moment), or "hide".</param>
public sealed record RemotePointerRequest(double X, double Y, string? Mode);

public sealed record RemotePointerNotice(Guid SessionId, double X, double Y, string Mode, string OperatorName);

public sealed record RemoteCobrowsePart(string? Data, bool Last);

public static class RemoteMappings
{
    public static RemoteSessionDto ToDto(this RemoteSession session, string operatorName, RtcConfigDto rtc) =>
        new(session.Id, session.ConversationId, session.Kind, session.Status, session.OperatorId, operatorName,
            session.RequestedAt, session.StartedAt, session.EndedAt, session.EndedBy, rtc);

    public static RemoteRelayNotice ToNotice(this RemoteRelayItem item, Guid conversationId, bool inline) =>
        new(item.SessionId, conversationId, item.Sequence, item.Kind, inline ? item.Payload : null);
}
