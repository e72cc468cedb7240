namespace ChatDesk.Server.CannedResponses;

/// <summary>A ready-made answer: shared (no owner, admins edit it) or personal to one operator.</summary>
public sealed class Answer
{
    public Guid Id { get; set; }
    public string? OwnerId { get; set; }
    public required string Title { get; set; }

    /// <summary>Lower case, starting with '#', e.g. "#refund".</summary>
    public required string Shortcut { get; set; }

    public required string Body { get; set; }
    public string? Category { get; set; }
    public Guid? SkillId { get; set; }
    public string? Language { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? RetiredAt { get; set; }
    public int UsageCount { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }
}
