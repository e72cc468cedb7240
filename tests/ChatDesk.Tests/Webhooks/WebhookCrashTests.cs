using ChatDesk.Server.Events;
using ChatDesk.Server.Webhooks;
using ChatDesk.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace ChatDesk.Tests.Webhooks;

/// <summary>A node killed (SIGKILL) while a request is in flight: its row's lease ends and another node sends it, same id.</summary>
public sealed class WebhookCrashTests : WebhookTestBase
{
    protected override bool WithRedis => true; // several nodes on one database

    // The in-process node only queues: the killed process is the one that claims and sends.
    protected override Dictionary<string, string?> OutboxSettings()
    {
        var settings = base.OutboxSettings();
        settings["ChatDesk:Outbox:Dispatch"] = "false";
        foreach (var (key, value) in BackplaneSettings())
            settings[key] = value;
        return settings;
    }

    [Fact]
    public async Task A_node_killed_during_a_send_leaves_the_row_to_another_node_once_its_lease_ends()
    {
        await SubscribeAsync(["chat.requested"]);
        Receiver.Answer = async (context, request) =>
        {
            if (request.Number == 1)
                await Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted); // the first try never gets an answer
            else
                await context.Response.WriteAsync("ok");
        };
        var crashing = await TestServerProcess.StartAsync(Host, "crashing", new Dictionary<string, string?>(BackplaneSettings())
        {
            ["ChatDesk:Webhooks:AllowPrivateTargets"] = "true",
            ["ChatDesk:Outbox:PollMilliseconds"] = "50",
            ["ChatDesk:Outbox:AttemptTimeoutSeconds"] = "30",
        });
        TestWebhookReceiver.Request first;
        Guid conversationId;
        await using (crashing)
        {
            conversationId = await StartChatAsync();
            first = (await Receiver.WaitForAsync(1))[0];
            var leased = await WaitForDeliveryAsync(Guid.Parse(first.Id!), r => r.ClaimedBy?.StartsWith(crashing.NodeIdPrefix) == true);
            Assert.Equal(OutboxStatus.Pending, leased.Status);
            await crashing.KillAsync();
        }

        // Another node: the leased row is not claimed before the lease ends (the clock here is the test's), then it is
        // sent again. The survivor delivering a later event shows that it was claiming meanwhile.
        var settings = base.OutboxSettings();
        foreach (var (key, value) in BackplaneSettings())
            settings[key] = value;
        await using var survivor = new ChatDeskTestHost { SharedConnectionString = Host.ConnectionString, Clock = Host.Clock, Settings = settings };
        await survivor.InitializeAsync();
        await AppendEventsAsync(conversationId, EventTypes.ChatRequested, 1);
        var probe = (await Receiver.WaitForAsync(2))[1];
        await WaitForDeliveryAsync(Guid.Parse(probe.Id!), r => r.Status == OutboxStatus.Delivered);
        Assert.Single(Receiver.Requests, r => r.Id == first.Id);
        Host.Clock.Advance(TimeSpan.FromMinutes(2));

        var requests = (await Receiver.WaitForAsync(3)).Where(r => r.Id == first.Id).ToList();
        Assert.Equal(2, requests.Count);
        var row = await WaitForDeliveryAsync(Guid.Parse(requests[0].Id!), r => r.Status != OutboxStatus.Pending);
        Assert.Equal(OutboxStatus.Delivered, row.Status);
        Assert.False(row.ClaimedBy!.StartsWith(crashing.NodeIdPrefix, StringComparison.Ordinal));
    }
}
