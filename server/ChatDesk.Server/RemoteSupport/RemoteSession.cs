namespace ChatDesk.Server.RemoteSupport;

/// <summary>
/// One screen share or co-browse in a conversation: requested by an operator of the chat, started
/// only by the visitor's consent, ended by either side or by the chat's end. The state of record.
/// </summary>
public sealed class RemoteSession
{
    public Guid Id { get; set; }
    public Guid ConversationId { get; set; }

    /// <summary><see cref="RemoteKinds.Screen"/> or <see cref="RemoteKinds.Cobrowse"/>.</summary>
    public required string Kind { get; set; }

    public string Status { get; set; } = RemoteStatus.Requested;

    /// <summary>The operator who asked: the visitor's only WebRTC peer and signalling partner.</summary>
    public required string OperatorId { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    /// <summary>When the visitor consented.</summary>
    public DateTimeOffset? StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>visitor, operator or system.</summary>
    public string? EndedBy { get; set; }

    /// <summary>Last relay sequence handed out in this session (signals and co-browse batches share it).</summary>
    public int LastRelaySequence { get; set; }

    /// <summary>Bytes relayed so far: a session may relay at most <see cref="RemoteRules.MaxSessionRelayBytes"/>.</summary>
    public long RelayBytes { get; set; }

    public bool IsLive => Status is RemoteStatus.Requested or RemoteStatus.Active;
}

/// <summary>A signalling message or a co-browse batch of a live session, for whoever must receive it.</summary>
public sealed class RemoteRelayItem
{
    public long Id { get; set; }
    public Guid SessionId { get; set; }
    public int Sequence { get; set; }

    /// <summary><see cref="RemoteAudience.Visitor"/> or <see cref="RemoteAudience.Operators"/>.</summary>
    public required string Audience { get; set; }

    /// <summary><see cref="RemoteRelayKinds.Signal"/> or <see cref="RemoteRelayKinds.Cobrowse"/>.</summary>
    public required string Kind { get; set; }

    public required string Payload { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}

public static class RemoteKinds
{
    public const string Screen = "screen";
    public const string Cobrowse = "cobrowse";
    public static bool IsKnown(string? kind) => kind is Screen or Cobrowse;
}

public static class RemoteStatus
{
    public const string Requested = "requested";
    public const string Active = "active";
    public const string Declined = "declined";
    public const string Cancelled = "cancelled";
    public const string Ended = "ended";
}

public static class RemoteAudience
{
    public const string Visitor = "visitor";
    public const string Operators = "operators";
}

public static class RemoteRelayKinds
{
    public const string Signal = "signal";
    public const string Cobrowse = "cobrowse";
}

public static class RemoteRules
{
    /// <summary>An SDP offer with every codec Chromium knows stays well under this.</summary>
    public const int MaxSignalLength = 16_000;

    /// <summary>One part of a co-browse batch; a larger batch (a full page snapshot) comes in several parts.</summary>
    public const int MaxCobrowsePartLength = 24_000;

    public const long MaxSessionRelayBytes = 64L * 1024 * 1024;

    /// <summary>A push carries its payload inline up to this size; larger ones are read back by the client.</summary>
    public const int MaxInlinePayloadLength = 6_000;

    public const int MaxFetchItems = 500;
}
