using System.Net.Http.Headers;
using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Widget;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Files;

/// <summary>A visitor chatting with Alice, and HTTP clients for each side's file endpoints.</summary>
public abstract class FileTestBase : ChatTestBase
{
    protected WidgetSessionResponse Visitor { get; private set; } = null!;
    protected Guid ConversationId { get; private set; }
    protected HttpClient Alice { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        (Visitor, var conversation) = await StartVisitorChatAsync("visitor", name: "Vera");
        ConversationId = conversation.ConversationId;
        Alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
    }

    public override async Task DisposeAsync()
    {
        Alice.Dispose();
        await base.DisposeAsync();
    }

    /// <summary>What the widget frame sends: the visitor token as a bearer token, ChatDesk's own origin.</summary>
    protected HttpClient VisitorClient(string token)
    {
        var client = TestApi.CreateClient(Host);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        client.DefaultRequestHeaders.Add("Origin", Host.ChatDeskOrigin);
        return client;
    }

    protected async Task<HttpResponseMessage> VisitorUploadAsync(string name, HttpContent content, string? token = null)
    {
        using var client = VisitorClient(token ?? Visitor.VisitorToken);
        return await client.PostAsync($"/api/files/visitor?name={Uri.EscapeDataString(name)}", content);
    }

    protected Task<HttpResponseMessage> OperatorUploadAsync(HttpClient client, Guid conversationId, string name, HttpContent content) =>
        client.PostAsync($"/api/files/conversations/{conversationId}?name={Uri.EscapeDataString(name)}", content);

    protected static async Task<MessageDto> MessageFromAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<MessageDto>(SignalRDriver.Json))!;
    }

    /// <summary>Files, stored bytes, file messages and file.shared events: all zero when a refusal stored nothing.</summary>
    protected Task<(int Files, int Contents, int FileMessages, int FileEvents)> StoredAsync() =>
        Host.WithDbAsync(async db => (
            await db.SharedFiles.CountAsync(), await db.SharedFileContents.CountAsync(),
            await db.Messages.CountAsync(m => m.FileId != null), await db.Events.CountAsync(e => e.Type == EventTypes.FileShared)));
}
