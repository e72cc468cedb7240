using System.Collections.Concurrent;
using ChatDesk.Server.Webhooks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ChatDesk.Tests.Webhooks;

/// <summary>An endpoint that keeps failing opens its circuit: tries stop for the break, then one probe closes it.</summary>
public sealed class WebhookCircuitTests : WebhookTestBase
{
    protected override Dictionary<string, string?> OutboxSettings()
    {
        var settings = base.OutboxSettings();
        settings["ChatDesk:Outbox:CircuitMinimumThroughput"] = "3";
        settings["ChatDesk:Outbox:CircuitFailureRatio"] = "0.5";
        settings["ChatDesk:Outbox:CircuitSamplingSeconds"] = "10";
        settings["ChatDesk:Outbox:CircuitBreakSeconds"] = "2";
        settings["ChatDesk:Outbox:MaxAttempts"] = "6";
        return settings;
    }

    [Fact]
    public async Task Three_failures_open_the_circuit_no_request_is_sent_during_the_break_and_a_success_after_it_closes_it()
    {
        var circuit = new ConcurrentQueue<(OutboxOutcome Outcome, DateTimeOffset At)>();
        Host.Services.GetRequiredService<OutboxOutcomes>().Recorded += (channel, endpoint, outcome) =>
        {
            if (outcome is OutboxOutcome.CircuitOpened or OutboxOutcome.CircuitClosed && endpoint == $"http://127.0.0.1:{Receiver.Port}")
                circuit.Enqueue((outcome, DateTimeOffset.UtcNow));
        };
        await SubscribeAsync(["chat.requested"]);
        Receiver.Answer = async (context, request) =>
        {
            context.Response.StatusCode = request.Number <= 3 ? StatusCodes.Status502BadGateway : StatusCodes.Status200OK;
            await context.Response.WriteAsync(request.Number <= 3 ? "down" : "ok");
        };
        await StartChatAsync();

        var requests = await Receiver.WaitForAsync(4);
        var row = await WaitForDeliveryAsync(Guid.Parse(requests[0].Id!), r => r.Status != OutboxStatus.Pending);
        Assert.Equal(OutboxStatus.Delivered, row.Status);
        Assert.Equal([OutboxOutcome.CircuitOpened, OutboxOutcome.CircuitClosed], circuit.Select(c => c.Outcome));
        // Without the circuit the 4th try would follow the 3rd after the 200 ms back-off; the open circuit held it for its 2 s break.
        var held = requests[3].ArrivedAt - requests[2].ArrivedAt;
        Assert.True(held >= TimeSpan.FromSeconds(1.5), $"the 4th request came {held} after the 3rd");
        // The try refused by the open circuit counts: 3 failures, 1 refusal, 1 success.
        Assert.Equal(5, row.Attempts);

        // Closed again: the next event goes straight through.
        var before = Receiver.Requests.Count;
        await StartChatAsync("v2");
        var next = (await Receiver.WaitForAsync(before + 1))[before];
        Assert.True(next.ArrivedAt - circuit.Last().At < TimeSpan.FromSeconds(5));
        Assert.Equal("1", next.Attempt);
    }
}
