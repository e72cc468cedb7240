using System.Data;
using ChatDesk.Server.Data;
using Npgsql;
using NpgsqlTypes;

namespace ChatDesk.Server.RemoteSupport;

/// <summary>
/// Stores one relayed item (signal or co-browse part) in ONE SQL statement: the hot path of a
/// co-browse, a few batches a second. The UPDATE of the session row checks who may relay, takes the
/// row lock (so relay sequences stay gap-free and in order) and counts the bytes; the statement
/// returns who must receive the item. No row back: the sender may not relay there (the caller finds out why).
/// </summary>
public static class RemoteRelayAppender
{
    /// <summary>The visitor of the session's open conversation, in an active session of this kind.</summary>
    private const string VisitorMay = "c.visitor_id = $2 AND c.site_id = $3";

    /// <summary>The operator who asked for the session, while still in the chat.</summary>
    private const string OperatorMay = """
        s.operator_id = $4 AND (c.operator_id = $4 OR EXISTS (
            SELECT 1 FROM conversation_participants p WHERE p.conversation_id = c.id AND p.operator_id = $4 AND p.left_at IS NULL))
        """;

    private static string Statement(string senderMay) => $$"""
        WITH updated AS (
            UPDATE remote_sessions s
            SET last_relay_sequence = s.last_relay_sequence + 1, relay_bytes = s.relay_bytes + length($7)
            FROM conversations c
            WHERE s.id = $1 AND c.id = s.conversation_id AND c.status <> 'ended' AND s.status = 'active' AND s.kind = $5
              AND s.relay_bytes + length($7) <= $9 AND {{senderMay}}
            RETURNING s.id, s.last_relay_sequence, s.operator_id, c.id AS conversation_id, c.visitor_id, c.operator_id AS owner_id
        ),
        inserted AS (
            INSERT INTO remote_relay (session_id, sequence, audience, kind, payload, created_at)
            SELECT u.id, u.last_relay_sequence, $6, $10, $7, $8 FROM updated u
        )
        SELECT u.last_relay_sequence, u.conversation_id, u.visitor_id, u.operator_id,
               array_remove(array_append(ARRAY(SELECT p.operator_id FROM conversation_participants p
                   WHERE p.conversation_id = u.conversation_id AND p.left_at IS NULL), u.owner_id), NULL)
        FROM updated u
        """;

    private static readonly string VisitorSql = Statement(VisitorMay);
    private static readonly string OperatorSql = Statement(OperatorMay);

    /// <summary>What was stored, and who receives it.</summary>
    public sealed record Stored(RemoteRelayItem Item, Guid ConversationId, Guid VisitorId, string SessionOperatorId, IReadOnlyList<string> ChatOperatorIds);

    /// <param name="visitor">The sending visitor, or null when <paramref name="operatorId"/> sends.</param>
    /// <param name="sessionKind">The kind of session this item belongs in (a signal only in a screen share, a part only in a co-browse).</param>
    public static async Task<Stored?> AppendAsync(
        NpgsqlDataSource dataSource, TimeProvider clock, Guid sessionId, Identity.VisitorIdentity? visitor, string? operatorId,
        string sessionKind, string audience, string kind, string payload, CancellationToken cancellationToken)
    {
        var now = clock.UtcNowForStorage();
        await using var command = dataSource.CreateCommand(visitor is not null ? VisitorSql : OperatorSql);
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)visitor?.VisitorId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)visitor?.SiteId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)operatorId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = sessionKind, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = audience, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = payload, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = RemoteRules.MaxSessionRelayBytes, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = kind, NpgsqlDbType = NpgsqlDbType.Text });

        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            return null;
        var item = new RemoteRelayItem { SessionId = sessionId, Sequence = reader.GetInt32(0), Audience = audience, Kind = kind, Payload = payload, CreatedAt = now };
        return new Stored(item, reader.GetGuid(1), reader.GetGuid(2), reader.GetString(3), reader.IsDBNull(4) ? [] : reader.GetFieldValue<string[]>(4));
    }
}
