using System.Diagnostics;
using System.Net;
using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Observability;
using ChatDesk.Server.Webhooks;
using ChatDesk.Tests.ApiTokens;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatDesk.Tests.Observability;

/// <summary>
/// Meters are process-wide: an OpenTelemetry provider hears the ChatDesk meter of every host in the test process.
/// These tests run alone, so the cluster-wide gauges they read (labelled by skill only) are their host's.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics (alone)";
}

[Collection(MetricsCollection.Name)]
public sealed class MetricsTests : ChatTestBase
{
    private const string Messages = "chatdesk_messages_total";
    private const string Connections = "chatdesk_connections";
    private const string Decisions = "chatdesk_routing_decisions_total";
    private const string QueueLength = "chatdesk_queue_length";
    private const string OldestWait = "chatdesk_queue_oldest_wait_seconds";
    private const string OutboxDeliveries = "chatdesk_outbox_deliveries_total";

    private readonly string node = $"otel{Guid.NewGuid():N}"[..12];

    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?> { ["ChatDesk:NodeName"] = node, [MetricsExport.RefreshSecondsSetting] = "1" },
    };

    private string Node => $"node={node}";

    [Fact]
    public async Task The_chatdesk_meters_move_during_a_chat()
    {
        // A counter shows from its first count on; the queues from the first refresh, with every active skill.
        var before = await ScrapeUntilAsync(Host, "the queues read", m => m.Where(QueueLength, "skill=billing").Any());
        Assert.Equal(0, before.Value(QueueLength, "skill=billing"));
        Assert.Empty(before.Where(Connections, Node));
        Assert.Empty(before.Where(Messages, Node));

        // Alice (billing) takes one chat at most: the second visitor waits.
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, first) = await StartVisitorChatAsync("first", topic: "billing");
        Assert.Equal(ConversationStatus.Assigned, first.Status);
        await ScrapeUntilAsync(Host, "one operator and one visitor connected, one chat assigned", m =>
            m.Value(Connections, Node, "side=operator") == 1 && m.Value(Connections, Node, "side=visitor") == 1
            && m.Value(Decisions, Node, "decision=assigned", "how=auto") == 1 && m.Value(Decisions, Node, "decision=queued") == 0);

        var (_, waiting) = await StartVisitorChatAsync("waiting", topic: "billing");
        Assert.Equal(ConversationStatus.Queued, waiting.Status);
        await ScrapeUntilAsync(Host, "the second chat queued", m =>
            m.Value(Decisions, Node, "decision=queued") == 1 && m.Value(Connections, Node, "side=visitor") == 2
            && m.Value(QueueLength, "skill=billing") == 1);
        Host.Clock.Advance(TimeSpan.FromSeconds(42));
        await ScrapeUntilAsync(Host, "the oldest wait has grown with the clock", m => m.Value(OldestWait, "skill=billing") >= 42);

        for (var i = 0; i < 3; i++)
            await Driver.InvokeAsync("first", "SendMessage", TestApi.Message($"visitor {i}"));
        await Driver.InvokeAsync("alice", "SendMessage", first.ConversationId, TestApi.Message("operator"));
        // A repeated client message id stores nothing new.
        var repeated = Guid.NewGuid();
        await Driver.InvokeAsync("alice", "SendMessage", first.ConversationId, TestApi.Message("twice", repeated));
        await Driver.InvokeAsync("alice", "SendMessage", first.ConversationId, TestApi.Message("twice", repeated));
        await ScrapeUntilAsync(Host, "3 visitor and 2 operator messages counted", m =>
            m.Value(Messages, Node, "author=visitor") == 3 && m.Value(Messages, Node, "author=operator") == 2);

        // Alice's slot frees up: the waiting chat is assigned and the queue is empty again.
        await Driver.InvokeAsync("alice", "EndChat", first.ConversationId);
        await Driver.WaitForEventsAsync("waiting", "ChatAssigned");
        await Driver.StopAsync("first");
        var after = await ScrapeUntilAsync(Host, "the queue emptied and the first visitor gone", m =>
            m.Value(QueueLength, "skill=billing") == 0 && m.Value(OldestWait, "skill=billing") == 0
            && m.Value(Decisions, Node, "decision=assigned", "how=auto") == 2 && m.Value(Connections, Node, "side=visitor") == 1);
        Assert.Equal(1, after.Value(Connections, Node, "side=operator"));
        Assert.Equal(0, after.Value(Decisions, Node, "decision=offered")); // the site does not offer: it assigns
        // The standard instrumentation is there too: HTTP server requests, and Npgsql's connection pool.
        Assert.Contains(after.Samples, s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
        Assert.Contains(after.Samples, s => s.Name.StartsWith("db_client_connection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Webhook_and_email_delivery_outcomes_are_counted_by_channel_and_outcome()
    {
        var outcomes = Host.Services.GetRequiredService<OutboxOutcomes>();
        outcomes.Record("webhook", "https://crm.example", OutboxOutcome.Retrying);
        outcomes.Record("webhook", "https://crm.example", OutboxOutcome.Delivered);
        outcomes.Record("email", "smtp.example:587", OutboxOutcome.Failed);

        await ScrapeUntilAsync(Host, "the three outcomes", m =>
            m.Value(OutboxDeliveries, Node, "channel=webhook", "outcome=retrying") == 1
            && m.Value(OutboxDeliveries, Node, "channel=webhook", "outcome=delivered") == 1
            && m.Value(OutboxDeliveries, Node, "channel=email", "outcome=failed") == 1
            && m.Value(OutboxDeliveries, Node, "channel=email", "outcome=delivered") == 0);
    }

    [Fact]
    public async Task Metrics_are_off_outside_demo_mode_and_open_to_the_configured_networks_and_metrics_read_tokens_only()
    {
        await using var production = await StartAsync(new() { ["ChatDesk:Demo:Enabled"] = "false" });
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfMetricsAsync(production));

        await using var elsewhere = await StartAsync(new()
        {
            ["ChatDesk:Demo:Enabled"] = "false", [MetricsAccess.EnabledSetting] = "true", [MetricsAccess.AllowedNetworksSetting] = "10.0.0.0/8, 192.168.1.7",
            ["ChatDesk:FirstAdmin:Email"] = "owner@shop.example", ["ChatDesk:FirstAdmin:Password"] = "owner-long-password",
        });
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusOfMetricsAsync(elsewhere));
        // From outside those networks, an API token with the metrics:read scope may scrape; another scope may not.
        using (var admin = await TestApi.SignedInClientAsync(elsewhere, "owner@shop.example", "owner-long-password"))
        {
            var metricsToken = await ApiTokenTests.CreateAsync(admin, "Prometheus", [ApiScopes.MetricsRead]);
            var kpisToken = await ApiTokenTests.CreateAsync(admin, "Dashboards", [ApiScopes.KpisRead]);
            using var scraper = ApiTokenTests.BearerClient(elsewhere, metricsToken.Token);
            Assert.Equal(HttpStatusCode.OK, (await scraper.GetAsync(ObservabilitySetup.MetricsPath)).StatusCode);
            using var other = ApiTokenTests.BearerClient(elsewhere, kpisToken.Token);
            Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync(ObservabilitySetup.MetricsPath)).StatusCode);
        }

        await using var loopback = await StartAsync(new()
        {
            ["ChatDesk:Demo:Enabled"] = "false", [MetricsAccess.EnabledSetting] = "true", [MetricsAccess.AllowedNetworksSetting] = "10.0.0.0/8, 127.0.0.0/8",
        });
        Assert.Equal(HttpStatusCode.OK, await StatusOfMetricsAsync(loopback));
        await ScrapeUntilAsync(loopback, "ChatDesk's own metrics", m => m.Where(QueueLength, "skill=billing").Any());

        // Demo mode may still turn them off.
        await using var quietDemo = await StartAsync(new() { [MetricsAccess.EnabledSetting] = "false" });
        Assert.Equal(HttpStatusCode.NotFound, await StatusOfMetricsAsync(quietDemo));
    }

    private static async Task<OwnedHost> StartAsync(Dictionary<string, string?> settings)
    {
        var host = new ChatDeskTestHost { Settings = settings };
        await host.InitializeAsync();
        return new OwnedHost(host);
    }

    private sealed class OwnedHost(ChatDeskTestHost host) : IAsyncDisposable
    {
        public ChatDeskTestHost Host => host;

        public async ValueTask DisposeAsync() => await host.DisposeAsync();

        public static implicit operator ChatDeskTestHost(OwnedHost owned) => owned.Host;
    }

    private static async Task<HttpStatusCode> StatusOfMetricsAsync(ChatDeskTestHost host)
    {
        using var client = new HttpClient();
        using var response = await client.GetAsync($"{host.BaseUrl}{ObservabilitySetup.MetricsPath}");
        return response.StatusCode;
    }

    private static async Task<PrometheusText> ScrapeAsync(ChatDeskTestHost host)
    {
        using var client = new HttpClient();
        return PrometheusText.Parse(await client.GetStringAsync($"{host.BaseUrl}{ObservabilitySetup.MetricsPath}"));
    }

    /// <summary>Scrapes until the metrics say so (the endpoint answers from a one-second cache; gauges refresh every second).</summary>
    private static async Task<PrometheusText> ScrapeUntilAsync(ChatDeskTestHost host, string what, Func<PrometheusText, bool> condition)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var metrics = await ScrapeAsync(host);
            if (condition(metrics))
                return metrics;
            if (waited.Elapsed > TimeSpan.FromSeconds(20))
            {
                var ours = string.Join('\n', metrics.Raw.Split('\n').Where(l => l.StartsWith("chatdesk_", StringComparison.Ordinal)));
                Assert.Fail($"Not seen in /metrics within 20 s: {what}. Last scrape:\n{ours}");
            }
            await Task.Delay(250);
        }
    }
}
