namespace ChatDesk.Server.Remote;

/// <summary>
/// <c>ChatDesk:Remote</c>: the STUN/TURN servers browsers use to reach each other (delivered to both
/// sides with every session), e.g. <c>ChatDesk:Remote:IceServers:0:Urls:0 = turn:turn.example.com:3478</c>.
/// </summary>
public sealed class RemoteOptions
{
    public const string Section = "ChatDesk:Remote";

    public List<IceServerOptions> IceServers { get; set; } = [];

    /// <summary>For test hosts: clients signal only 127.0.0.1 candidates, so test media never leaves loopback.</summary>
    public bool LoopbackCandidatesOnly { get; set; }

    public RtcConfigDto ToDto() =>
        new(IceServers.Where(s => s.Urls.Count > 0).Select(s => new IceServerDto(s.Urls, s.Username, s.Credential)).ToList(), LoopbackCandidatesOnly);
}

public sealed class IceServerOptions
{
    public List<string> Urls { get; set; } = [];
    public string? Username { get; set; }
    public string? Credential { get; set; }
}
