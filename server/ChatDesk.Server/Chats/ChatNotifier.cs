using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Chats;

public interface IVisitorClient
{
    Task MessageReceived(MessageDto message);
    Task ChatAssigned(ChatAssignedNotice notice);
    Task ChatEnded(ChatEndedNotice notice);
}

public interface IOperatorClient
{
    Task ChatAssigned(ChatSummary chat);
    Task MessageReceived(MessageDto message);
    Task ChatEnded(ChatEndedNotice notice);
    Task StatusChanged(StatusNotice notice);
}

/// <summary>Pushes committed changes to the connected visitor and operators.</summary>
public sealed class ChatNotifier(IHubContext<VisitorHub, IVisitorClient> visitors, IHubContext<OperatorHub, IOperatorClient> operators)
{
    public static string VisitorGroup(Guid visitorId) => $"visitor:{visitorId}";

    public async Task MessageSentAsync(Guid visitorId, string? operatorId, MessageDto message)
    {
        await visitors.Clients.Group(VisitorGroup(visitorId)).MessageReceived(message);
        if (operatorId is not null)
            await operators.Clients.User(operatorId).MessageReceived(message);
    }

    public async Task ChatAssignedAsync(Conversation conversation, string operatorName)
    {
        await visitors.Clients.Group(VisitorGroup(conversation.VisitorId)).ChatAssigned(new ChatAssignedNotice(conversation.Id, operatorName));
        await operators.Clients.User(conversation.OperatorId!).ChatAssigned(conversation.ToSummary(null));
    }

    public async Task ChatEndedAsync(Conversation conversation)
    {
        var notice = new ChatEndedNotice(conversation.Id, conversation.EndedBy!);
        await visitors.Clients.Group(VisitorGroup(conversation.VisitorId)).ChatEnded(notice);
        if (conversation.OperatorId is not null)
            await operators.Clients.User(conversation.OperatorId).ChatEnded(notice);
    }

    public Task OperatorStatusChangedAsync(string operatorId, string status) =>
        operators.Clients.User(operatorId).StatusChanged(new StatusNotice(status));
}
