using System.Diagnostics.Metrics;
using ChatDesk.Server.Routing;

namespace ChatDesk.Server.Observability;

/// <summary>
/// The instruments of webhook deliveries, for the webhook dispatcher to call after each attempt (it lives in its
/// own feature; this is the metrics side it reports to). One counter, <c>chatdesk.webhook.deliveries</c>, labelled
/// with the outcome and the event type, so that failures are a rate of their own.
/// </summary>
public sealed class WebhookMetrics
{
    public const string DeliveriesName = "chatdesk.webhook.deliveries";

    /// <summary>The receiver answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>The attempt failed (error status, timeout, unreachable); it will be tried again.</summary>
    public const string Failed = "failed";

    /// <summary>The attempt failed and was the last one: the delivery is given up.</summary>
    public const string GivenUp = "given_up";

    private readonly Counter<long> deliveries;
    private readonly KeyValuePair<string, object?> node;

    public WebhookMetrics(IMeterFactory meters, ServerNode serverNode)
    {
        deliveries = ChatDeskMeter.Create(meters).CreateCounter<long>(DeliveriesName, "{delivery}",
            "Webhook delivery attempts made by this node, by outcome (delivered, failed, given_up) and event type.");
        node = ChatDeskMeter.NodeOf(serverNode);
    }

    /// <param name="outcome"><see cref="Delivered"/>, <see cref="Failed"/> or <see cref="GivenUp"/>.</param>
    /// <param name="eventType">The event the webhook carried, e.g. "chat.ended" (a fixed set: one series each).</param>
    public void Attempted(string outcome, string eventType) =>
        deliveries.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("event", eventType), node);
}
