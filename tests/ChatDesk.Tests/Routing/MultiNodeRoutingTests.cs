using System.Collections.Concurrent;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatDesk.Tests.Routing;

/// <summary>
/// 200 chats requested at once against 20 operators of mixed skills and capacities, through two
/// server processes on one database, with the Redis backplane.
/// </summary>
public sealed class MultiNodeRoutingTests : ChatTestBase
{
    protected override bool WithRedis => true;

    private const int Operators = 20;
    private const int Chats = 200;
    private static readonly string[] Topics = ["billing", "technical", "sales"];
    private ChatDeskTestHost second = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Driver.Timeout = TimeSpan.FromSeconds(90); // 200 requests at once queue up behind the routing lock on 2 cores
        second = await StartAnotherNodeAsync();
    }

    private ChatDeskTestHost NodeFor(int index) => index % 2 == 0 ? Host : second;

    [Fact]
    public async Task Two_nodes_never_assign_a_chat_twice_nor_overfill_an_operator_and_serve_each_skill_first_come_first_served()
    {
        var capacities = new Dictionary<string, int>();
        var connectionOf = new Dictionary<string, string>();
        for (var i = 0; i < Operators; i++)
        {
            var (id, capacity) = await CreateOperatorAsync(i);
            capacities[id] = capacity;
            connectionOf[id] = $"op{i}";
            var node = NodeFor(i);
            await Driver.ConnectOperatorAsync($"op{i}", node.BaseUrl, await TestApi.LoginAsync(node, $"op{i}@load.test", "operator-pass-123"));
            await Driver.InvokeAsync($"op{i}", "SetStatus", "online");
        }

        var started = await Task.WhenAll(Enumerable.Range(0, Chats).Select(async i =>
        {
            var node = NodeFor(i);
            var session = await TestApi.CreateVisitorAsync(node);
            await Driver.ConnectVisitorAsync($"v{i}", node.BaseUrl, session.VisitorToken);
            return await Driver.InvokeAsync<ConversationView>($"v{i}", "StartChat", TestApi.ChatRequest($"Visitor {i}", Topics[i % Topics.Length]));
        }));
        Assert.Equal(Chats, started.Select(c => c.ConversationId).Distinct().Count());
        var burstEnd = await Host.WithDbAsync(db => db.Events.MaxAsync(e => e.Id));
        await AssertNoOperatorOverCapacityAsync(capacities);

        // Operators on both nodes end chats in parallel rounds until every chat has been served.
        while (await Host.WithDbAsync(db => db.Conversations.AnyAsync(c => c.Status == ConversationStatus.Queued)))
        {
            var open = await Host.WithDbAsync(db => db.Conversations
                .Where(c => c.Status == ConversationStatus.Assigned)
                .Select(c => new { c.Id, c.OperatorId }).ToListAsync());
            Assert.NotEmpty(open);
            await Task.WhenAll(open.GroupBy(c => c.OperatorId!).Select(g => Driver.InvokeAsync(connectionOf[g.Key], "EndChat", g.First().Id)));
            await AssertNoOperatorOverCapacityAsync(capacities);
        }

        var events = await Host.WithDbAsync(db => db.Events.AsNoTracking().Where(e => e.ConversationId != null).OrderBy(e => e.Id).ToListAsync());
        var conversations = await Host.WithDbAsync(db => db.Conversations.AsNoTracking().ToDictionaryAsync(c => c.Id));
        var assignments = events.Where(e => e.Type == EventTypes.ChatAssigned).ToList();

        // Every chat assigned exactly once.
        Assert.Equal(Chats, assignments.Count);
        Assert.Equal(Chats, assignments.Select(e => e.ConversationId).Distinct().Count());

        // The event log tells each conversation's story in order, with gap-free sequences.
        foreach (var story in events.GroupBy(e => e.ConversationId!.Value))
        {
            var types = story.OrderBy(e => e.Sequence).Select(e => e.Type).Where(t => t != EventTypes.MessageSent).ToList();
            Assert.True(types.SequenceEqual([EventTypes.ChatRequested, EventTypes.ChatAssigned]) || types.SequenceEqual([EventTypes.ChatRequested, EventTypes.ChatAssigned, EventTypes.ChatEnded])
                || types.SequenceEqual([EventTypes.ChatRequested, EventTypes.ChatQueued, EventTypes.ChatAssigned]) || types.SequenceEqual([EventTypes.ChatRequested, EventTypes.ChatQueued, EventTypes.ChatAssigned, EventTypes.ChatEnded]),
                string.Join(", ", types));
            Assert.Equal(Enumerable.Range(1, story.Count()), story.Select(e => e.Sequence!.Value).Order());
        }

        // Replaying the log never puts an operator over capacity either.
        var active = new Dictionary<string, int>();
        foreach (var e in events.Where(e => e.Type is EventTypes.ChatAssigned or EventTypes.ChatEnded))
        {
            var owner = e.Type == EventTypes.ChatAssigned ? e.OperatorId! : JsonDocument.Parse(e.Data).RootElement.GetProperty("ownerOperatorId").GetString()!;
            active[owner] = active.GetValueOrDefault(owner) + (e.Type == EventTypes.ChatAssigned ? 1 : -1);
            Assert.True(active[owner] <= capacities[owner], $"operator over capacity at event {e.Id}");
        }

        // First come, first served within each skill once everyone is in the queue.
        foreach (var skill in assignments.Where(e => e.Id > burstEnd).GroupBy(e => conversations[e.ConversationId!.Value].SkillId))
        {
            var served = skill.Select(e => conversations[e.ConversationId!.Value]).ToList();
            Assert.Equal(served.OrderBy(c => c.RequestedAt).ThenBy(c => c.Id).Select(c => c.Id), served.Select(c => c.Id));
        }

        // Each operator was told about each of their chats, whichever node decided it.
        foreach (var (operatorId, connection) in connectionOf)
        {
            var expected = assignments.Where(e => e.OperatorId == operatorId).Select(e => e.ConversationId!.Value).Order().ToList();
            var told = await WaitForAssignedAsync(connection, expected.Count);
            Assert.Equal(expected, told.Order());
        }
    }

    private async Task<List<Guid>> WaitForAssignedAsync(string connection, int count)
    {
        if (count > 0)
            await Driver.WaitForEventsAsync(connection, "ChatAssigned", count);
        return Driver.Events(connection, "ChatAssigned").Select(e => e.Args[0]!["conversationId"]!.GetValue<Guid>()).ToList();
    }

    private async Task AssertNoOperatorOverCapacityAsync(Dictionary<string, int> capacities)
    {
        var load = await Host.WithDbAsync(db => db.Conversations
            .Where(c => c.Status == ConversationStatus.Assigned)
            .GroupBy(c => c.OperatorId!).Select(g => new { g.Key, Count = g.Count() }).ToListAsync());
        Assert.All(load, l => Assert.True(l.Count <= capacities[l.Key], $"{l.Key} has {l.Count} chats, capacity {capacities[l.Key]}"));
    }

    private async Task<(string Id, int Capacity)> CreateOperatorAsync(int index)
    {
        await using var scope = Host.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<ApplicationUser>>();
        var db = scope.ServiceProvider.GetRequiredService<ChatDesk.Server.Data.ChatDeskDbContext>();
        var capacity = 1 + index % 5;
        var user = new ApplicationUser { UserName = $"op{index}@load.test", Email = $"op{index}@load.test", DisplayName = $"Operator {index}", MaxConcurrentChats = capacity };
        Assert.True((await users.CreateAsync(user, "operator-pass-123")).Succeeded);
        await users.AddToRoleAsync(user, Roles.Operator);
        var skills = await db.Skills.ToDictionaryAsync(s => s.Key, s => s.Id);
        // Mixed skills: everyone has one, every third operator a second one.
        db.OperatorSkills.Add(new OperatorSkill { OperatorId = user.Id, SkillId = skills[Topics[index % 3]], Proficiency = 1 + index % 5 });
        if (index % 3 == 0)
            db.OperatorSkills.Add(new OperatorSkill { OperatorId = user.Id, SkillId = skills[Topics[(index + 1) % 3]], Proficiency = 2 });
        await db.SaveChangesAsync();
        return (user.Id, capacity);
    }
}
