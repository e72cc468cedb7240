using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Files;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Files;

public sealed class FileTransferTests : FileTestBase
{
    [Fact]
    public async Task A_visitors_file_reaches_the_operator_live_is_recorded_and_both_sides_download_it()
    {
        var sent = await MessageFromAsync(await VisitorUploadAsync("screenshot.png", SampleFiles.Content(SampleFiles.Png, "image/png")));

        Assert.Equal("screenshot.png", sent.Text);
        Assert.Equal(new FileDto(sent.File!.Id, "screenshot.png", SampleFiles.Png.Length, "image/png"), sent.File);
        var received = MessageOf((await Driver.WaitForEventsAsync("alice", "MessageReceived"))[^1]);
        Assert.Equal(sent.File, received.File);
        Assert.Equal(AuthorKind.Visitor, received.AuthorKind);
        Assert.Equal(sent.File, (await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", ConversationId)).Messages.Single(m => m.File is not null).File);

        var shared = (await EventsOfAsync(ConversationId)).Single(e => e.Type == EventTypes.FileShared);
        var data = JsonDocument.Parse(shared.Data).RootElement;
        Assert.Equal(sent.File.Id, data.GetProperty("fileId").GetGuid());
        Assert.Equal("visitor", data.GetProperty("uploaderKind").GetString());
        Assert.Equal(SampleFiles.Png.Length, data.GetProperty("size").GetInt64());
        Assert.Equal("image/png", data.GetProperty("contentType").GetString());
        Assert.Equal("screenshot.png", data.GetProperty("name").GetString());
        var messageSent = (await EventsOfAsync(ConversationId)).Last(e => e.Type == EventTypes.MessageSent);
        Assert.Equal(shared.Sequence - 1, messageSent.Sequence);

        using var download = await Alice.GetAsync($"/api/files/{sent.File.Id}");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(SampleFiles.Png, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("image/png", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition!.DispositionType);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());

        using var visitor = VisitorClient(Visitor.VisitorToken);
        Assert.Equal(SampleFiles.Png, await visitor.GetByteArrayAsync($"/api/files/visitor/{sent.File.Id}"));
    }

    [Fact]
    public async Task An_operators_file_reaches_the_visitor_live_and_shows_in_the_visitors_transcript()
    {
        var pdf = SampleFiles.Pdf();
        var sent = await MessageFromAsync(await OperatorUploadAsync(Alice, ConversationId, "Facture n°42 – été.pdf", SampleFiles.Content(pdf, "application/pdf")));

        var received = MessageOf((await Driver.WaitForEventsAsync("visitor", "MessageReceived"))[^1]);
        Assert.Equal(sent.File, received.File);
        Assert.Equal("Alice", received.AuthorName);
        using var visitor = VisitorClient(Visitor.VisitorToken);
        using var download = await visitor.GetAsync($"/api/files/visitor/{sent.File!.Id}");
        Assert.Equal(pdf, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", download.Content.Headers.ContentType!.MediaType);
        // RFC 5987: the exact name survives in filename*, an ASCII stand-in in filename.
        Assert.Equal("Facture n°42 – été.pdf", download.Content.Headers.ContentDisposition!.FileNameStar);
        Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());

        var transcript = await Driver.InvokeAsync<TranscriptDto>("visitor", "GetTranscript");
        Assert.Contains($"Alice: sent a file: Facture n°42 – été.pdf ({pdf.Length} bytes, application/pdf)", transcript.Text);
        var operatorEvent = (await EventsOfAsync(ConversationId)).Single(e => e.Type == EventTypes.FileShared);
        Assert.Equal(await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).Select(u => u.Id).SingleAsync()), operatorEvent.OperatorId);
    }

    [Fact]
    public async Task Office_documents_are_accepted_by_their_content()
    {
        var sent = await MessageFromAsync(await VisitorUploadAsync("notes.docx", SampleFiles.Content(SampleFiles.Docx(), null)));
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", sent.File!.ContentType);
    }

    public static TheoryData<string, byte[], string?, HttpStatusCode, string, string> Refusals => new()
    {
        { "setup.exe", SampleFiles.Executable, "application/x-msdownload", HttpStatusCode.UnsupportedMediaType, ".exe files cannot be sent here", "type_not_allowed" },
        { "photo.png", SampleFiles.Executable, "image/png", HttpStatusCode.UnsupportedMediaType, "The content of photo.png is not a .png file.", "content_mismatch" },
        { "photo.png", SampleFiles.Png, "application/x-msdownload", HttpStatusCode.UnsupportedMediaType, "sent as application/x-msdownload but its name says .png", "type_mismatch" },
        { "notes.txt", SampleFiles.Executable, "text/plain", HttpStatusCode.UnsupportedMediaType, "is not a .txt file", "content_mismatch" },
        { "invoice.pdf", [.. SampleFiles.Docx()], "application/pdf", HttpStatusCode.UnsupportedMediaType, "is not a .pdf file", "content_mismatch" },
        { "../../etc/passwd", Encoding.ASCII.GetBytes("root:x:0:0"), "text/plain", HttpStatusCode.UnsupportedMediaType, "Files without an extension cannot be sent here", "type_not_allowed" },
        { "..\\..\\Windows\\System32\\evil.dll", SampleFiles.Executable, null, HttpStatusCode.UnsupportedMediaType, ".dll files cannot be sent here", "type_not_allowed" },
        { "report.pdf\u0000.exe", SampleFiles.Executable, null, HttpStatusCode.UnsupportedMediaType, ".exe files cannot be sent here", "type_not_allowed" },
        { "../..", Encoding.ASCII.GetBytes("x"), "text/plain", HttpStatusCode.BadRequest, "The file needs a name", "name_required" },
        { "empty.txt", [], "text/plain", HttpStatusCode.BadRequest, "The file is empty.", "empty" },
    };

    [Theory]
    [MemberData(nameof(Refusals))]
    public async Task Bad_files_are_refused_with_a_clear_error_and_nothing_is_stored(string name, byte[] bytes, string? contentType, HttpStatusCode status, string error, string code)
    {
        using var visitorResponse = await VisitorUploadAsync(name, SampleFiles.Content(bytes, contentType));
        using var operatorResponse = await OperatorUploadAsync(Alice, ConversationId, name, SampleFiles.Content(bytes, contentType));

        foreach (var response in new[] { visitorResponse, operatorResponse })
        {
            Assert.Equal(status, response.StatusCode);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Contains(error, problem.GetProperty("detail").GetString());
            Assert.Equal(code, problem.GetProperty("code").GetString());
        }
        Assert.Equal((0, 0, 0, 0), await StoredAsync());
        Assert.Empty(Driver.Events("alice", "MessageReceived"));
    }

    [Fact]
    public async Task A_file_over_the_sites_limit_is_refused_while_it_streams_even_without_a_declared_length()
    {
        using (var admin = await TestApi.AdminClientAsync(Host))
        {
            var settings = await admin.GetFromJsonAsync<SiteRoutingDto>("/api/admin/sites/demo/routing", SignalRDriver.Json);
            Assert.Equal(10 * 1024 * 1024, settings!.MaxFileBytes);
            (await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", settings with { MaxFileBytes = 4096 })).EnsureSuccessStatusCode();
        }
        var text = Encoding.ASCII.GetBytes(new string('a', 4097));

        using var declared = await VisitorUploadAsync("big.txt", SampleFiles.Content(text, "text/plain"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, declared.StatusCode);
        Assert.Contains("at most 4 KB", await DetailOfAsync(declared));

        // Chunked: no Content-Length, so only counting while reading can stop it.
        var chunked = new StreamContent(new UnknownLengthStream(new MemoryStream(text)));
        chunked.Headers.ContentType = new("text/plain");
        using var streamed = await VisitorUploadAsync("big.txt", chunked);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, streamed.StatusCode);
        Assert.Null(streamed.RequestMessage!.Content!.Headers.ContentLength);

        Assert.Equal(4096, (await MessageFromAsync(await VisitorUploadAsync("fits.txt", SampleFiles.Content(text[..4096], "text/plain")))).File!.Size);
        Assert.Equal((1, 1, 1, 1), await StoredAsync());
    }

    [Fact]
    public async Task Names_are_stored_without_paths_control_characters_or_reserved_device_names()
    {
        var traversal = await MessageFromAsync(await VisitorUploadAsync("..\\..\\Windows\\report.pdf", SampleFiles.Content(SampleFiles.Pdf(), "application/pdf")));
        var device = await MessageFromAsync(await VisitorUploadAsync("CON.txt", SampleFiles.Content("hi"u8.ToArray(), "text/plain")));
        var hidden = await MessageFromAsync(await VisitorUploadAsync("/etc/.bashrc\r\n.txt", SampleFiles.Content("hi"u8.ToArray(), "text/plain")));
        var spoofedDirection = await MessageFromAsync(await VisitorUploadAsync("invoice\u202Efdp.txt", SampleFiles.Content("hi"u8.ToArray(), "text/plain")));

        Assert.Equal("report.pdf", traversal.File!.Name);
        Assert.Equal("_CON.txt", device.File!.Name);
        Assert.Equal("bashrc.txt", hidden.File!.Name);
        Assert.Equal("invoicefdp.txt", spoofedDirection.File!.Name);
        Assert.Equal(["_CON.txt", "bashrc.txt", "invoicefdp.txt", "report.pdf"],
            await Host.WithDbAsync(db => db.SharedFiles.OrderBy(f => f.Name).Select(f => f.Name).ToListAsync()));
    }

    [Fact]
    public async Task Only_the_conversations_visitor_and_operators_download_its_files()
    {
        var file = (await MessageFromAsync(await VisitorUploadAsync("private.pdf", SampleFiles.Content(SampleFiles.Pdf("secret"), "application/pdf")))).File!;

        var otherVisitor = await TestApi.CreateVisitorAsync(Host);
        using (var other = VisitorClient(otherVisitor.VisitorToken))
            Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/files/visitor/{file.Id}")).StatusCode);
        using (var bob = await TestApi.SignedInClientAsync(Host, TestApi.BobEmail, TestApi.BobPassword))
        {
            Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/files/{file.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await OperatorUploadAsync(bob, ConversationId, "x.pdf", SampleFiles.Content(SampleFiles.Pdf(), null))).StatusCode);
        }
        using (var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass"))
            Assert.Equal(HttpStatusCode.OK, (await manager.GetAsync($"/api/files/{file.Id}")).StatusCode);
        using (var anonymous = TestApi.CreateClient(Host))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/files/{file.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/files/visitor/{file.Id}")).StatusCode);
        }
        // A visitor token is no operator login, and a foreign page cannot use one.
        using (var visitor = VisitorClient(Visitor.VisitorToken))
            Assert.Equal(HttpStatusCode.Unauthorized, (await visitor.GetAsync($"/api/files/{file.Id}")).StatusCode);
        using (var foreign = TestApi.CreateClient(Host))
        {
            foreign.DefaultRequestHeaders.Authorization = new("Bearer", Visitor.VisitorToken);
            foreign.DefaultRequestHeaders.Add("Origin", "https://evil.example");
            Assert.Equal(HttpStatusCode.Forbidden, (await foreign.GetAsync($"/api/files/visitor/{file.Id}")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await foreign.PostAsync("/api/files/visitor?name=a.pdf", SampleFiles.Content(SampleFiles.Pdf(), null))).StatusCode);
        }
        Assert.Equal(1, await CountAsync(db => db.SharedFiles.CountAsync()));
    }

    [Fact]
    public async Task An_operator_who_was_in_the_chat_still_downloads_after_a_transfer_and_an_invited_one_too()
    {
        var file = (await MessageFromAsync(await VisitorUploadAsync("a.pdf", SampleFiles.Content(SampleFiles.Pdf(), null)))).File!;
        await OperatorOnlineAsync("chloe", TestApi.ChloeEmail, TestApi.ChloePassword);
        using var chloe = await TestApi.SignedInClientAsync(Host, TestApi.ChloeEmail, TestApi.ChloePassword);
        Assert.Equal(HttpStatusCode.NotFound, (await chloe.GetAsync($"/api/files/{file.Id}")).StatusCode);

        var chloeId = await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.ChloeEmail).Select(u => u.Id).SingleAsync());
        await Driver.InvokeAsync("alice", "Transfer", ConversationId, new TransferRequest(chloeId, null, null));
        await Driver.WaitForEventsAsync("chloe", "ChatAssigned");

        Assert.Equal(HttpStatusCode.OK, (await chloe.GetAsync($"/api/files/{file.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Alice.GetAsync($"/api/files/{file.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await OperatorUploadAsync(Alice, ConversationId, "b.pdf", SampleFiles.Content(SampleFiles.Pdf(), null))).StatusCode);
    }

    [Fact]
    public async Task No_file_is_accepted_once_the_chat_has_ended()
    {
        await Driver.InvokeAsync("visitor", "EndChat");
        using var visitor = await VisitorUploadAsync("a.pdf", SampleFiles.Content(SampleFiles.Pdf(), null));
        using var alice = await OperatorUploadAsync(Alice, ConversationId, "a.pdf", SampleFiles.Content(SampleFiles.Pdf(), null));
        Assert.Equal(HttpStatusCode.Conflict, visitor.StatusCode);
        Assert.Contains("no open chat", await DetailOfAsync(visitor));
        Assert.Equal(HttpStatusCode.Conflict, alice.StatusCode);
        Assert.Contains("This chat has ended.", await DetailOfAsync(alice));
        Assert.Equal((0, 0, 0, 0), await StoredAsync());
    }

    [Fact]
    public async Task Admins_set_the_size_limit_and_allowed_types_with_the_other_site_settings_and_the_widget_learns_them()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var settings = (await admin.GetFromJsonAsync<SiteRoutingDto>("/api/admin/sites/demo/routing", SignalRDriver.Json))!;
        Assert.Equal(FileTypes.DefaultAllowed, settings.AllowedFileTypes);

        var unknown = await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", settings with { AllowedFileTypes = ["pdf", "exe"] });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("exe", await DetailOfAsync(unknown));
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", settings with { MaxFileBytes = 0 })).StatusCode);

        (await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", settings with { AllowedFileTypes = [".PDF", "png"], MaxFileBytes = 2 * 1024 * 1024 })).EnsureSuccessStatusCode();
        var session = await TestApi.CreateVisitorAsync(Host);
        Assert.Equal(2 * 1024 * 1024, session.Site.Files.MaxBytes);
        Assert.Equal(["pdf", "png"], session.Site.Files.AllowedTypes);
        // Unchanged settings stay as they were when the request leaves them out.
        (await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", settings with { MaxFileBytes = null, AllowedFileTypes = null })).EnsureSuccessStatusCode();
        Assert.Equal(2 * 1024 * 1024, (await admin.GetFromJsonAsync<SiteRoutingDto>("/api/admin/sites/demo/routing", SignalRDriver.Json))!.MaxFileBytes);

        using var refused = await VisitorUploadAsync("notes.txt", SampleFiles.Content("hi"u8.ToArray(), "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Contains("Allowed: .pdf, .png", await DetailOfAsync(refused));
    }

    private static async Task<string> DetailOfAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()!;

    /// <summary>A body of unknown length, so HttpClient sends it chunked.</summary>
    private sealed class UnknownLengthStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1024));
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
