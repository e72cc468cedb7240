using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace ChatDesk.Server.Identity;

/// <summary>
/// Failed logins for e-mails that have no account, counted like Identity counts a real account's, so that
/// "Account locked" answers for both and tells nothing about which e-mails exist. Kept in each node's memory:
/// it guards against probing, it is not a record.
/// </summary>
public sealed class UnknownAccountLockout(IMemoryCache cache, IOptions<IdentityOptions> identity)
{
    /// <returns>Whether the e-mail is now locked.</returns>
    public bool Fail(string email)
    {
        var lockout = identity.Value.Lockout;
        var key = $"login-failures:{email.Trim().ToUpperInvariant()}";
        var failures = cache.GetOrCreate(key, entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = lockout.DefaultLockoutTimeSpan;
            return new StrongBox<int>();
        })!;
        return Interlocked.Increment(ref failures.Value) >= lockout.MaxFailedAccessAttempts;
    }
}
