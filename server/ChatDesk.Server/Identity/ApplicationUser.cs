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
}

public static class Roles
{
    public const string Operator = "Operator";
    public const string Admin = "Admin";
    public const string Manager = "Manager";
    public static readonly string[] All = [Operator, Admin, Manager];
}
