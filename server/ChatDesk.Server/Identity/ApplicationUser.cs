using Microsoft.AspNetCore.Identity;

namespace ChatDesk.Server.Identity;

public sealed class ApplicationUser : IdentityUser
{
    public string DisplayName { get; set; } = "";

    /// <summary>How many chats routing may give this operator at once.</summary>
    public int MaxConcurrentChats { get; set; } = 3;

    /// <summary>Presence: online, away or offline (see <see cref="Routing.OperatorStatus"/>).</summary>
    public string Status { get; set; } = Routing.OperatorStatus.Offline;

    public DateTimeOffset? StatusChangedAt { get; set; }
    public DateTimeOffset? LastAssignedAt { get; set; }

    /// <summary>When the operator's last console connection dropped; null while connected.</summary>
    public DateTimeOffset? DisconnectedAt { get; set; }

    /// <summary>Set when an admin disabled the account: it cannot sign in and its sessions are ended.</summary>
    public DateTimeOffset? DisabledAt { get; set; }

    /// <summary>The console's language for this person (en or fr).</summary>
    public string Language { get; set; } = "en";
}

public static class Roles
{
    public const string Operator = "Operator";
    public const string Admin = "Admin";
    public const string Manager = "Manager";
    public static readonly string[] All = [Operator, Admin, Manager];

    /// <summary>The role's canonical spelling, or null when it is not one of ours.</summary>
    public static string? Canonical(string? role) => All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}
