using System.Threading.Channels;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Npgsql;
using NpgsqlTypes;

namespace ChatDesk.Server.Chats;

/// <summary>
/// Appends a message and its <c>message.sent</c> event in ONE SQL statement: the hot path of the
/// product. The UPDATE of the conversation row takes its lock, which serialises writers of one
/// conversation and keeps the message and event sequences gap-free; a repeated client message id
/// returns the stored message.
/// Group commit: the messages that arrive while the previous write is in flight (across
/// conversations) go to PostgreSQL together, one statement each in one round trip and one commit, and
/// each sender is answered only once that commit is done. A lone message waits for nothing.
/// </summary>
public sealed class MessageAppender(
    NpgsqlDataSource dataSource, TimeProvider clock, ChatNotifier notifier, ChatMetrics metrics, ILogger<MessageAppender> logger)
    : BackgroundService
{
    /// <summary>At most this many messages per commit, so that one commit stays short.</summary>
    public const int MaxBatch = 256;

    /// <summary>Who writes, and which conversation that author may write to.</summary>
    public sealed record Author(string Kind, Guid? VisitorId, Guid? SiteId, string? OperatorId, Guid? ConversationId)
    {
        /// <summary>A visitor writes to their latest conversation on that site.</summary>
        public static Author Visitor(VisitorIdentity visitor) => new(AuthorKind.Visitor, visitor.VisitorId, visitor.SiteId, null, null);

        /// <summary>An operator writes to a conversation they own.</summary>
        public static Author Operator(string operatorId, Guid conversationId) => new(AuthorKind.Operator, null, null, operatorId, conversationId);
    }

    private const string VisitorTarget = """
        SELECT c.id FROM conversations c WHERE c.visitor_id = $1 AND c.site_id = $2 ORDER BY c.requested_at DESC, c.id DESC LIMIT 1
        """;

    // The owner or an operator invited into the chat.
    private const string OperatorTarget = """
        SELECT c.id FROM conversations c WHERE c.id = $4 AND (c.operator_id = $3 OR EXISTS (
            SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id AND p.operator_id = $3 AND p.left_at IS NULL))
        """;

    private static readonly string VisitorSql = Statement(VisitorTarget);
    private static readonly string OperatorSql = Statement(OperatorTarget);

    private static string Statement(string target) => $$"""
        WITH target AS ({{target}}),
        existing AS (
            SELECT m.* FROM messages m JOIN target t ON m.conversation_id = t.id WHERE m.client_message_id = $5
        ),
        updated AS (
            UPDATE conversations c
            SET last_message_sequence = c.last_message_sequence + 1, last_event_sequence = c.last_event_sequence + 1
            FROM target t
            WHERE c.id = t.id AND c.status <> 'ended' AND NOT EXISTS (SELECT 1 FROM existing)
            RETURNING c.id, c.visitor_id, c.operator_id, c.visitor_name, c.last_message_sequence, c.last_event_sequence
        ),
        inserted AS (
            INSERT INTO messages (conversation_id, sequence, client_message_id, author_kind, author_operator_id, author_name, text, sent_at)
            SELECT u.id, u.last_message_sequence, $5, $6, $3,
                   CASE WHEN $3::text IS NULL THEN u.visitor_name ELSE (SELECT display_name FROM users WHERE id = $3) END,
                   $7, $8
            FROM updated u
            RETURNING *
        ),
        recorded AS (
            INSERT INTO events (type, occurred_at, conversation_id, sequence, operator_id, visitor_id, data)
            SELECT $9, $8, u.id, u.last_event_sequence, $3, u.visitor_id,
                   jsonb_build_object('authorKind', $6::text, 'operatorId', $3::text, 'clientMessageId', $5::uuid,
                                      'messageSequence', u.last_message_sequence, 'length', $10::int)
            FROM updated u
        )
        SELECT i.conversation_id, i.sequence, i.client_message_id, i.author_kind, i.author_name, i.text, i.sent_at, true, u.visitor_id,
               array_remove(array_append(ARRAY(SELECT p.operator_id FROM conversation_participants p WHERE p.conversation_id = u.id AND p.left_at IS NULL), u.operator_id), NULL)
        FROM inserted i JOIN updated u ON u.id = i.conversation_id
        UNION ALL
        SELECT e.conversation_id, e.sequence, e.client_message_id, e.author_kind, e.author_name, e.text, e.sent_at, false, NULL, NULL::text[]
        FROM existing e
        """;

    private readonly Channel<PendingAppend> pending = Channel.CreateUnbounded<PendingAppend>(new UnboundedChannelOptions { SingleReader = true });

    /// <returns>The stored message, or null when the author may not write there (unknown, not theirs, or ended).</returns>
    public async Task<MessageDto?> AppendAsync(Author author, Guid clientMessageId, string text, CancellationToken cancellationToken)
    {
        // Timestamped on arrival, by the server.
        var append = new PendingAppend(author, clientMessageId, text, clock.UtcNowForStorage());
        if (!pending.Writer.TryWrite(append))
            throw new InvalidOperationException("The server is shutting down.");
        var (message, isNew, visitorId, operatorIds) = await append.Stored.Task.WaitAsync(cancellationToken);
        if (message is not null && isNew)
            await notifier.MessageSentAsync(visitorId!.Value, operatorIds, message);
        return message;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<PendingAppend>(MaxBatch);
        try
        {
            while (await pending.Reader.WaitToReadAsync(stoppingToken))
            {
                while (batch.Count < MaxBatch && pending.Reader.TryRead(out var append))
                    batch.Add(append);
                await WriteAsync(batch);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        pending.Writer.TryComplete();
        // Nothing is left waiting: what was queued at shutdown is still written.
        while (pending.Reader.TryRead(out var append))
            batch.Add(append);
        if (batch.Count > 0)
            await WriteAsync(batch);
    }

    private async Task WriteAsync(List<PendingAppend> batch)
    {
        try
        {
            var results = await ExecuteBatchAsync(batch);
            CountStored(batch, results);
            for (var i = 0; i < batch.Count; i++)
                batch[i].Stored.SetResult(results[i]);
            return;
        }
        catch (PostgresException e) when (!DatabaseRetry.IsTransient(e))
        {
            // The whole commit was rolled back (a client id sent twice at once, or a deadlock with another node's
            // batch): each message is written on its own, where such a conflict is resolved.
            logger.LogDebug(e, "A batch of {Count} messages was rolled back; writing them one by one", batch.Count);
        }
        catch (Exception e)
        {
            foreach (var append in batch)
                append.Stored.SetException(e);
            return;
        }
        foreach (var append in batch)
        {
            try
            {
                var result = await AppendAloneAsync(append);
                if (result.IsNew)
                    metrics.MessagesStored(append.Author.Kind, 1);
                append.Stored.SetResult(result);
            }
            catch (Exception e)
            {
                append.Stored.SetException(e);
            }
        }
    }

    /// <summary>The messages a commit stored (not repeats of a client id): two counter additions per commit at most.</summary>
    private void CountStored(List<PendingAppend> batch, Appended[] results)
    {
        var (visitor, @operator) = (0, 0);
        for (var i = 0; i < batch.Count; i++)
        {
            if (!results[i].IsNew)
                continue;
            if (batch[i].Author.Kind == AuthorKind.Visitor)
                visitor++;
            else
                @operator++;
        }
        metrics.MessagesStored(AuthorKind.Visitor, visitor);
        metrics.MessagesStored(AuthorKind.Operator, @operator);
    }

    private async Task<Appended> AppendAloneAsync(PendingAppend append)
    {
        try
        {
            return (await ExecuteBatchAsync([append]))[0];
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            // The same client id sent twice at the same moment: the other call stored it.
            return (await ExecuteBatchAsync([append]))[0];
        }
    }

    private async Task<Appended[]> ExecuteBatchAsync(IReadOnlyList<PendingAppend> appends)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var batch = connection.CreateBatch();
        foreach (var append in appends)
            batch.BatchCommands.Add(CommandFor(append));
        // One implicit transaction: every message of the batch is committed together, or none is.
        await using var reader = await batch.ExecuteReaderAsync();
        var results = new Appended[appends.Count];
        for (var i = 0; i < appends.Count; i++)
        {
            if (i > 0)
                await reader.NextResultAsync();
            results[i] = await reader.ReadAsync() ? Read(reader) : new Appended(null, false, null, []);
        }
        return results;
    }

    private static NpgsqlBatchCommand CommandFor(PendingAppend append)
    {
        var (author, clientMessageId, text, sentAt) = (append.Author, append.ClientMessageId, append.Text, append.SentAt);
        var command = new NpgsqlBatchCommand(author.Kind == AuthorKind.Visitor ? VisitorSql : OperatorSql);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)author.VisitorId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)author.SiteId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)author.OperatorId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)author.ConversationId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = clientMessageId, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = author.Kind, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = text, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = sentAt, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = EventTypes.MessageSent, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = text.Length, NpgsqlDbType = NpgsqlDbType.Integer });
        return command;
    }

    private static Appended Read(NpgsqlDataReader reader)
    {
        var message = new MessageDto(
            reader.GetGuid(0), reader.GetInt32(1), reader.GetGuid(2), reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6));
        var isNew = reader.GetBoolean(7);
        return new Appended(message, isNew, isNew ? reader.GetGuid(8) : null, isNew && !reader.IsDBNull(9) ? reader.GetFieldValue<string[]>(9) : []);
    }

    private sealed record PendingAppend(Author Author, Guid ClientMessageId, string Text, DateTimeOffset SentAt)
    {
        public TaskCompletionSource<Appended> Stored { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Appended(MessageDto? Message, bool IsNew, Guid? VisitorId, IReadOnlyList<string> OperatorIds);
}
