namespace ChatDesk.Server.Files;

public sealed record FileScanResult(bool Clean, string? Reason = null)
{
    public static readonly FileScanResult Allowed = new(true);

    public static FileScanResult Rejected(string reason) => new(false, reason);
}

/// <summary>
/// The antivirus hook: every upload is scanned after its type checks and before it is stored.
/// Register an implementation (e.g. calling clamd) in place of <see cref="AllowAllFileScanner"/>.
/// </summary>
public interface IFileScanner
{
    /// <param name="content">The whole file, readable from its start; ChatDesk stores it afterwards, so leave it open.</param>
    Task<FileScanResult> ScanAsync(Stream content, string fileName, string contentType, CancellationToken cancellationToken);
}

/// <summary>The default: no scanner configured, every file that passed the type checks is accepted.</summary>
public sealed class AllowAllFileScanner : IFileScanner
{
    public Task<FileScanResult> ScanAsync(Stream content, string fileName, string contentType, CancellationToken cancellationToken) =>
        Task.FromResult(FileScanResult.Allowed);
}
