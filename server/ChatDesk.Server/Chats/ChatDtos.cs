using ChatDesk.Server.Files;

namespace ChatDesk.Server.Chats;

/// <param name="File">The file this message shares; null for a text message.</param>
public sealed record MessageDto(
    Guid ConversationId, int Sequence, Guid ClientMessageId, string AuthorKind, string? AuthorName, string Text, DateTimeOffset SentAt,
    Files.FileDto? File = null);

public sealed record SendMessageRequest(string? ClientMessageId, string? Text);

public sealed record StartChatRequest(
    string? Name, string? Email, string? Topic, string? PageUrl, string? PageTitle, string? Language, string? TimeZone);

public sealed record ConversationView(
    Guid ConversationId, string Status, string? OperatorName, string? EndedBy, string? EndedReason, IReadOnlyList<MessageDto> Messages,
    bool TypingPreview = false, Surveys.SurveyOffer? Survey = null);

public sealed record ChatAssignedNotice(Guid ConversationId, string OperatorName);

public sealed record ChatEndedNotice(Guid ConversationId, string EndedBy);

public sealed record StatusNotice(string Status);

/// <summary>A chat offered to one operator, who accepts or declines before <paramref name="ExpiresAt"/>.</summary>
public sealed record ChatOffer(Guid ConversationId, string VisitorName, string? Topic, DateTimeOffset ExpiresAt, [property: System.Text.Json.Serialization.JsonIgnore] string OperatorId = "");

public sealed record OfferWithdrawnNotice(Guid ConversationId);

/// <summary>The visitor's place in their skill's queue; no estimate when there is too little data.</summary>
public sealed record QueueUpdate(Guid ConversationId, int Position, int? EstimatedWaitSeconds);

public sealed record WrapUpDto(string? Disposition, string? Notes, IReadOnlyList<string> Tags, DateTimeOffset CompletedAt, bool Auto);

public sealed record WrapUpRequest(string? Disposition, string? Notes, IReadOnlyList<string>? Tags);

public sealed record NoteDto(Guid Id, Guid ConversationId, string AuthorName, string Text, DateTimeOffset CreatedAt);

public sealed record ParticipantDto(string Id, string DisplayName, string Role);

public sealed record PageVisitDto(string Url, string? Title, DateTimeOffset At);

public sealed record VisitorContextDto(
    string? Browser, string? Os, string? Language, string? TimeZone, string? PageUrl, string? PageTitle, IReadOnlyList<PageVisitDto> PagesVisited);

public sealed record PreviousConversationDto(Guid ConversationId, DateTimeOffset RequestedAt, string Status, string? Topic, IReadOnlyList<MessageDto> Messages);

/// <param name="Role">owner, or invited (a conference guest).</param>
public sealed record ChatSummary(
    Guid ConversationId, string VisitorName, string? Topic, string Status, DateTimeOffset RequestedAt, MessageDto? LastMessage,
    string Role = "owner", WrapUpDto? WrapUp = null, DateTimeOffset? WrapUpDueAt = null);

public sealed record ChatDetail(
    Guid ConversationId, string VisitorName, string? Topic, string Status, DateTimeOffset RequestedAt, MessageDto? LastMessage,
    string? VisitorEmail, string? PageUrl, string? PageTitle, string? Language, IReadOnlyList<MessageDto> Messages,
    string Role, WrapUpDto? WrapUp, DateTimeOffset? WrapUpDueAt, IReadOnlyList<NoteDto> Notes, IReadOnlyList<ParticipantDto> Participants,
    VisitorContextDto Context, IReadOnlyList<PreviousConversationDto> PreviousConversations, Surveys.SurveyDto? Survey = null,
    FileRulesDto? FileRules = null);

public sealed record OperatorState(string OperatorId, string DisplayName, string Status, IReadOnlyList<ChatSummary> Chats, IReadOnlyList<ChatOffer> Offers);

public sealed record TypingRequest(string? Draft);

public sealed record VisitorTypingNotice(Guid ConversationId, string? Draft, DateTimeOffset At);

public sealed record OperatorTypingNotice(Guid ConversationId, string OperatorName);

public sealed record PageChangedRequest(string? Url, string? Title);

public sealed record VisitorNavigatedNotice(Guid ConversationId, string Url, string? Title, DateTimeOffset At);

public sealed record TranscriptDto(string FileName, string Text);

public sealed record TransferRequest(string? ToOperatorId, string? ToSkill, string? Note);

public sealed record TransferTargetOperator(string Id, string DisplayName, string Status, int ActiveChats, int MaxConcurrentChats);

public sealed record TransferTargetSkill(string Key, string Name);

public sealed record TransferTargets(IReadOnlyList<TransferTargetOperator> Operators, IReadOnlyList<TransferTargetSkill> Skills);

public sealed record ChatTransferredAwayNotice(Guid ConversationId, string ToName);

public static class ChatMappings
{
    public static MessageDto ToDto(this Message message) => new(
        message.ConversationId, message.Sequence, message.ClientMessageId, message.AuthorKind, message.AuthorName, message.Text, message.SentAt,
        message.File?.ToDto());

    public static OfflineMessageDto ToDto(this OfflineMessage message) => new(
        message.Id, message.ConversationId, message.Name, message.Email, message.Text, message.TopicKey, message.CreatedAt, message.HandledAt is not null);

    public static WrapUpDto? ToWrapUp(this Conversation conversation) => conversation.WrapUpCompletedAt is { } completedAt
        ? new WrapUpDto(conversation.Disposition, conversation.WrapUpNotes, conversation.Tags, completedAt, conversation.WrapUpAuto)
        : null;

    /// <summary>When after-chat work will be completed automatically; null when none is due.</summary>
    public static DateTimeOffset? WrapUpDueAt(this Conversation conversation, int timeoutSeconds) =>
        conversation is { Status: ConversationStatus.Ended, OperatorId: not null, WrapUpCompletedAt: null, EndedAt: { } endedAt }
            ? endedAt.AddSeconds(timeoutSeconds) : null;

    public static ChatSummary ToSummary(this Conversation conversation, MessageDto? lastMessage, string role = "owner", int wrapUpTimeoutSeconds = 120) => new(
        conversation.Id, conversation.VisitorName, conversation.TopicKey, conversation.Status, conversation.RequestedAt, lastMessage,
        role, conversation.ToWrapUp(), conversation.WrapUpDueAt(wrapUpTimeoutSeconds));

    public static NoteDto ToDto(this ConversationNote note) => new(note.Id, note.ConversationId, note.AuthorName, note.Text, note.CreatedAt);
}

/// <summary>A request that breaks a rule; hubs report its message to the caller and nothing is stored.</summary>
public sealed class ChatException(string message) : Exception(message);
