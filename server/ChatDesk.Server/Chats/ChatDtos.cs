namespace ChatDesk.Server.Chats;

public sealed record MessageDto(
    Guid ConversationId, int Sequence, Guid ClientMessageId, string AuthorKind, string? AuthorName, string Text, DateTimeOffset SentAt);

public sealed record SendMessageRequest(string? ClientMessageId, string? Text);

public sealed record StartChatRequest(
    string? Name, string? Email, string? Topic, string? PageUrl, string? PageTitle, string? Language, string? TimeZone);

public sealed record ConversationView(
    Guid ConversationId, string Status, string? OperatorName, string? EndedBy, string? EndedReason, IReadOnlyList<MessageDto> Messages);

public sealed record ChatAssignedNotice(Guid ConversationId, string OperatorName);

public sealed record ChatEndedNotice(Guid ConversationId, string EndedBy);

public sealed record StatusNotice(string Status);

/// <summary>A chat offered to one operator, who accepts or declines before <paramref name="ExpiresAt"/>.</summary>
public sealed record ChatOffer(Guid ConversationId, string VisitorName, string? Topic, DateTimeOffset ExpiresAt, [property: System.Text.Json.Serialization.JsonIgnore] string OperatorId = "");

public sealed record OfferWithdrawnNotice(Guid ConversationId);

/// <summary>The visitor's place in their skill's queue; no estimate when there is too little data.</summary>
public sealed record QueueUpdate(Guid ConversationId, int Position, int? EstimatedWaitSeconds);

public sealed record ChatSummary(
    Guid ConversationId, string VisitorName, string? Topic, string Status, DateTimeOffset RequestedAt, MessageDto? LastMessage);

public sealed record ChatDetail(
    Guid ConversationId, string VisitorName, string? Topic, string Status, DateTimeOffset RequestedAt, MessageDto? LastMessage,
    string? VisitorEmail, string? PageUrl, string? PageTitle, string? Language, IReadOnlyList<MessageDto> Messages);

public sealed record OperatorState(string OperatorId, string DisplayName, string Status, IReadOnlyList<ChatSummary> Chats, IReadOnlyList<ChatOffer> Offers);

public static class ChatMappings
{
    public static MessageDto ToDto(this Message message) => new(
        message.ConversationId, message.Sequence, message.ClientMessageId, message.AuthorKind, message.AuthorName, message.Text, message.SentAt);

    public static OfflineMessageDto ToDto(this OfflineMessage message) => new(
        message.Id, message.ConversationId, message.Name, message.Email, message.Text, message.TopicKey, message.CreatedAt, message.HandledAt is not null);

    public static ChatSummary ToSummary(this Conversation conversation, MessageDto? lastMessage) => new(
        conversation.Id, conversation.VisitorName, conversation.TopicKey, conversation.Status, conversation.RequestedAt, lastMessage);

    public static ChatDetail ToDetail(this Conversation conversation, IReadOnlyList<MessageDto> messages) => new(
        conversation.Id, conversation.VisitorName, conversation.TopicKey, conversation.Status, conversation.RequestedAt,
        messages.Count > 0 ? messages[^1] : null,
        conversation.VisitorEmail, conversation.PageUrl, conversation.PageTitle, conversation.Language, messages);
}

/// <summary>A request that breaks a rule; hubs report its message to the caller and nothing is stored.</summary>
public sealed class ChatException(string message) : Exception(message);
