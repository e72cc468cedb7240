using System.Security.Claims;
using ChatDesk.Server.CannedResponses;
using ChatDesk.Server.Identity;
using ChatDesk.Server.RemoteSupport;
using ChatDesk.Server.Routing;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Chats;

/// <summary>The operator side: a logged-in operator acts only on the chats they handle.</summary>
[Authorize(Policy = OperatorAuthorization.Policy)]
public sealed class OperatorHub(
    ChatService chats, PresenceService presence, RoutingService routing, WorkspaceService workspace, AnswerService answers, RemoteService remote,
    ConsoleConnections consoleConnections) : Hub<IOperatorClient>
{
    public override async Task OnConnectedAsync()
    {
        consoleConnections.Add(OperatorId, Context);
        await Groups.AddToGroupAsync(Context.ConnectionId, ChatNotifier.OperatorsGroup);
        await presence.ConnectedAsync(OperatorId, Context.ConnectionId);
        await base.OnConnectedAsync();
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        consoleConnections.Remove(OperatorId, Context);
        await presence.DisconnectedAsync(OperatorId, Context.ConnectionId);
        await base.OnDisconnectedAsync(exception);
    }

    public Task<OperatorState> GetState() => chats.GetOperatorStateAsync(OperatorId, Context.ConnectionAborted);

    public Task SetStatus(string status) =>
        OperatorStatus.IsSettable(status)
            ? presence.SetStatusAsync(OperatorId, status, Context.ConnectionAborted)
            : throw new ChatException("Status must be online or away.");

    public Task<ChatDetail> GetChat(Guid conversationId) => chats.GetChatAsync(OperatorId, conversationId, Context.ConnectionAborted);

    public Task<MessageDto> SendMessage(Guid conversationId, SendMessageRequest request) =>
        chats.SendOperatorMessageAsync(OperatorId, conversationId, request, Context.ConnectionAborted);

    public Task<IReadOnlyList<MessageDto>> GetMessagesAfter(Guid conversationId, int afterSequence) =>
        chats.GetOperatorMessagesAfterAsync(OperatorId, conversationId, afterSequence, Context.ConnectionAborted);

    public Task<IReadOnlyList<QueueEntry>> GetQueue() => routing.GetQueueForAsync(OperatorId, Context.ConnectionAborted);

    public Task AcceptOffer(Guid conversationId) => routing.AcceptOfferAsync(OperatorId, conversationId, Context.ConnectionAborted);

    public Task DeclineOffer(Guid conversationId) => routing.DeclineOfferAsync(OperatorId, conversationId, Context.ConnectionAborted);

    public Task TakeChat(Guid conversationId) => routing.TakeAsync(OperatorId, conversationId, Context.ConnectionAborted);

    public Task<IReadOnlyList<OfflineMessageDto>> GetOfflineMessages() => chats.GetOfflineMessagesAsync(Context.ConnectionAborted);

    public Task MarkOfflineMessageHandled(Guid id) => chats.MarkOfflineMessageHandledAsync(OperatorId, id, Context.ConnectionAborted);

    public Task<IReadOnlyList<AnswerSuggestion>> SuggestAnswers(Guid conversationId, string? query) =>
        answers.SuggestAsync(OperatorId, conversationId, query, Context.ConnectionAborted);

    public Task AnswerUsed(Guid answerId) => answers.MarkUsedAsync(OperatorId, answerId, Context.ConnectionAborted);

    public Task Typing(Guid conversationId) => workspace.OperatorTypingAsync(OperatorId, conversationId, Context.ConnectionAborted);

    public Task<TransferTargets> GetTransferTargets(Guid conversationId) => routing.GetTransferTargetsAsync(OperatorId, Context.ConnectionAborted);

    public Task Transfer(Guid conversationId, TransferRequest request) => routing.TransferAsync(OperatorId, conversationId, request, Context.ConnectionAborted);

    public Task Invite(Guid conversationId, string operatorId) => workspace.InviteAsync(OperatorId, conversationId, operatorId, Context.ConnectionAborted);

    public Task Leave(Guid conversationId) => workspace.LeaveAsync(OperatorId, conversationId, Context.ConnectionAborted);

    public Task<NoteDto> AddNote(Guid conversationId, string text) => workspace.AddNoteAsync(OperatorId, conversationId, text, Context.ConnectionAborted);

    public Task CompleteWrapUp(Guid conversationId, WrapUpRequest request) =>
        workspace.CompleteWrapUpAsync(OperatorId, conversationId, request, Context.ConnectionAborted);

    public Task<RemoteSessionDto> RequestRemote(Guid conversationId, RemoteRequest request) =>
        remote.RequestAsync(OperatorId, conversationId, request, Context.ConnectionAborted);

    public Task<RemoteSessionDto?> GetRemoteSession(Guid conversationId) => remote.GetForOperatorAsync(OperatorId, conversationId, Context.ConnectionAborted);

    public Task StopRemote(Guid sessionId) => remote.StopAsync(OperatorId, sessionId, Context.ConnectionAborted);

    public Task RemoteSignal(Guid sessionId, string payload) => remote.SignalFromOperatorAsync(OperatorId, sessionId, payload, Context.ConnectionAborted);

    public Task RemotePointer(Guid sessionId, RemotePointerRequest pointer) => remote.PointerAsync(OperatorId, sessionId, pointer, Context.ConnectionAborted);

    public Task<IReadOnlyList<RemoteRelayNotice>> GetRemoteRelayAfter(Guid sessionId, int afterSequence) =>
        remote.FetchForOperatorAsync(OperatorId, sessionId, afterSequence, Context.ConnectionAborted);

    public Task EndChat(Guid conversationId) => chats.EndOperatorChatAsync(OperatorId, conversationId, Context.ConnectionAborted);

    private string OperatorId => Context.User!.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
