using System.Security.Claims;

namespace ChatDesk.Server.Identity;

public static class Principals
{
    /// <summary>Who is acting, as audit events record them (null when nobody is signed in).</summary>
    public static string? ActorId(this ClaimsPrincipal principal) => principal.FindFirstValue(ClaimTypes.NameIdentifier);
}
