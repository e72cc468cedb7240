using System.Diagnostics.Metrics;
using ChatDesk.Server.Observability;
using ChatDesk.Server.Routing;

namespace ChatDesk.Server.Webhooks;

/// <summary>What became of a delivery attempt or a delivery.</summary>
public enum OutboxOutcome
{
    Delivered,
    Retrying,
    Failed,
    CircuitOpened,
    CircuitClosed,
}

/// <summary>
/// The one place the dispatcher reports outcomes (channel: webhook or email; endpoint: the target's origin or the
/// SMTP server): counted in <c>chatdesk.outbox.deliveries</c> by channel and outcome, on this node.
/// </summary>
public sealed class OutboxOutcomes
{
    public const string DeliveriesName = "chatdesk.outbox.deliveries";

    // The outcome label of each OutboxOutcome, by its value.
    private static readonly string[] OutcomeLabels = ["delivered", "retrying", "failed", "circuit_opened", "circuit_closed"];

    private readonly Counter<long> deliveries;
    private readonly KeyValuePair<string, object?> node;

    public OutboxOutcomes(IMeterFactory meters, ServerNode serverNode)
    {
        deliveries = ChatDeskMeter.Create(meters).CreateCounter<long>(DeliveriesName, "{outcome}",
            "Webhook and e-mail delivery outcomes on this node: delivered, retrying (a try failed), failed (given up), circuit opened or closed.");
        node = ChatDeskMeter.NodeOf(serverNode);
    }

    /// <summary>Raised for every outcome (tests watch it).</summary>
    public event Action<string, string, OutboxOutcome>? Recorded;

    public void Record(string channel, string endpoint, OutboxOutcome outcome)
    {
        deliveries.Add(1, new KeyValuePair<string, object?>("channel", channel), new KeyValuePair<string, object?>("outcome", OutcomeLabels[(int)outcome]), node);
        Recorded?.Invoke(channel, endpoint, outcome);
    }
}
