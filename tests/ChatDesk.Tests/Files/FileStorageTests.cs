using System.Net;
using System.Text;
using ChatDesk.Server.Files;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatDesk.Tests.Files;

/// <summary>With ChatDesk:Files:Folder set, the bytes go to that folder, not to PostgreSQL.</summary>
public sealed class FolderStorageTests : FileTestBase
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"chatdesk-files-{Guid.NewGuid():N}");

    protected override ChatDeskTestHost CreateHost() => new() { Settings = new Dictionary<string, string?> { [FilesSetup.FolderSetting] = folder } };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    [Fact]
    public async Task Files_are_kept_in_the_folder_and_downloaded_from_it()
    {
        var pdf = SampleFiles.Pdf("kept in a folder");
        var file = (await MessageFromAsync(await VisitorUploadAsync("folder.pdf", SampleFiles.Content(pdf, "application/pdf")))).File!;

        Assert.Equal(pdf, await File.ReadAllBytesAsync(Path.Combine(folder, $"{file.Id:N}.bin")));
        Assert.Equal((1, 0, 1, 1), await StoredAsync());
        Assert.Equal(FolderFileStore.StorageKind, await Host.WithDbAsync(db => db.SharedFiles.Select(f => f.Storage).SingleAsync()));
        Assert.Equal(pdf, await Alice.GetByteArrayAsync($"/api/files/{file.Id}"));
    }

    [Fact]
    public async Task A_refused_file_leaves_nothing_in_the_folder()
    {
        using var response = await VisitorUploadAsync("photo.png", SampleFiles.Content(SampleFiles.Executable, "image/png"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any());
        Assert.Equal((0, 0, 0, 0), await StoredAsync());
    }
}

/// <summary>The antivirus hook: a scanner that refuses the EICAR test string stands in for a real one.</summary>
public sealed class FileScanHookTests : FileTestBase
{
    private static readonly byte[] Eicar = Encoding.ASCII.GetBytes(@"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*");

    protected override ChatDeskTestHost CreateHost() => new() { ConfigureServices = services => services.AddSingleton<IFileScanner, EicarScanner>() };

    [Fact]
    public async Task A_file_the_scanner_rejects_is_refused_with_its_reason_and_nothing_is_stored()
    {
        using var visitor = await VisitorUploadAsync("readme.txt", SampleFiles.Content(Eicar, "text/plain"));
        using var alice = await OperatorUploadAsync(Alice, ConversationId, "readme.txt", SampleFiles.Content(Eicar, "text/plain"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, visitor.StatusCode);
        Assert.Contains("readme.txt was refused by the virus scan: Eicar-Test-Signature", await visitor.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, alice.StatusCode);
        Assert.Equal((0, 0, 0, 0), await StoredAsync());

        await MessageFromAsync(await VisitorUploadAsync("clean.txt", SampleFiles.Content("all good"u8.ToArray(), "text/plain")));
        Assert.Equal((1, 1, 1, 1), await StoredAsync());
    }

    private sealed class EicarScanner : IFileScanner
    {
        public async Task<FileScanResult> ScanAsync(Stream content, string fileName, string contentType, CancellationToken cancellationToken)
        {
            using var reader = new StreamReader(content, Encoding.ASCII, leaveOpen: true);
            return (await reader.ReadToEndAsync(cancellationToken)).Contains("EICAR-STANDARD-ANTIVIRUS-TEST-FILE")
                ? FileScanResult.Rejected("Eicar-Test-Signature")
                : FileScanResult.Allowed;
        }
    }
}
