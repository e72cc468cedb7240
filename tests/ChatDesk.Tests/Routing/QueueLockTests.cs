using ChatDesk.Server.Chats;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChatDesk.Tests.Routing;

/// <summary>
/// Routing a newly requested chat locks its queue, not every queue: queues served by different operators are routed
/// side by side, and queues sharing an operator take turns on her row, so she never goes over capacity.
/// </summary>
public sealed class QueueLockTests : ChatTestBase
{
    [Fact]
    public async Task A_queue_is_routed_while_another_queue_s_dispatch_holds_its_lock()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword); // billing 5, technical 2
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword);       // technical 5, sales 3
        var billing = await SkillIdAsync("billing");
        foreach (var connection in new[] { "v-technical", "v-billing" })
            await Driver.ConnectVisitorAsync(connection, Host.BaseUrl, (await TestApi.CreateVisitorAsync(Host)).VisitorToken);

        // Another node is in the middle of routing the billing queue: it holds what a queue's dispatch holds.
        await using var blocker = new NpgsqlConnection(Host.ConnectionString);
        await blocker.OpenAsync();
        await ExecuteAsync(blocker, $"SELECT pg_advisory_lock_shared({RoutingService.RoutingLockKey}), pg_advisory_lock({RoutingService.QueueLockClass}, hashtext('{billing}'))");

        // Routed while the billing queue's locks are held (answered in the call, or pushed if that took over a second).
        var technicalChat = await Driver.InvokeAsync<ConversationView>("v-technical", "StartChat", TestApi.ChatRequest("Tess", "technical"));
        Assert.Equal(ConversationStatus.Assigned, await EventuallyAsync(technicalChat.ConversationId, ConversationStatus.Assigned));

        // StartChat waits for routing at most a second, then answers with the chat still waiting.
        var billingChat = await Driver.InvokeAsync<ConversationView>("v-billing", "StartChat", TestApi.ChatRequest("Bill", "billing"));
        Assert.Equal(ConversationStatus.Queued, billingChat.Status);
        Assert.Equal(ConversationStatus.Queued, await StatusAsync(billingChat.ConversationId));

        await ExecuteAsync(blocker, "SELECT pg_advisory_unlock_all()");
        Assert.Equal(ConversationStatus.Assigned, await EventuallyAsync(billingChat.ConversationId, ConversationStatus.Assigned));
        var owner = await Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == billingChat.ConversationId)
            .Select(c => db.Users.Single(u => u.Id == c.OperatorId).Email).SingleAsync());
        Assert.Equal(TestApi.AliceEmail, owner);
    }

    [Fact]
    public async Task Two_queues_sharing_an_operator_are_routed_at_once_and_never_fill_her_past_capacity()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword); // the only one online: billing and technical
        var second = await StartAnotherNodeAsync();
        var visitors = new[] { ("v-billing", "billing", Host), ("v-technical", "technical", second) };
        foreach (var (connection, _, node) in visitors)
            await Driver.ConnectVisitorAsync(connection, node.BaseUrl, (await TestApi.CreateVisitorAsync(node)).VisitorToken);

        // Alice's row is held (say, by her own status change) while both queues' chats arrive on two nodes, and a
        // third queue's dispatch is running (so no sweep, which spans queues, steps in between).
        await using var blocker = new NpgsqlConnection(Host.ConnectionString);
        await blocker.OpenAsync();
        await ExecuteAsync(blocker, $"SELECT pg_advisory_lock_shared({RoutingService.RoutingLockKey})");
        await using var hold = await blocker.BeginTransactionAsync();
        await ExecuteAsync(blocker, $"SELECT 1 FROM users WHERE email = '{TestApi.AliceEmail}' FOR UPDATE", hold);
        var started = visitors.Select(v => Driver.InvokeAsync<ConversationView>(v.Item1, "StartChat", TestApi.ChatRequest($"Visitor {v.Item2}", v.Item2))).ToList();

        // Both dispatches got past their queue's lock and wait on her row: neither queue waits for the other's lock.
        var waitingOnHer = 0;
        for (var i = 0; i < 100 && waitingOnHer < 2; i++, await Task.Delay(50))
            waitingOnHer = await ScalarAsync(blocker, $"""
                SELECT count(*)::int FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                WHERE NOT l.granted AND l.locktype IN ('transactionid', 'tuple') AND a.datname = current_database()
                """, hold);
        Assert.Equal(2, waitingOnHer);

        await hold.RollbackAsync();
        await ExecuteAsync(blocker, "SELECT pg_advisory_unlock_all()");
        // StartChat answers within a second (later assignments are pushed): the outcome is read from the database.
        var views = await Task.WhenAll(started);
        Assert.True(views.Count(v => v.Status == ConversationStatus.Assigned) <= 1);
        var conversations = await Host.WithDbAsync(db => db.Conversations.AsNoTracking().ToListAsync());
        for (var i = 0; i < 100 && !conversations.Any(c => c.Status == ConversationStatus.Assigned); i++, await Task.Delay(50))
            conversations = await Host.WithDbAsync(db => db.Conversations.AsNoTracking().ToListAsync());
        Assert.Single(conversations, c => c.Status == ConversationStatus.Assigned);
        Assert.Single(conversations, c => c.Status == ConversationStatus.Queued);

        // Her slot frees up: the other queue's chat is hers now.
        var assigned = conversations.Single(c => c.Status == ConversationStatus.Assigned);
        var waiting = conversations.Single(c => c.Status == ConversationStatus.Queued);
        await Driver.InvokeAsync("alice", "EndChat", assigned.Id);
        Assert.Equal(ConversationStatus.Assigned, await EventuallyAsync(waiting.Id, ConversationStatus.Assigned));
    }

    private Task<Guid> SkillIdAsync(string key) => Host.WithDbAsync(db => db.Skills.Where(s => s.Key == key).Select(s => s.Id).SingleAsync());

    private Task<string> StatusAsync(Guid conversationId) =>
        Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversationId).Select(c => c.Status).SingleAsync());

    private async Task<string> EventuallyAsync(Guid conversationId, string status)
    {
        var current = await StatusAsync(conversationId);
        for (var i = 0; i < 100 && current != status; i++, await Task.Delay(50))
            current = await StatusAsync(conversationId);
        return current;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<int> ScalarAsync(NpgsqlConnection connection, string sql, NpgsqlTransaction? transaction = null)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (int)(await command.ExecuteScalarAsync())!;
    }
}
