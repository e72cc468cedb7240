using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;

namespace ChatDesk.Server.Webhooks;

/// <summary>A row claimed from the outbox, with its subscription's URL and secret for a webhook.</summary>
public sealed record ClaimedItem(Guid Id, string Channel, string Kind, int Attempts, string Payload, DateTimeOffset CreatedAt, string? Url, string? Secret,
    bool SubscriptionDisabled);

/// <summary>Sends one outbox channel's messages, one try at a time (the dispatcher's pipeline retries).</summary>
public interface IOutboxSender
{
    string Channel { get; }

    /// <summary>What the circuit breaker is per: the same endpoint shares one.</summary>
    string Endpoint(ClaimedItem item);

    /// <summary>One try. Throws only when cancelled (the try's timeout, or shutdown).</summary>
    Task<AttemptResult> SendAsync(ClaimedItem item, int attempt, CancellationToken cancellationToken);
}

/// <summary>
/// POSTs the webhook body, signed (<see cref="WebhookSignature"/>). Every connection goes through the SSRF guard
/// (<see cref="TargetAddresses"/>, unless <see cref="OutboxOptions.AllowPrivateTargets"/>), to the addresses it
/// checked; no redirect is followed; at most <see cref="MaxResponseBytes"/> of an answer are read.
/// </summary>
public sealed class WebhookSender : IOutboxSender, IDisposable
{
    public const int MaxResponseBytes = 4096;
    private const int ErrorSnippetChars = 200;

    private readonly HttpClient http;
    private readonly TimeProvider clock;

    public WebhookSender(OutboxOptions options, TimeProvider clock)
    {
        this.clock = clock;
        var allowPrivate = options.AllowPrivateTargets;
        http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseProxy = false, // a proxy would connect on our behalf, past the guard
            UseCookies = false,
            ConnectTimeout = options.AttemptTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2), // DNS changes are seen (and checked again)
            ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, allowPrivate, ct),
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // the pipeline's timeout applies
            MaxResponseContentBufferSize = MaxResponseBytes,
        };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ChatDesk-Webhooks", "1"));
    }

    public string Channel => OutboxChannels.Webhook;

    public string Endpoint(ClaimedItem item) => Uri.TryCreate(item.Url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "";

    public async Task<AttemptResult> SendAsync(ClaimedItem item, int attempt, CancellationToken cancellationToken)
    {
        if (item.Url is null || item.Secret is null)
            return AttemptResult.Permanent(null, "The subscription was deleted.");
        var body = Encoding.UTF8.GetBytes(item.Payload);
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, item.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add(WebhookSignature.IdHeader, item.Id.ToString());
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(item.Secret, timestamp, body));
        request.Headers.Add(WebhookSignature.AttemptHeader, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            var snippet = await ReadBoundedAsync(response, cancellationToken);
            if (response.IsSuccessStatusCode)
                return AttemptResult.Success(status);
            var error = $"HTTP {status}{(snippet.Length > 0 ? ": " + snippet : "")}";
            if (status is 408 or 429 or >= 500)
                return AttemptResult.Transient(status, error, RetryDelays.FromHeader(response.Headers.RetryAfter, clock.GetUtcNow()));
            if (status is >= 300 and < 400)
                return AttemptResult.Permanent(status, $"HTTP {status}: redirects are not followed (Location: {Truncate(response.Headers.Location?.ToString() ?? "", 200)}).");
            return AttemptResult.Permanent(status, error);
        }
        catch (HttpRequestException e) when (FindRefusal(e) is { } refusal)
        {
            return AttemptResult.Permanent(null, refusal.Message);
        }
        catch (HttpRequestException e)
        {
            return AttemptResult.Transient(null, Truncate(e.Message, 300));
        }
    }

    private static TargetRefusedException? FindRefusal(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is TargetRefusedException refused)
                return refused;
        return null;
    }

    /// <summary>Reads at most <see cref="MaxResponseBytes"/> of the answer: a receiver cannot make us read a large one.</summary>
    private static async Task<string> ReadBoundedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[MaxResponseBytes];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken);
            if (n == 0)
                break;
            read += n;
        }
        return Truncate(Encoding.UTF8.GetString(buffer, 0, read).Trim(), ErrorSnippetChars);
    }

    private static string Truncate(string text, int chars) => text.Length <= chars ? text : text[..chars] + "…";

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        if (!allowPrivate)
        {
            // Every address the name has is checked, and only those are connected to: a rebinding answer cannot slip in.
            foreach (var address in addresses)
                if (TargetAddresses.Refusal(address) is { } why)
                    throw new TargetRefusedException(TargetAddresses.Describe(endpoint.Host, address, why));
        }
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endpoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => http.Dispose();
}
