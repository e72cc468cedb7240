namespace ChatDesk.Server.Chats;

/// <summary>What a visitor left when nobody could take their chat; operators follow up by email.</summary>
public sealed class OfflineMessage
{
    public Guid Id { get; set; }
    public Guid SiteId { get; set; }
    public Guid VisitorId { get; set; }
    public Guid? ConversationId { get; set; }
    public required string Name { get; set; }
    public required string Email { get; set; }
    public required string Text { get; set; }
    public string? TopicKey { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? HandledAt { get; set; }
    public string? HandledBy { get; set; }
}

public sealed record LeaveOfflineMessageRequest(string? Name, string? Email, string? Text);

public sealed record OfflineMessageCreated(Guid Id);

public sealed record OfflineMessageDto(
    Guid Id, Guid? ConversationId, string Name, string Email, string Text, string? Topic, DateTimeOffset CreatedAt, bool Handled);

public static class EndedReasons
{
    public const string NoOperator = "no_operator";
    public const string OutsideHours = "outside_hours";
}
