using ChatDesk.Server.Identity;
using ChatDesk.Server.RemoteSupport;
using ChatDesk.Server.Surveys;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace ChatDesk.Server.Chats;

/// <summary>The visitor side: a visitor token reaches only that visitor's own conversation.</summary>
[Authorize(Policy = VisitorAuthentication.Policy)]
public sealed class VisitorHub(ChatService chats, WorkspaceService workspace, TypingRelay typing, SurveyService surveys, RemoteService remote,
    Email.TranscriptMailer transcripts) : Hub<IVisitorClient>
{
    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, ChatNotifier.VisitorGroup(Visitor.VisitorId));
        await base.OnConnectedAsync();
    }

    public Task<ConversationView?> GetConversation() =>
        chats.GetVisitorConversationAsync(Visitor, Context.ConnectionAborted);

    public Task<ConversationView> StartChat(StartChatRequest request) =>
        chats.StartChatAsync(Visitor, request ?? throw new ChatException("A request is required."),
            Context.GetHttpContext()?.Request.Headers.UserAgent.ToString(), Context.ConnectionAborted);

    public Task<MessageDto> SendMessage(SendMessageRequest request) =>
        chats.SendVisitorMessageAsync(Visitor, request, Context.ConnectionAborted);

    public Task<IReadOnlyList<MessageDto>> GetMessagesAfter(int afterSequence) =>
        chats.GetVisitorMessagesAfterAsync(Visitor, afterSequence, Context.ConnectionAborted);

    public Task<OfflineMessageCreated> LeaveOfflineMessage(LeaveOfflineMessageRequest request) =>
        chats.LeaveOfflineMessageAsync(Visitor, request, Context.ConnectionAborted);

    public Task Typing(string? draft) => typing.VisitorTypingAsync(Visitor, draft, Context.ConnectionAborted);

    public Task PageChanged(PageChangedRequest request) => workspace.PageChangedAsync(Visitor, request, Context.ConnectionAborted);

    public Task<TranscriptDto> GetTranscript() => workspace.TranscriptAsync(Visitor, Context.ConnectionAborted);

    /// <summary>"Send me the transcript": queued for e-mail (refused when SMTP is not configured).</summary>
    public Task EmailTranscript(Email.EmailTranscriptRequest request) => transcripts.EmailAsync(Visitor, request, Context.ConnectionAborted);

    public Task SubmitSurvey(SurveyRequest request) => surveys.SubmitAsync(Visitor, request, Context.ConnectionAborted);

    public Task EndChat() => chats.EndVisitorChatAsync(Visitor, Context.ConnectionAborted);

    public Task<RemoteSessionDto?> GetRemoteSession() => remote.GetForVisitorAsync(Visitor, Context.ConnectionAborted);

    public Task RemoteConsent(Guid sessionId, bool accept) => remote.ConsentAsync(Visitor, sessionId, accept, Context.ConnectionAborted);

    public Task StopRemote(Guid sessionId) => remote.StopAsync(Visitor, sessionId, Context.ConnectionAborted);

    public Task RemoteSignal(Guid sessionId, string payload) => remote.SignalFromVisitorAsync(Visitor, sessionId, payload, Context.ConnectionAborted);

    public Task CobrowseEvents(Guid sessionId, RemoteCobrowsePart part) => remote.CobrowseAsync(Visitor, sessionId, part, Context.ConnectionAborted);

    public Task<IReadOnlyList<RemoteRelayNotice>> GetRemoteRelayAfter(Guid sessionId, int afterSequence) =>
        remote.FetchForVisitorAsync(Visitor, sessionId, afterSequence, Context.ConnectionAborted);

    private VisitorIdentity Visitor => VisitorIdentity.From(Context.User);
}
