using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on loopback that records every request it gets (headers, body, arrival time) and answers as the
/// test says: <see cref="Answer"/> gets the request and its number (1-based, across all requests) and writes the response.
/// </summary>
public sealed class TestWebhookReceiver : IAsyncDisposable
{
    public sealed record Request(int Number, string? Id, string? Timestamp, string? Signature, string? Attempt, byte[] Body, DateTimeOffset ArrivedAt);

    private readonly WebApplication app;
    private int count;

    public ConcurrentQueue<Request> Requests { get; } = new();

    /// <summary>Default: 200 OK.</summary>
    public Func<HttpContext, Request, Task> Answer { get; set; } = (context, _) => context.Response.WriteAsync("ok");

    public int Port { get; }
    public string Url => $"http://127.0.0.1:{Port}/hook";

    private TestWebhookReceiver(WebApplication app, int port)
    {
        this.app = app;
        Port = port;
    }

    public static async Task<TestWebhookReceiver> StartAsync()
    {
        var port = TestPostgres.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new TestWebhookReceiver(app, port);
        app.Run(receiver.HandleAsync);
        await app.StartAsync();
        return receiver;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        var headers = context.Request.Headers;
        var request = new Request(Interlocked.Increment(ref count), headers["ChatDesk-Webhook-Id"], headers["ChatDesk-Webhook-Timestamp"],
            headers["ChatDesk-Webhook-Signature"], headers["ChatDesk-Webhook-Attempt"], body.ToArray(), DateTimeOffset.UtcNow);
        Requests.Enqueue(request);
        await Answer(context, request);
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived.</summary>
    public async Task<List<Request>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Requests.Count < count)
        {
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"The receiver got {Requests.Count} requests, not {count}.");
            await Task.Delay(20);
        }
        return [.. Requests];
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
