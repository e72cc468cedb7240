using System.Net.Http.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Widget;
using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests.Routing;

/// <summary>Away operators come back: a chat only they could take waits for them instead of being missed.</summary>
public sealed class AwayOperatorsTests : ChatTestBase
{
    [Fact]
    public async Task A_chat_whose_only_skilled_operator_is_away_waits_in_the_queue_and_is_assigned_when_they_return()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await Driver.InvokeAsync("alice", "SetStatus", "away");

        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        Assert.Equal(ConversationStatus.Queued, chat.Status);
        var queued = (await Driver.WaitForEventsAsync("visitor", "QueueUpdated"))[^1];
        Assert.Equal(1, queued.Args[0]!["position"]!.GetValue<int>());

        await Driver.InvokeAsync("alice", "SetStatus", "online");
        await Driver.WaitForEventsAsync("visitor", "ChatAssigned");
    }

    [Fact]
    public async Task A_site_that_keeps_the_old_rule_misses_the_chat_at_once()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var demo = (await admin.GetFromJsonAsync<SiteAdminDto>("/api/admin/sites/demo", SignalRDriver.Json))!;
        (await admin.PutAsJsonAsync("/api/admin/sites/demo", new
        {
            demo.Name, demo.AllowedOrigins, demo.TimeZone, demo.Languages, disabled = false, missWhenOnlyAway = true, demo.RetentionDays, demo.Topics, demo.Version,
        })).EnsureSuccessStatusCode();
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await Driver.InvokeAsync("alice", "SetStatus", "away");

        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");

        Assert.Equal((ConversationStatus.Ended, EndedReasons.NoOperator), (chat.Status, chat.EndedReason));
    }
}
