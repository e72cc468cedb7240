using ChatDesk.Server.Chats;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChatDesk.Tests.Routing;

/// <summary>
/// A burst of StartChat calls on one node shares its dispatches: while routing is busy, the calls wait
/// without each holding a database session in the queue for the routing lock.
/// </summary>
public sealed class DispatchCoalescingTests : ChatTestBase
{
    private const int Chats = 24;

    [Fact]
    public async Task A_burst_of_chats_waits_for_routing_on_at_most_two_database_sessions_and_every_chat_is_routed()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 5)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var visitors = await Task.WhenAll(Enumerable.Range(0, Chats).Select(async i =>
        {
            var session = await TestApi.CreateVisitorAsync(Host);
            await Driver.ConnectVisitorAsync($"v{i}", Host.BaseUrl, session.VisitorToken);
            return $"v{i}";
        }));

        // Routing is busy elsewhere (another node holds its lock) while the burst arrives.
        await using var blocker = new NpgsqlConnection(Host.ConnectionString);
        await blocker.OpenAsync();
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({RoutingService.RoutingLockKey})", blocker))
            await take.ExecuteNonQueryAsync();
        var started = visitors.Select(v => Driver.InvokeAsync<ConversationView>(v, "StartChat", TestApi.ChatRequest($"Visitor {v}", "billing"))).ToList();
        var stored = 0;
        for (var i = 0; i < 600 && stored < Chats; i++, await Task.Delay(50))
            stored = await CountAsync(db => db.Conversations.CountAsync());
        Assert.Equal(Chats, stored);
        await Task.Delay(300); // the calls that stored their chat have asked for a dispatch by now

        // One dispatch may wait for the lock, with another gathering the calls behind it (and the sweep).
        var waiting = await WaitingForRoutingLockAsync(blocker);
        Assert.InRange(waiting, 1, 2);

        await using (var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({RoutingService.RoutingLockKey})", blocker))
            await release.ExecuteNonQueryAsync();
        // Every call is answered. StartChat waits for routing at most a second (on a real-time timer), so a call held
        // longer answers "queued" and its assignment is pushed: the split is read from the database.
        var views = await Task.WhenAll(started);
        Assert.All(views, v => Assert.Contains(v.Status, new[] { ConversationStatus.Assigned, ConversationStatus.Queued }));
        var assigned = 0;
        for (var i = 0; i < 200 && assigned < 5; i++, await Task.Delay(50))
            assigned = await CountAsync(db => db.Conversations.CountAsync(c => c.Status == ConversationStatus.Assigned));
        Assert.Equal(5, assigned);
        Assert.Equal(Chats - 5, await CountAsync(db => db.Conversations.CountAsync(c => c.Status == ConversationStatus.Queued)));
        Assert.True(views.Count(v => v.Status == ConversationStatus.Assigned) <= 5);
    }

    private static async Task<int> WaitingForRoutingLockAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand("""
            SELECT count(*)::int FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND ((classid::bigint << 32) | objid::bigint) = $1
            """, connection);
        command.Parameters.AddWithValue(RoutingService.RoutingLockKey);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
