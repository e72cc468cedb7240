using ChatDesk.Server.Chats;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChatDesk.Tests.Chats;

/// <summary>Messages that arrive while a write is in flight share the next commit, and each sender hears back after it.</summary>
public sealed class GroupCommitTests : ChatTestBase
{
    private const int Visitors = 20;

    [Fact]
    public async Task Messages_queued_behind_a_slow_write_are_committed_together_each_once_in_its_own_sequence()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, Visitors + 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, slow) = await StartVisitorChatAsync("slow");
        var started = await Task.WhenAll(Enumerable.Range(0, Visitors).Select(i => StartVisitorChatAsync($"v{i}", name: $"Visitor {i}")));
        var chats = started.Select(s => s.Conversation).ToList();
        // The first visitor's chat is open in two more tabs (a connection runs one call at a time).
        await Driver.ConnectVisitorAsync("v0-tab2", Host.BaseUrl, started[0].Session.VisitorToken);
        await Driver.ConnectVisitorAsync("v0-tab3", Host.BaseUrl, started[0].Session.VisitorToken);

        // Another transaction holds the slow chat's row: the write carrying its message waits, and the others queue behind it.
        await using var blocker = new NpgsqlConnection(Host.ConnectionString);
        await blocker.OpenAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE", blocker, transaction))
        {
            lockRow.Parameters.AddWithValue(slow.ConversationId);
            await lockRow.ExecuteNonQueryAsync();
        }
        var slowSend = Driver.InvokeAsync<MessageDto>("slow", "SendMessage", TestApi.Message("held up"));
        await WaitForLockWaiterAsync(blocker);
        var twice = TestApi.Message("sent twice at once");
        var sends = Enumerable.Range(0, Visitors).Select(i => Driver.InvokeAsync<MessageDto>($"v{i}", "SendMessage", TestApi.Message($"hello from {i}")))
            .Append(Driver.InvokeAsync<MessageDto>("v0-tab2", "SendMessage", twice))
            .Append(Driver.InvokeAsync<MessageDto>("v0-tab3", "SendMessage", twice))
            .ToList();
        await Task.Delay(500); // every call has reached the server and waits in the queue
        Assert.DoesNotContain(sends, s => s.IsCompleted); // nobody is answered before their commit
        await transaction.CommitAsync();

        var stored = await Task.WhenAll(sends);
        Assert.Equal("held up", (await slowSend).Text);
        Assert.Equal(stored[^2], stored[^1]); // the repeated client id gets the one stored message

        var rows = new List<(Guid ConversationId, int Sequence, string Text, Guid ClientMessageId, string Tx)>();
        await using (var read = new NpgsqlCommand("SELECT conversation_id, sequence, text, client_message_id, xmin::text FROM messages WHERE author_kind = 'visitor'", blocker))
        await using (var reader = await read.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                rows.Add((reader.GetGuid(0), reader.GetInt32(1), reader.GetString(2), reader.GetGuid(3), reader.GetString(4)));
        Assert.Equal(Visitors + 2, rows.Count);
        // The queued messages went in one commit, after (and apart from) the held-up one.
        var queuedTx = rows.Where(r => r.ConversationId != slow.ConversationId).Select(r => r.Tx).Distinct().ToList();
        Assert.Single(queuedTx);
        Assert.NotEqual(queuedTx[0], rows.Single(r => r.ConversationId == slow.ConversationId).Tx);
        Assert.Single(rows, r => r.ClientMessageId == stored[^1].ClientMessageId);
        // Each conversation's sequence stays gap-free, and each sender got what was stored.
        foreach (var chat in chats)
        {
            var sequences = await Host.WithDbAsync(db => db.Messages.Where(m => m.ConversationId == chat.ConversationId).OrderBy(m => m.Sequence).Select(m => m.Sequence).ToListAsync());
            Assert.Equal(Enumerable.Range(1, sequences.Count), sequences);
        }
        foreach (var message in stored)
            Assert.Contains(rows, r => r.ClientMessageId == message.ClientMessageId && r.Sequence == message.Sequence && r.Text == message.Text);
    }

    private static async Task WaitForLockWaiterAsync(NpgsqlConnection connection)
    {
        for (var i = 0; i < 200; i++)
        {
            await using var command = new NpgsqlCommand("SELECT count(*)::int FROM pg_locks WHERE NOT granted AND locktype = 'transactionid'", connection);
            if ((int)(await command.ExecuteScalarAsync())! > 0)
                return;
            await Task.Delay(25);
        }
        throw new TimeoutException("The held-up message never waited for the locked row.");
    }
}
