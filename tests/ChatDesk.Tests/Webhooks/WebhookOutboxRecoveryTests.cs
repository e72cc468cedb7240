using ChatDesk.Server.Events;
using ChatDesk.Server.Webhooks;
using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests.Webhooks;

/// <summary>A node that committed events and stopped before sending them: another node (or the restarted one) sends them.</summary>
public sealed class WebhookOutboxRecoveryTests : WebhookTestBase
{
    // The first node queues but never sends: it stands for a node killed between the commit and the send.
    protected override Dictionary<string, string?> OutboxSettings()
    {
        var settings = base.OutboxSettings();
        settings["ChatDesk:Outbox:Dispatch"] = "false";
        return settings;
    }

    [Fact]
    public async Task Events_committed_by_a_node_that_stops_before_sending_are_delivered_after_a_restart()
    {
        await SubscribeAsync(["chat.requested", "chat.ended"]);
        var conversationId = await StartChatAsync();
        await AppendEventsAsync(conversationId, EventTypes.ChatEnded, 3);
        await Task.Delay(500);
        Assert.Empty(Receiver.Requests);
        var queued = await DeliveriesAsync();
        // chat.requested, the 3 chat.ended appended here, and the chat's own end when nobody could take it.
        Assert.Equal(5, queued.Count);
        Assert.All(queued, r => Assert.Equal(OutboxStatus.Pending, r.Status));

        await Driver.StopAsync("v1"); // an open hub connection would hold the stop for the shutdown timeout
        await Host.DisposeAsync();
        var settings = OutboxSettings();
        settings["ChatDesk:Outbox:Dispatch"] = "true";
        await using var restarted = new ChatDeskTestHost { SharedConnectionString = Host.ConnectionString, Clock = Host.Clock, Settings = settings };
        await restarted.InitializeAsync();

        await Receiver.WaitForAsync(queued.Count);
        var rows = await WaitUntilNonePendingAsync(restarted);
        Assert.Equal(queued.Select(q => q.Id.ToString()).Order(), Receiver.Requests.Select(r => r.Id).Order());
        Assert.All(rows, r => Assert.Equal(OutboxStatus.Delivered, r.Status));
    }
}

/// <summary>Two nodes on one database, both dispatching: each event is sent once.</summary>
public sealed class WebhookTwoNodeTests : WebhookTestBase
{
    [Fact]
    public async Task Two_dispatching_nodes_deliver_each_of_300_events_exactly_once()
    {
        var second = await StartAnotherNodeAsync();
        await SubscribeAsync(["message.sent"]);
        var conversationId = await StartChatAsync();
        for (var batch = 0; batch < 10; batch++)
            await AppendEventsAsync(conversationId, EventTypes.MessageSent, 30, host: batch % 2 == 0 ? Host : second);

        await Receiver.WaitForAsync(300, TimeSpan.FromSeconds(60));
        var rows = await WaitUntilNonePendingAsync(Host);
        var requests = Receiver.Requests.ToList();
        Assert.Equal(300, requests.Count);
        Assert.Equal(300, requests.Select(r => r.Id).Distinct().Count());
        Assert.Equal(300, rows.Count(r => r.Status == OutboxStatus.Delivered && r.Attempts == 1));
    }
}
