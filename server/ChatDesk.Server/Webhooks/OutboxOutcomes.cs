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
/// SMTP server): a metrics counter goes here. Counts since start, per process.
/// </summary>
public sealed class OutboxOutcomes
{
    private long delivered, retrying, failed, circuitOpened, circuitClosed;

    /// <summary>Raised for every outcome (tests watch it; so can a meter).</summary>
    public event Action<string, string, OutboxOutcome>? Recorded;

    public long Delivered => Interlocked.Read(ref delivered);
    public long Retrying => Interlocked.Read(ref retrying);
    public long Failed => Interlocked.Read(ref failed);
    public long CircuitOpened => Interlocked.Read(ref circuitOpened);
    public long CircuitClosed => Interlocked.Read(ref circuitClosed);

    public void Record(string channel, string endpoint, OutboxOutcome outcome)
    {
        switch (outcome)
        {
            case OutboxOutcome.Delivered: Interlocked.Increment(ref delivered); break;
            case OutboxOutcome.Retrying: Interlocked.Increment(ref retrying); break;
            case OutboxOutcome.Failed: Interlocked.Increment(ref failed); break;
            case OutboxOutcome.CircuitOpened: Interlocked.Increment(ref circuitOpened); break;
            case OutboxOutcome.CircuitClosed: Interlocked.Increment(ref circuitClosed); break;
        }
        Recorded?.Invoke(channel, endpoint, outcome);
    }
}
