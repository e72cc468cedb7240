using System.Text;

namespace ChatDesk.Server.Files;

/// <summary>
/// A type of file ChatDesk can accept: its extension, the type it is stored and served with, the
/// types a browser may declare for it, and a check of its content (magic bytes) so that a renamed
/// executable or a spoofed Content-Type is refused.
/// </summary>
/// <param name="Sniff">Given the first bytes of the file (up to <see cref="FileTypes.HeadBytes"/>) and its last bytes (up to <see cref="FileTypes.TailBytes"/>).</param>
public sealed record FileKind(string Extension, string ContentType, IReadOnlyList<string> DeclaredTypes, FileKind.ContentCheck Sniff)
{
    public delegate bool ContentCheck(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail, bool complete);
}

public static class FileTypes
{
    public const int HeadBytes = 8 * 1024;
    public const int TailBytes = 64 * 1024;

    private static readonly byte[] Zip = "PK\u0003\u0004"u8.ToArray();
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];
    private static readonly byte[] Ole2 = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    private static FileKind Kind(string extension, string contentType, FileKind.ContentCheck sniff, params string[] alsoDeclared) =>
        new(extension, contentType, [contentType, .. alsoDeclared], sniff);

    /// <summary>Every type a site may allow, by extension.</summary>
    public static readonly IReadOnlyDictionary<string, FileKind> Known = new[]
    {
        Kind("png", "image/png", (h, _, _) => h.StartsWith(Png)),
        Kind("jpg", "image/jpeg", IsJpeg, "image/pjpeg"),
        Kind("jpeg", "image/jpeg", IsJpeg, "image/pjpeg"),
        Kind("gif", "image/gif", (h, _, _) => h.StartsWith("GIF87a"u8) || h.StartsWith("GIF89a"u8)),
        Kind("webp", "image/webp", (h, _, _) => h.Length >= 12 && h.StartsWith("RIFF"u8) && h[8..12].SequenceEqual("WEBP"u8)),
        Kind("pdf", "application/pdf", (h, _, _) => h.StartsWith("%PDF-"u8), "application/x-pdf"),
        Kind("txt", "text/plain", IsText),
        Kind("csv", "text/csv", IsText, "text/plain", "application/csv", "text/comma-separated-values", "application/vnd.ms-excel"),
        Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", OfficeOpenXml("word/")),
        Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", OfficeOpenXml("xl/")),
        Kind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", OfficeOpenXml("ppt/")),
        Kind("odt", "application/vnd.oasis.opendocument.text", OpenDocument("application/vnd.oasis.opendocument.text")),
        Kind("ods", "application/vnd.oasis.opendocument.spreadsheet", OpenDocument("application/vnd.oasis.opendocument.spreadsheet")),
        Kind("odp", "application/vnd.oasis.opendocument.presentation", OpenDocument("application/vnd.oasis.opendocument.presentation")),
        Kind("doc", "application/msword", (h, _, _) => h.StartsWith(Ole2)),
        Kind("xls", "application/vnd.ms-excel", (h, _, _) => h.StartsWith(Ole2)),
        Kind("ppt", "application/vnd.ms-powerpoint", (h, _, _) => h.StartsWith(Ole2)),
    }.ToDictionary(k => k.Extension);

    /// <summary>What a site allows until an admin changes it: common images, PDF, plain text and office documents.</summary>
    public static readonly IReadOnlyList<string> DefaultAllowed = [.. Known.Keys];

    public const long DefaultMaxBytes = 10 * 1024 * 1024;
    public const long MaxConfigurableBytes = 50 * 1024 * 1024;
    public const long MinConfigurableBytes = 1024;

    /// <summary>True when the browser's declared type fits the kind (a missing or generic type says nothing).</summary>
    public static bool DeclaredTypeFits(FileKind kind, string? declared)
    {
        var type = declared?.Split(';')[0].Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(type) || type == "application/octet-stream" || kind.DeclaredTypes.Contains(type);
    }

    private static bool IsJpeg(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail, bool complete) => head.StartsWith(Jpeg);

    /// <summary>UTF-8 (or ASCII) without NUL bytes: a binary renamed to .txt is refused.</summary>
    private static bool IsText(ReadOnlySpan<byte> head, ReadOnlySpan<byte> tail, bool complete)
    {
        if (head.Contains((byte)0))
            return false;
        // A multi-byte character may be cut at the end of the head sample.
        for (var cut = 0; cut <= (complete ? 0 : 3) && cut < head.Length; cut++)
        {
            try
            {
                new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(head[..(head.Length - cut)]);
                return true;
            }
            catch (DecoderFallbackException)
            {
            }
        }
        return head.Length == 0;
    }

    /// <summary>A ZIP whose central directory (at the end) names the document's main folder.</summary>
    private static FileKind.ContentCheck OfficeOpenXml(string mainFolder)
    {
        var folder = Encoding.ASCII.GetBytes(mainFolder);
        var contentTypes = "[Content_Types].xml"u8.ToArray();
        return (head, tail, _) => head.StartsWith(Zip) && tail.IndexOf(folder) >= 0 && (tail.IndexOf(contentTypes) >= 0 || head.IndexOf(contentTypes) >= 0);
    }

    /// <summary>OpenDocument puts an uncompressed "mimetype" entry first in the ZIP.</summary>
    private static FileKind.ContentCheck OpenDocument(string mimeType)
    {
        var marker = Encoding.ASCII.GetBytes("mimetype" + mimeType);
        return (head, _, _) => head.StartsWith(Zip) && head.Length >= 30 + marker.Length && head[30..].StartsWith(marker);
    }
}
