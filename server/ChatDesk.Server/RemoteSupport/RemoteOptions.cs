using System.Security.Cryptography;
using System.Text;

namespace ChatDesk.Server.RemoteSupport;

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

    /// <summary>
    /// TURN with short-lived credentials (coturn's use-auth-secret): each session gets its own username
    /// "expiry:chatdesk" and password HMAC-SHA1(secret, username), so no lasting TURN password reaches browsers.
    /// </summary>
    public List<string> TurnUrls { get; set; } = [];

    public string? TurnSecret { get; set; }

    public int TurnCredentialMinutes { get; set; } = 120;

    public RtcConfigDto ToDto(DateTimeOffset now)
    {
        var servers = IceServers.Where(s => s.Urls.Count > 0).Select(s => new IceServerDto(s.Urls, s.Username, s.Credential)).ToList();
        if (TurnUrls.Count > 0 && TurnSecret is { Length: > 0 } secret)
        {
            var username = $"{(now + TimeSpan.FromMinutes(TurnCredentialMinutes)).ToUnixTimeSeconds()}:chatdesk";
            // The TURN REST scheme coturn implements is defined on HMAC-SHA1.
            var credential = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
            servers.Add(new IceServerDto(TurnUrls, username, credential));
        }
        return new RtcConfigDto(servers, LoopbackCandidatesOnly);
    }
}

public sealed class IceServerOptions
{
    public List<string> Urls { get; set; } = [];
    public string? Username { get; set; }
    public string? Credential { get; set; }
}
