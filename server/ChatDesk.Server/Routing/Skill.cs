namespace ChatDesk.Server.Routing;

public sealed class Skill
{
    public Guid Id { get; set; }
    public required string Key { get; set; }
    public required string Name { get; set; }

    /// <summary>A retired skill is kept (old conversations name it) but offered nowhere.</summary>
    public DateTimeOffset? RetiredAt { get; set; }
}

public sealed class OperatorSkill
{
    public required string OperatorId { get; set; }
    public Guid SkillId { get; set; }

    /// <summary>1 (basic) to 5 (expert).</summary>
    public int Proficiency { get; set; } = 3;
}

public static class OperatorStatus
{
    public const string Online = "online";
    public const string Away = "away";
    public const string Offline = "offline";

    public static bool IsSettable(string? status) => status is Online or Away;
}
