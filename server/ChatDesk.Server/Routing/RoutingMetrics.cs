using System.Diagnostics.Metrics;
using ChatDesk.Server.Observability;
using Npgsql;

namespace ChatDesk.Server.Routing;

/// <summary>What routing decided, and the queues.</summary>
/// <remarks>
/// Decisions are counted by the node that took them (labelled with it). The queues are one fact for the whole
/// cluster, kept in PostgreSQL: every node reports the same values, refreshed by <see cref="QueueGaugeRefresher"/>
/// (so aggregate them with max, not sum).
/// </remarks>
public sealed class RoutingMetrics
{
    public const string DecisionsName = "chatdesk.routing.decisions";
    public const string QueueLengthName = "chatdesk.queue.length";
    public const string OldestWaitName = "chatdesk.queue.oldest_wait";

    /// <summary>The skill label of chats without a skill.</summary>
    public const string NoSkill = "none";

    private readonly Counter<long> decisions;
    private readonly KeyValuePair<string, object?> node;
    private readonly TimeProvider clock;
    private volatile IReadOnlyList<SkillQueue> queues = [];

    public RoutingMetrics(IMeterFactory meters, ServerNode serverNode, TimeProvider clock)
    {
        this.clock = clock;
        var meter = ChatDeskMeter.Create(meters);
        decisions = meter.CreateCounter<long>(DecisionsName, "{decision}",
            "Routing decisions taken by this node: assigned (how: auto, manual, offer, transfer), offered, queued, offer_declined, offer_timed_out, requeued (how: transfer, operator_<reason>).");
        meter.CreateObservableGauge(QueueLengthName, ObserveLengths, "{conversation}", "Chats waiting in the queue, by skill (cluster-wide).");
        meter.CreateObservableGauge(OldestWaitName, ObserveOldestWaits, "s", "How long the longest-waiting queued chat has waited, by skill (0 when none waits; cluster-wide).");
        node = ChatDeskMeter.NodeOf(serverNode);
    }

    /// <summary>A skill's queue as last read from the database.</summary>
    public sealed record SkillQueue(string Skill, int Length, DateTimeOffset? OldestRequestedAt);

    public void Decided(IReadOnlyList<(string Decision, string? How)> taken)
    {
        foreach (var (decision, how) in taken)
        {
            if (how is null)
                decisions.Add(1, new KeyValuePair<string, object?>("decision", decision), node);
            else
                decisions.Add(1, new KeyValuePair<string, object?>("decision", decision), new KeyValuePair<string, object?>("how", how), node);
        }
    }

    public void QueuesRead(IReadOnlyList<SkillQueue> read) => queues = read;

    private IEnumerable<Measurement<int>> ObserveLengths() =>
        queues.Select(q => new Measurement<int>(q.Length, new KeyValuePair<string, object?>("skill", q.Skill)));

    private IEnumerable<Measurement<double>> ObserveOldestWaits()
    {
        var now = clock.GetUtcNow();
        return queues.Select(q => new Measurement<double>(
            q.OldestRequestedAt is { } oldest ? Math.Max(0, (now - oldest).TotalSeconds) : 0, new KeyValuePair<string, object?>("skill", q.Skill)));
    }
}

/// <summary>Reads every skill's queue (and the chats without a skill) for <see cref="RoutingMetrics"/>: one grouped query on the queued chats.</summary>
public sealed class QueueGaugeRefresher(NpgsqlDataSource dataSource, RoutingMetrics metrics, MetricsExport export, ILogger<QueueGaugeRefresher> logger)
    : DatabaseGaugeRefresher(export, logger)
{
    // Active skills show with 0 when nobody waits, so their series do not vanish; a retired skill shows while chats still wait for it.
    private const string Sql = """
        SELECT coalesce(s.key, $1), count(q.id)::int, min(q.requested_at)
        FROM skills s FULL JOIN (SELECT id, skill_id, requested_at FROM conversations WHERE status = 'queued') q ON q.skill_id = s.id
        WHERE s.retired_at IS NULL OR q.id IS NOT NULL
        GROUP BY 1
        """;

    protected override async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.Add(new NpgsqlParameter { Value = RoutingMetrics.NoSkill });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var queues = new List<RoutingMetrics.SkillQueue>();
        while (await reader.ReadAsync(cancellationToken))
            queues.Add(new RoutingMetrics.SkillQueue(reader.GetString(0), reader.GetInt32(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2)));
        metrics.QueuesRead(queues);
    }
}
