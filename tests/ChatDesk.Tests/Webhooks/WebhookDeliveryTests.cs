using System.Net.Http.Json;
using System.Text;
using ChatDesk.Server.Events;
using ChatDesk.Server.Webhooks;
using ChatDesk.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace ChatDesk.Tests.Webhooks;

public sealed class WebhookDeliveryTests : WebhookTestBase
{
    [Fact]
    public async Task Requests_are_signed_with_the_secret_and_carry_a_stable_id_and_the_event_including_messages_from_the_group_commit()
    {
        var subscription = await SubscribeAsync(["chat.requested", "message.sent"]);
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword); // the chat stays open for a message
        var (_, conversation) = await StartVisitorChatAsync("v1");
        await Driver.InvokeAsync("v1", "SendMessage", TestApi.Message("hello there"));

        var requests = await Receiver.WaitForAsync(2);
        Assert.Equal(["chat.requested", "message.sent"], requests.Select(r => Json(r).GetProperty("type").GetString()).Order());
        foreach (var request in requests)
        {
            var body = Json(request);
            Assert.True(WebhookSignature.Verify(subscription.Secret, long.Parse(request.Timestamp!), request.Body, request.Signature),
                $"signature {request.Signature} does not verify");
            Assert.False(WebhookSignature.Verify("whsec_wrong", long.Parse(request.Timestamp!), request.Body, request.Signature));
            Assert.Equal(request.Id, body.GetProperty("id").GetString());
            Assert.Equal(conversation.ConversationId, body.GetProperty("conversationId").GetGuid());
            Assert.Equal("demo", body.GetProperty("site").GetString());
            Assert.Equal("1", request.Attempt);
            // Recomputed the way docs/webhooks.md tells a receiver to.
            var signed = Encoding.UTF8.GetBytes($"{request.Timestamp}.").Concat(request.Body).ToArray();
            var expected = "v1=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(subscription.Secret), signed));
            Assert.Equal(expected, request.Signature);
        }
        var message = requests.Single(r => Json(r).GetProperty("type").GetString() == "message.sent");
        Assert.Equal("visitor", Json(message).GetProperty("data").GetProperty("authorKind").GetString());

        var rows = await DeliveriesAsync();
        Assert.Equal(requests.Select(r => r.Id).Order(), rows.Select(r => r.Id.ToString()).Order());
        Assert.All(rows, r => Assert.Equal((OutboxStatus.Delivered, 1, 200), (r.Status, r.Attempts, r.LastStatusCode ?? 0)));
    }

    [Fact]
    public async Task A_rolled_back_event_queues_nothing_and_kinds_not_subscribed_are_not_sent()
    {
        var conversationId = await StartChatAsync();
        await SubscribeAsync(["chat.ended", "offline_message.created", "remote.*"]);

        await AppendEventsAsync(conversationId, EventTypes.ChatEnded, 1, commit: false);
        await AppendEventsAsync(conversationId, EventTypes.ChatAssigned, 1); // not subscribed
        await AppendEventsAsync(conversationId, EventTypes.OfflineMessageLeft, 1);
        await AppendEventsAsync(conversationId, EventTypes.RemoteStarted, 1);
        await AppendEventsAsync(conversationId, EventTypes.ChatEnded, 1);

        var requests = await Receiver.WaitForAsync(3);
        await Task.Delay(500);
        Assert.Equal(3, Receiver.Requests.Count);
        Assert.Equal(["offline_message.created", "remote.started", "chat.ended"], requests.OrderBy(r => Json(r).GetProperty("eventId").GetInt64())
            .Select(r => Json(r).GetProperty("type").GetString()));
        Assert.Equal(3, (await DeliveriesAsync()).Count);
    }

    [Fact]
    public async Task A_receiver_failing_three_times_then_succeeding_gets_the_same_id_each_time_and_accepts_it_once_after_its_Retry_After()
    {
        await SubscribeAsync(["chat.requested"]);
        Receiver.Answer = async (context, request) =>
        {
            if (request.Number <= 3)
            {
                context.Response.StatusCode = request.Number == 3 ? StatusCodes.Status429TooManyRequests : StatusCodes.Status500InternalServerError;
                if (request.Number == 3)
                    context.Response.Headers.RetryAfter = "1";
                await context.Response.WriteAsync("busy");
                return;
            }
            await context.Response.WriteAsync("ok");
        };
        await StartChatAsync();

        var requests = await Receiver.WaitForAsync(4);
        var row = await WaitForDeliveryAsync(Guid.Parse(requests[0].Id!), r => r.Status != OutboxStatus.Pending);
        await Task.Delay(300);
        Assert.Equal(4, Receiver.Requests.Count);
        Assert.Single(requests.Select(r => r.Id).Distinct());
        Assert.Equal(["1", "2", "3", "4"], requests.Select(r => r.Attempt));
        Assert.Equal((OutboxStatus.Delivered, 4, 200), (row.Status, row.Attempts, row.LastStatusCode ?? 0));
        // The 429's Retry-After (1 s) was honoured; the back-off before it was the configured 50 ms scale.
        Assert.True(requests[3].ArrivedAt - requests[2].ArrivedAt >= TimeSpan.FromMilliseconds(950), $"{requests[3].ArrivedAt - requests[2].ArrivedAt}");
        Assert.True(requests[1].ArrivedAt - requests[0].ArrivedAt < TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task A_hanging_receiver_hits_the_timeout_on_every_try_and_the_delivery_fails_after_the_last()
    {
        await SubscribeAsync(["chat.requested"]);
        Receiver.Answer = async (context, _) => await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
        await StartChatAsync();

        var requests = await Receiver.WaitForAsync(1);
        var row = await WaitForDeliveryAsync(Guid.Parse(requests[0].Id!), r => r.Status != OutboxStatus.Pending, TimeSpan.FromSeconds(30));
        Assert.Equal(OutboxStatus.Failed, row.Status);
        Assert.Equal(5, row.Attempts);
        Assert.Equal(5, Receiver.Requests.Count);
        Assert.Contains("timed out", row.LastError);
        // Each try was cut at the 1 s timeout, not left to the receiver's 30 s.
        var all = Receiver.Requests.ToList();
        Assert.True(all[^1].ArrivedAt - all[0].ArrivedAt < TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task A_permanent_refusal_fails_at_once_and_a_replay_sends_it_again_with_the_same_id()
    {
        var subscription = await SubscribeAsync(["chat.requested"]);
        Receiver.Answer = async (context, request) =>
        {
            context.Response.StatusCode = request.Number == 1 ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;
            await context.Response.WriteAsync(request.Number == 1 ? "bad payload" : "ok");
        };
        await StartChatAsync();
        var first = (await Receiver.WaitForAsync(1))[0];
        var failed = await WaitForDeliveryAsync(Guid.Parse(first.Id!), r => r.Status != OutboxStatus.Pending);
        Assert.Equal((OutboxStatus.Failed, 1, 400), (failed.Status, failed.Attempts, failed.LastStatusCode ?? 0));
        Assert.Equal("HTTP 400: bad payload", failed.LastError);

        using var admin = await TestApi.AdminClientAsync(Host);
        var replay = await admin.PostAsync($"/api/admin/webhooks/deliveries/{failed.Id}/replay", null);
        Assert.Equal(System.Net.HttpStatusCode.OK, replay.StatusCode);
        var second = (await Receiver.WaitForAsync(2))[1];
        Assert.Equal(first.Id, second.Id);
        var delivered = await WaitForDeliveryAsync(failed.Id, r => r.Status == OutboxStatus.Delivered);
        Assert.Equal(1, delivered.Attempts);
        var again = await admin.PostAsync($"/api/admin/webhooks/deliveries/{failed.Id}/replay", null);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, again.StatusCode);

        var deliveries = await admin.GetFromJsonAsync<List<WebhookDeliveryDto>>($"/api/admin/webhooks/{subscription.Webhook.Id}/deliveries", SignalRDriver.Json);
        var shown = Assert.Single(deliveries!);
        Assert.Equal((failed.Id, "chat.requested", "delivered", 200), (shown.Id, shown.Event, shown.Status, shown.ResponseCode ?? 0));
        Assert.NotNull(shown.LatencyMs);
    }

    [Fact]
    public async Task Disabling_a_subscription_fails_its_waiting_deliveries_without_another_try_and_a_replay_needs_it_enabled_again()
    {
        var subscription = await SubscribeAsync(["chat.requested"]);
        var refuse = true;
        Receiver.Answer = async (context, _) =>
        {
            context.Response.StatusCode = refuse ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            if (refuse)
                context.Response.Headers.RetryAfter = "2";
            await context.Response.WriteAsync(refuse ? "down" : "ok");
        };
        await StartChatAsync();
        var first = (await Receiver.WaitForAsync(1))[0];
        // The first try failed and the row waits out the receiver's Retry-After.
        await WaitForDeliveryAsync(Guid.Parse(first.Id!), r => r.Status == OutboxStatus.Pending && r.LastError is not null);

        using var admin = await TestApi.AdminClientAsync(Host);
        var webhook = subscription.Webhook;
        var disabled = await admin.PutAsJsonAsync($"/api/admin/webhooks/{webhook.Id}",
            new WebhookInput(null, webhook.Url, ["chat.requested"], false, webhook.Description, webhook.Version));
        Assert.Equal(System.Net.HttpStatusCode.OK, disabled.StatusCode);
        var row = (await DeliveriesAsync()).Single();
        Assert.Equal((OutboxStatus.Failed, 1, OutboxDispatcher.SubscriptionDisabled), (row.Status, row.Attempts, row.LastError));
        Assert.NotNull(row.CompletedAt);

        await StartChatAsync("v2"); // nothing is queued for a disabled subscription
        await Task.Delay(TimeSpan.FromSeconds(3)); // past the Retry-After: the waiting retry does not send
        Assert.Single(Receiver.Requests);
        Assert.Equal((OutboxStatus.Failed, OutboxDispatcher.SubscriptionDisabled), (await DeliveriesAsync()).Select(r => (r.Status, r.LastError)).Single());

        var refused = await admin.PostAsync($"/api/admin/webhooks/deliveries/{row.Id}/replay", null);
        Assert.Equal(System.Net.HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Contains("Enable the subscription", await refused.Content.ReadAsStringAsync());

        refuse = false;
        var enabled = await admin.PutAsJsonAsync($"/api/admin/webhooks/{webhook.Id}",
            new WebhookInput(null, webhook.Url, ["chat.requested"], true, webhook.Description, "2"));
        Assert.Equal(System.Net.HttpStatusCode.OK, enabled.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await admin.PostAsync($"/api/admin/webhooks/deliveries/{row.Id}/replay", null)).StatusCode);
        var replayed = (await Receiver.WaitForAsync(2))[1];
        Assert.Equal(first.Id, replayed.Id);
        Assert.Equal(OutboxStatus.Delivered, (await WaitForDeliveryAsync(row.Id, r => r.Status != OutboxStatus.Pending)).Status);
    }
}
