namespace ChatDesk.Server.Files;

/// <summary>A file sent in a conversation. Its bytes live in the configured <see cref="IFileStore"/>.</summary>
public sealed class SharedFile
{
    public Guid Id { get; set; }
    public Guid ConversationId { get; set; }

    /// <summary>Sanitised by <see cref="FileNames.Sanitize"/>.</summary>
    public required string Name { get; set; }

    /// <summary>The type of the allowed kind the content was checked against, never the browser's claim.</summary>
    public required string ContentType { get; set; }

    public long Size { get; set; }

    /// <summary>visitor or operator.</summary>
    public required string UploaderKind { get; set; }

    public string? UploaderOperatorId { get; set; }

    /// <summary>Which store holds the bytes (database or folder), so a change of configuration keeps old files readable.</summary>
    public required string Storage { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>The bytes of a file kept in PostgreSQL, apart from its description so listings never read them.</summary>
public sealed class SharedFileContent
{
    public Guid FileId { get; set; }
    public required byte[] Content { get; set; }
}

public sealed record FileDto(Guid Id, string Name, long Size, string ContentType);

/// <summary>A site's file rules as the widget and the console need them.</summary>
public sealed record FileRulesDto(long MaxBytes, IReadOnlyList<string> AllowedTypes);

public static class FileMappings
{
    public static FileDto ToDto(this SharedFile file) => new(file.Id, file.Name, file.Size, file.ContentType);
}

/// <summary>
/// A refused upload or download: the status, a code the front ends translate, and a message the
/// user can act on; nothing was stored.
/// </summary>
public sealed class FileRefusedException(int status, string code, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Code { get; } = code;
    public string Title { get; } = title;
}

/// <summary>The <c>code</c> of a refused file's problem response (docs/contract.md).</summary>
public static class FileErrors
{
    public const string NoOpenChat = "no_open_chat";
    public const string ChatEnded = "chat_ended";
    public const string UnknownConversation = "unknown_conversation";
    public const string NameRequired = "name_required";
    public const string TypeNotAllowed = "type_not_allowed";
    public const string TypeMismatch = "type_mismatch";
    public const string ContentMismatch = "content_mismatch";
    public const string TooLarge = "too_large";
    public const string Empty = "empty";
    public const string ScanRejected = "scan_rejected";
    public const string NotFound = "not_found";
}
