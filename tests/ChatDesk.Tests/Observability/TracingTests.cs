using System.Diagnostics;
using System.Net;
using System.Text;
using ChatDesk.Server.Observability;
using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests.Observability;

/// <summary>Traces leave over OTLP (HTTP/protobuf here) to the collector named by the standard variables.</summary>
public sealed class TracingTests : ChatTestBase
{
    private readonly OtlpReceiver collector = new();

    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?>
        {
            [ObservabilitySetup.OtlpEndpointSetting] = collector.Url,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        },
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        collector.Dispose();
    }

    [Fact]
    public async Task A_hub_call_and_the_sql_it_ran_reach_the_collector_tagged_with_the_conversation()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        await Driver.InvokeAsync("alice", "GetChat", chat.ConversationId);

        // Protobuf keeps strings as UTF-8 bytes: the span names, scope names and tag values can be looked for as text.
        string[] expected = [ObservabilitySetup.SignalRServerSource, "OperatorHub/GetChat", ConversationScope.ConversationTag, $"{chat.ConversationId}", ObservabilitySetup.NpgsqlSource];
        var waited = Stopwatch.StartNew();
        while (!expected.All(collector.Traces.Contains) && waited.Elapsed < TimeSpan.FromSeconds(20))
            await Task.Delay(200);
        Assert.All(expected, text => Assert.Contains(text, collector.Traces));
    }

    /// <summary>An OTLP/HTTP collector on loopback that answers 200 and keeps what was posted to /v1/traces.</summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener listener = new();
        private readonly StringBuilder traces = new();

        public OtlpReceiver()
        {
            var port = TestPostgres.FreePort();
            Url = $"http://127.0.0.1:{port}";
            listener.Prefixes.Add($"{Url}/");
            listener.Start();
            _ = Task.Run(ReceiveAsync);
        }

        public string Url { get; }

        public string Traces
        {
            get { lock (traces) return traces.ToString(); }
        }

        private async Task ReceiveAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                if (context.Request.Url?.AbsolutePath == "/v1/traces")
                {
                    lock (traces)
                        traces.Append(Encoding.UTF8.GetString(body.ToArray()));
                }
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }

        public void Dispose() => listener.Close();
    }
}
