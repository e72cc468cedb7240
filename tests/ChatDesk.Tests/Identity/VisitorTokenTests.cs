using ChatDesk.Server.Identity;
using System.Security.Cryptography;
using ChatDesk.Tests.Infrastructure;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Configuration;

namespace ChatDesk.Tests.Identity;

public sealed class VisitorTokenTests
{
    private readonly ManualClock clock = new();
    private readonly VisitorTokenService tokens;

    public VisitorTokenTests()
    {
        tokens = new VisitorTokenService(clock, new ConfigurationBuilder().Build());
        tokens.UseKey(RandomNumberGenerator.GetBytes(32));
    }

    [Fact]
    public void A_token_round_trips_the_visitor_and_site()
    {
        var visitor = new VisitorIdentity(Guid.NewGuid(), Guid.NewGuid());
        var (status, read) = tokens.Validate(tokens.Issue(visitor));
        Assert.Equal(VisitorTokenStatus.Valid, status);
        Assert.Equal(visitor, read);
    }

    [Fact]
    public void A_token_expires_after_its_lifetime()
    {
        var token = tokens.Issue(new VisitorIdentity(Guid.NewGuid(), Guid.NewGuid()));
        clock.Advance(tokens.Lifetime - TimeSpan.FromSeconds(1));
        Assert.Equal(VisitorTokenStatus.Valid, tokens.Validate(token).Status);
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(VisitorTokenStatus.Expired, tokens.Validate(token).Status);
    }

    [Fact]
    public void A_changed_payload_or_signature_or_garbage_is_forged()
    {
        var token = tokens.Issue(new VisitorIdentity(Guid.NewGuid(), Guid.NewGuid()));
        var parts = token.Split('.');
        var otherVisitor = tokens.Issue(new VisitorIdentity(Guid.NewGuid(), Guid.NewGuid())).Split('.')[0];
        var flipped = WebEncoders.Base64UrlDecode(parts[1]);
        flipped[0] ^= 1;

        Assert.Equal(VisitorTokenStatus.Forged, tokens.Validate($"{otherVisitor}.{parts[1]}").Status);
        Assert.Equal(VisitorTokenStatus.Forged, tokens.Validate($"{parts[0]}.{WebEncoders.Base64UrlEncode(flipped)}").Status);
        Assert.Equal(VisitorTokenStatus.Forged, tokens.Validate("not-a-token").Status);
        Assert.Equal(VisitorTokenStatus.Forged, tokens.Validate("%%%.***").Status);
        Assert.Equal(VisitorTokenStatus.Forged, tokens.Validate(null).Status);
    }
}
