namespace ChatDesk.Server.Chats;

public interface IVisitorClient
{
    Task MessageReceived(MessageDto message);
    Task ChatAssigned(ChatAssignedNotice notice);
    Task ChatEnded(ChatEndedNotice notice);
    Task QueueUpdated(QueueUpdate update);
    Task OperatorTyping(OperatorTypingNotice notice);
    Task RemoteSessionChanged(RemoteSupport.RemoteSessionDto session);
    Task RemoteRelay(RemoteSupport.RemoteRelayNotice notice);
    Task RemotePointer(RemoteSupport.RemotePointerNotice notice);

    /// <summary>Pushes may have been lost (the backplane was away): resume as after a reconnect.</summary>
    Task Resync();
}

public interface IOperatorClient
{
    Task ChatAssigned(ChatSummary chat);
    Task MessageReceived(MessageDto message);
    Task ChatEnded(ChatEndedNotice notice);
    Task StatusChanged(StatusNotice notice);
    Task QueueChanged();
    Task ChatOffered(ChatOffer offer);
    Task OfferWithdrawn(OfferWithdrawnNotice notice);
    Task VisitorTyping(VisitorTypingNotice notice);
    Task VisitorNavigated(VisitorNavigatedNotice notice);
    Task NoteAdded(NoteDto note);
    Task ChatJoined(ChatSummary chat);
    Task ChatTransferredAway(ChatTransferredAwayNotice notice);
    Task SurveySubmitted(Surveys.SurveySubmittedNotice notice);
    Task OfflineMessageReceived(OfflineMessageDto message);
    Task RemoteSessionChanged(RemoteSupport.RemoteSessionDto session);
    Task RemoteRelay(RemoteSupport.RemoteRelayNotice notice);

    /// <summary>The account was disabled or its password changed: the server closes this connection next.</summary>
    Task SessionEnded();

    /// <summary>Pushes may have been lost (the backplane was away): resume as after a reconnect.</summary>
    Task Resync();
}

/// <summary>
/// Tells the connected visitor and operators about committed changes. Pushes go through the
/// <see cref="PushBus"/>, so a client connected to any server node receives them.
/// </summary>
public sealed class ChatNotifier(PushBus bus)
{
    public static string VisitorGroup(Guid visitorId) => $"visitor:{visitorId}";

    /// <summary>Every connected operator: queue changes and offline messages concern the whole team.</summary>
    public const string OperatorsGroup = "operators";

    public Task MessageSentAsync(Guid visitorId, IEnumerable<string> operatorIds, MessageDto message)
    {
        var pushes = new List<Push> { Push.ToVisitor(visitorId, nameof(IVisitorClient.MessageReceived), message) };
        pushes.AddRange(operatorIds.Distinct().Select(id => Push.ToOperator(id, nameof(IOperatorClient.MessageReceived), message)));
        return bus.PublishAsync(pushes);
    }

    /// <summary>Operator-only news about a chat (notes, drafts, navigation) for everyone working on it.</summary>
    public Task ToOperatorsAsync(IEnumerable<string> operatorIds, string method, object argument) =>
        bus.PublishAsync(operatorIds.Distinct().Select(id => Push.ToOperator(id, method, argument)).ToList());

    public Task ToVisitorAsync(Guid visitorId, string method, object argument) =>
        bus.PublishAsync([Push.ToVisitor(visitorId, method, argument)]);

    public Task ChatAssignedAsync(Conversation conversation, string operatorName) =>
        bus.PublishAsync(
        [
            Push.ToVisitor(conversation.VisitorId, nameof(IVisitorClient.ChatAssigned), new ChatAssignedNotice(conversation.Id, operatorName)),
            Push.ToOperator(conversation.OperatorId!, nameof(IOperatorClient.ChatAssigned), conversation.ToSummary(null)),
        ]);

    public Task ChatEndedAsync(Conversation conversation, IEnumerable<string> operatorIds)
    {
        var notice = new ChatEndedNotice(conversation.Id, conversation.EndedBy!);
        var pushes = new List<Push> { Push.ToVisitor(conversation.VisitorId, nameof(IVisitorClient.ChatEnded), notice) };
        pushes.AddRange(operatorIds.Distinct().Select(id => Push.ToOperator(id, nameof(IOperatorClient.ChatEnded), notice)));
        return bus.PublishAsync(pushes);
    }

    public Task QueueUpdatedAsync(IEnumerable<Routing.QueueNotice> notices) =>
        bus.PublishAsync(notices
            .Select(n => Push.ToVisitor(n.VisitorId, nameof(IVisitorClient.QueueUpdated), new QueueUpdate(n.ConversationId, n.Position, n.EstimatedWaitSeconds)))
            .ToList());

    public Task ChatOfferedAsync(ChatOffer offer) =>
        bus.PublishAsync([Push.ToOperator(offer.OperatorId, nameof(IOperatorClient.ChatOffered), offer)]);

    public Task OfferWithdrawnAsync(string operatorId, Guid conversationId) =>
        bus.PublishAsync([Push.ToOperator(operatorId, nameof(IOperatorClient.OfferWithdrawn), new OfferWithdrawnNotice(conversationId))]);

    public Task QueueChangedAsync() =>
        bus.PublishAsync([Push.ToAllOperators(nameof(IOperatorClient.QueueChanged), null)]);

    public Task OfflineMessageReceivedAsync(OfflineMessageDto message) =>
        bus.PublishAsync([Push.ToAllOperators(nameof(IOperatorClient.OfflineMessageReceived), message)]);

    public Task OperatorStatusChangedAsync(string operatorId, string status) =>
        bus.PublishAsync([Push.ToOperator(operatorId, nameof(IOperatorClient.StatusChanged), new StatusNotice(status))]);
}
