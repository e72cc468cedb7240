using System.Net.Http.Headers;
using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests.Files;

/// <summary>Two server nodes on one database: a file sent through one reaches clients on the other and downloads from either.</summary>
public sealed class FileNodesTests : FileTestBase
{
    private ChatDeskTestHost second = null!;

    protected override bool WithRedis => true;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        second = await StartAnotherNodeAsync();
    }

    [Fact]
    public async Task A_file_uploaded_on_one_node_is_pushed_to_clients_of_the_other_and_downloads_there()
    {
        // The visitor's widget talks to node 2; Alice's console to node 1.
        await Driver.ConnectVisitorAsync("visitor-on-2", second.BaseUrl, Visitor.VisitorToken);
        using var onSecond = new HttpClient { BaseAddress = new Uri(second.BaseUrl) };
        onSecond.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Visitor.VisitorToken);
        onSecond.DefaultRequestHeaders.Add("Origin", second.ChatDeskOrigin);

        var fromVisitor = await MessageFromAsync(await onSecond.PostAsync("/api/files/visitor?name=photo.png", SampleFiles.Content(SampleFiles.Png, "image/png")));
        Assert.Equal(fromVisitor.File, MessageOf((await Driver.WaitForEventsAsync("alice", "MessageReceived"))[^1]).File);
        Assert.Equal(SampleFiles.Png, await Alice.GetByteArrayAsync($"/api/files/{fromVisitor.File!.Id}"));

        var pdf = SampleFiles.Pdf("across nodes");
        var fromAlice = await MessageFromAsync(await OperatorUploadAsync(Alice, ConversationId, "answer.pdf", SampleFiles.Content(pdf, "application/pdf")));
        var pushed = (await Driver.WaitForEventsAsync("visitor-on-2", "MessageReceived", 2)).Select(MessageOf).ToList();
        Assert.Equal(fromAlice.File, pushed.Single(m => m.Sequence == fromAlice.Sequence).File);
        Assert.Equal(pdf, await onSecond.GetByteArrayAsync($"/api/files/visitor/{fromAlice.File!.Id}"));
    }
}
