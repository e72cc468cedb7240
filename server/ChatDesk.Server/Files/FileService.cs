using System.Globalization;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Files;

/// <summary>
/// Files sent in a chat. An upload is checked (name, type by extension and by content, size while
/// it streams, the scan hook) before anything is stored; then the file, its bytes (database store),
/// its chat message and the <c>message.sent</c> and <c>file.shared</c> events commit together, and
/// both sides are told like for any message.
/// </summary>
public sealed class FileService(
    ChatDeskDbContext db, ChatService chats, EventLog events, TimeProvider clock, ChatNotifier notifier,
    IFileStore store, IEnumerable<IFileStore> stores, IFileScanner scanner)
{
    private const int CopyBufferBytes = 81920;

    public async Task<FileRulesDto> RulesOfSiteAsync(Guid siteId, CancellationToken cancellationToken = default) =>
        await db.Sites.AsNoTracking().Where(s => s.Id == siteId)
            .Select(s => new FileRulesDto(s.MaxFileBytes, s.AllowedFileTypes)).SingleAsync(cancellationToken);

    public async Task<MessageDto> UploadFromVisitorAsync(
        VisitorIdentity visitor, string? name, string? declaredType, long? declaredLength, Stream body, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.OfVisitorLatestFirst(visitor).FirstOrDefaultAsync(cancellationToken);
        if (conversation is not { IsOpen: true })
            throw new FileRefusedException(StatusCodes.Status409Conflict, FileErrors.NoOpenChat, "No open chat", "There is no open chat to send a file to. Start a new one first.");
        return await UploadAsync(conversation, AuthorKind.Visitor, null, name, declaredType, declaredLength, body, cancellationToken);
    }

    public async Task<MessageDto> UploadFromOperatorAsync(
        string operatorId, Guid conversationId, string? name, string? declaredType, long? declaredLength, Stream body, CancellationToken cancellationToken)
    {
        var conversation = await chats.VisibleTo(operatorId).SingleOrDefaultAsync(c => c.Id == conversationId, cancellationToken)
            ?? throw new FileRefusedException(StatusCodes.Status404NotFound, FileErrors.UnknownConversation, "Unknown conversation", "Unknown conversation.");
        if (!conversation.IsOpen)
            throw ChatHasEnded();
        return await UploadAsync(conversation, AuthorKind.Operator, operatorId, name, declaredType, declaredLength, body, cancellationToken);
    }

    private async Task<MessageDto> UploadAsync(
        Conversation target, string uploaderKind, string? operatorId, string? rawName, string? declaredType, long? declaredLength,
        Stream body, CancellationToken cancellationToken)
    {
        var rules = await RulesOfSiteAsync(target.SiteId, cancellationToken);
        var name = FileNames.Sanitize(rawName)
            ?? throw new FileRefusedException(StatusCodes.Status400BadRequest, FileErrors.NameRequired, "File name required", "The file needs a name, such as invoice.pdf.");
        var extension = FileNames.ExtensionOf(name);
        if (!rules.AllowedTypes.Contains(extension) || !FileTypes.Known.TryGetValue(extension, out var kind))
            throw new FileRefusedException(StatusCodes.Status415UnsupportedMediaType, FileErrors.TypeNotAllowed, "File type not allowed",
                $"{(extension.Length > 0 ? $".{extension} files" : "Files without an extension")} cannot be sent here. Allowed: {string.Join(", ", rules.AllowedTypes.Select(t => "." + t))}.");
        if (!FileTypes.DeclaredTypeFits(kind, declaredType))
            throw new FileRefusedException(StatusCodes.Status415UnsupportedMediaType, FileErrors.TypeMismatch, "Content type does not match",
                $"The file is sent as {declaredType![..Math.Min(declaredType!.Length, 100)]} but its name says .{extension}.");
        if (declaredLength > rules.MaxBytes)
            throw TooLarge(rules.MaxBytes);

        await using var buffer = new FileStream(Path.Combine(Path.GetTempPath(), $"chatdesk-upload-{Guid.NewGuid():N}"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, CopyBufferBytes, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var size = await CopyBoundedAsync(body, buffer, rules.MaxBytes, cancellationToken);
        if (size == 0)
            throw new FileRefusedException(StatusCodes.Status400BadRequest, FileErrors.Empty, "Empty file", "The file is empty.");
        if (!await ContentMatchesAsync(kind, buffer, size, cancellationToken))
            throw new FileRefusedException(StatusCodes.Status415UnsupportedMediaType, FileErrors.ContentMismatch, "Content does not match the type",
                $"The content of {name} is not a .{extension} file.");
        buffer.Position = 0;
        var scan = await scanner.ScanAsync(buffer, name, kind.ContentType, cancellationToken);
        if (!scan.Clean)
            throw new FileRefusedException(StatusCodes.Status422UnprocessableEntity, FileErrors.ScanRejected, "File refused by the scan",
                $"{name} was refused by the virus scan{(string.IsNullOrWhiteSpace(scan.Reason) ? "." : $": {scan.Reason}")}");
        buffer.Position = 0;

        var now = clock.UtcNowForStorage();
        var file = new SharedFile
        {
            Id = Guid.CreateVersion7(now), ConversationId = target.Id, Name = name, ContentType = kind.ContentType, Size = size,
            UploaderKind = uploaderKind, UploaderOperatorId = operatorId, Storage = store.Kind, CreatedAt = now,
        };
        Message message;
        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var conversation = await db.Conversations.LockAsync(target.Id, cancellationToken);
            if (!conversation.IsOpen)
                throw ChatHasEnded();
            db.SharedFiles.Add(file);
            await db.SaveChangesAsync(cancellationToken);
            await store.SaveAsync(db, file.Id, buffer, cancellationToken);
            message = AddMessage(conversation, file, operatorId is null ? conversation.VisitorName
                : await db.Users.Where(u => u.Id == operatorId).Select(u => u.DisplayName).SingleAsync(cancellationToken));
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch
        {
            await store.DiscardAsync(file.Id);
            throw;
        }

        var dto = message.ToDto();
        await notifier.MessageSentAsync(target.VisitorId, await chats.OperatorsOfAsync(target.Id, cancellationToken), dto);
        return dto;
    }

    /// <summary>The file's chat entry, numbered like any message, with both events.</summary>
    private Message AddMessage(Conversation conversation, SharedFile file, string authorName)
    {
        conversation.LastMessageSequence++;
        var message = new Message
        {
            ConversationId = conversation.Id,
            Sequence = conversation.LastMessageSequence,
            ClientMessageId = Guid.NewGuid(),
            AuthorKind = file.UploaderKind,
            AuthorOperatorId = file.UploaderOperatorId,
            AuthorName = authorName,
            Text = file.Name,
            SentAt = file.CreatedAt,
            FileId = file.Id,
            File = file,
        };
        db.Messages.Add(message);
        var operatorId = file.UploaderOperatorId;
        events.Append(db, conversation, EventTypes.MessageSent, new
        {
            authorKind = file.UploaderKind, operatorId, clientMessageId = message.ClientMessageId, messageSequence = message.Sequence, length = message.Text.Length,
        }, operatorId);
        events.Append(db, conversation, EventTypes.FileShared, new
        {
            fileId = file.Id, uploaderKind = file.UploaderKind, operatorId, name = file.Name, size = file.Size, contentType = file.ContentType,
            messageSequence = message.Sequence,
        }, operatorId);
        return message;
    }

    /// <summary>Copies at most <paramref name="maxBytes"/>: a larger upload is refused as soon as it goes past, not after it is all read.</summary>
    private static async Task<long> CopyBoundedAsync(Stream body, Stream target, long maxBytes, CancellationToken cancellationToken)
    {
        var chunk = new byte[CopyBufferBytes];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            total += read;
            if (total > maxBytes)
                throw TooLarge(maxBytes);
            await target.WriteAsync(chunk.AsMemory(0, read), cancellationToken);
        }
        await target.FlushAsync(cancellationToken);
        return total;
    }

    private static async Task<bool> ContentMatchesAsync(FileKind kind, Stream content, long size, CancellationToken cancellationToken)
    {
        var head = new byte[(int)Math.Min(size, FileTypes.HeadBytes)];
        content.Position = 0;
        await content.ReadExactlyAsync(head, cancellationToken);
        var tail = new byte[(int)Math.Min(size, FileTypes.TailBytes)];
        content.Position = size - tail.Length;
        await content.ReadExactlyAsync(tail, cancellationToken);
        return kind.Sniff(head, tail, size <= FileTypes.HeadBytes);
    }

    /// <summary>A visitor reads the files of their own conversations only.</summary>
    public async Task<(SharedFile File, Stream Content)> OpenForVisitorAsync(VisitorIdentity visitor, Guid fileId, CancellationToken cancellationToken)
    {
        var file = await db.SharedFiles.AsNoTracking()
            .Where(f => f.Id == fileId && db.Conversations.Any(c => c.Id == f.ConversationId && c.VisitorId == visitor.VisitorId && c.SiteId == visitor.SiteId))
            .SingleOrDefaultAsync(cancellationToken);
        return await OpenAsync(file, cancellationToken);
    }

    /// <summary>
    /// Operators read the files of chats they are or were in (owned, assigned before a transfer,
    /// invited); managers and admins, who see the whole team's conversations, read any.
    /// </summary>
    public async Task<(SharedFile File, Stream Content)> OpenForStaffAsync(string userId, bool seesTeam, Guid fileId, CancellationToken cancellationToken)
    {
        var file = await db.SharedFiles.AsNoTracking()
            .Where(f => f.Id == fileId && (seesTeam
                || db.Conversations.Any(c => c.Id == f.ConversationId && c.OperatorId == userId)
                || db.ConversationParticipants.Any(p => p.ConversationId == f.ConversationId && p.OperatorId == userId)
                || db.Events.Any(e => e.ConversationId == f.ConversationId && e.OperatorId == userId
                                      && (e.Type == EventTypes.ChatAssigned || e.Type == EventTypes.OperatorJoined))))
            .SingleOrDefaultAsync(cancellationToken);
        return await OpenAsync(file, cancellationToken);
    }

    private async Task<(SharedFile File, Stream Content)> OpenAsync(SharedFile? file, CancellationToken cancellationToken)
    {
        // Someone else's file and no file at all look the same.
        var notFound = new FileRefusedException(StatusCodes.Status404NotFound, FileErrors.NotFound, "No such file", "This file does not exist or is not yours to download.");
        if (file is null)
            throw notFound;
        var holder = stores.FirstOrDefault(s => s.Kind == file.Storage)
            ?? throw new InvalidOperationException($"File {file.Id} is kept in the {file.Storage} store, which is not configured.");
        var content = await holder.OpenReadAsync(file.Id, cancellationToken) ?? throw notFound;
        return (file, content);
    }

    private static FileRefusedException TooLarge(long maxBytes) =>
        new(StatusCodes.Status413PayloadTooLarge, FileErrors.TooLarge, "File too large", $"Files can be at most {FormatSize(maxBytes)} here.");

    private static FileRefusedException ChatHasEnded() =>
        new(StatusCodes.Status409Conflict, FileErrors.ChatEnded, "Chat ended", "This chat has ended.");

    public static string FormatSize(long bytes) => bytes switch
    {
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.#} MB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.#} KB"),
        _ => $"{bytes} bytes",
    };
}
