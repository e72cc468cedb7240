using System.Security.Cryptography;
using System.Text;
using ChatDesk.Server.RemoteSupport;

namespace ChatDesk.Tests.RemoteSupport;

public sealed class RemoteOptionsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_turn_secret_gives_each_session_credentials_that_expire()
    {
        var options = new RemoteOptions
        {
            IceServers = [new IceServerOptions { Urls = ["stun:turn.example.com:3478"] }, new IceServerOptions()],
            TurnUrls = ["turn:turn.example.com:3478"],
            TurnSecret = "s3cret",
            TurnCredentialMinutes = 30,
        };

        var rtc = options.ToDto(Now);

        Assert.Equal(2, rtc.IceServers.Count);
        Assert.Equal(["stun:turn.example.com:3478"], rtc.IceServers[0].Urls);
        var turn = rtc.IceServers[1];
        Assert.Equal($"{Now.AddMinutes(30).ToUnixTimeSeconds()}:chatdesk", turn.Username);
        // coturn checks the password the same way (use-auth-secret): base64 HMAC-SHA1 of the username.
        using var hmac = new HMACSHA1(Encoding.UTF8.GetBytes("s3cret"));
        Assert.Equal(Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(turn.Username!))), turn.Credential);
        Assert.NotEqual(turn.Credential, options.ToDto(Now.AddMinutes(1)).IceServers[1].Credential);
        Assert.False(rtc.LoopbackCandidatesOnly);
    }

    [Fact]
    public void Without_a_secret_no_turn_server_is_announced()
    {
        Assert.Empty(new RemoteOptions { TurnUrls = ["turn:turn.example.com:3478"] }.ToDto(Now).IceServers);
    }

    [Theory]
    [InlineData(0, "0:00")]
    [InlineData(42.4, "0:42")]
    [InlineData(725, "12:05")]
    [InlineData(3723, "1:02:03")]
    public void Durations_read_as_clock_time_in_the_transcript(double seconds, string expected) =>
        Assert.Equal(expected, RemoteTexts.Duration(TimeSpan.FromSeconds(seconds)));
}
