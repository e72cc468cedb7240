using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// A small real SMTP server on loopback (RFC 5321: EHLO/HELO, MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT)
/// that keeps every message it accepts. <see cref="RefuseFirstTransactions"/> answers the first MAIL commands with
/// <c>451 4.3.0</c> (a temporary failure, as a greylisting server does).
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    public sealed record Message(string From, IReadOnlyList<string> To, string Data);

    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private int transactions;

    public ConcurrentQueue<Message> Messages { get; } = new();
    public int RefuseFirstTransactions { get; set; }

    /// <summary>MAIL commands received, refused ones included.</summary>
    public int Transactions => Volatile.Read(ref transactions);

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public static TestSmtpServer Start()
    {
        var server = new TestSmtpServer();
        server.listener.Start();
        _ = server.AcceptAsync();
        return server;
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, new UTF8Encoding(false));
            var writer = new StreamWriter(stream, new UTF8Encoding(false)) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("220 localhost ChatDesk test SMTP");
            string? from = null;
            var to = new List<string>();
            while (await reader.ReadLineAsync(stopping.Token) is { } line)
            {
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8");
                        break;
                    case "HELO":
                    case "NOOP":
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RSET":
                        (from, to) = (null, []);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "MAIL":
                        if (Interlocked.Increment(ref transactions) <= RefuseFirstTransactions)
                        {
                            await writer.WriteLineAsync("451 4.3.0 Try again later");
                            break;
                        }
                        (from, to) = (Address(line), []);
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "RCPT":
                        if (from is null)
                        {
                            await writer.WriteLineAsync("503 5.5.1 MAIL first");
                            break;
                        }
                        to.Add(Address(line));
                        await writer.WriteLineAsync("250 OK");
                        break;
                    case "DATA":
                        if (from is null || to.Count == 0)
                        {
                            await writer.WriteLineAsync("503 5.5.1 MAIL and RCPT first");
                            break;
                        }
                        await writer.WriteLineAsync("354 End data with <CR><LF>.<CR><LF>");
                        var data = new StringBuilder();
                        while (await reader.ReadLineAsync(stopping.Token) is { } dataLine && dataLine != ".")
                            data.Append(dataLine.StartsWith("..", StringComparison.Ordinal) ? dataLine[1..] : dataLine).Append("\r\n");
                        Messages.Enqueue(new Message(from, to, data.ToString()));
                        (from, to) = (null, []);
                        await writer.WriteLineAsync("250 OK queued");
                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 Bye");
                        return;
                    default:
                        await writer.WriteLineAsync("502 5.5.2 Command not implemented");
                        break;
                }
            }
        }
        catch (Exception) when (stopping.IsCancellationRequested)
        {
        }
        catch (IOException)
        {
        }
    }

    private static string Address(string line)
    {
        var start = line.IndexOf('<');
        var end = line.IndexOf('>', start + 1);
        return start >= 0 && end > start ? line[(start + 1)..end] : "";
    }

    public async Task<List<Message>> WaitForAsync(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (Messages.Count < count)
        {
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"The SMTP server got {Messages.Count} messages, not {count}.");
            await Task.Delay(20);
        }
        return [.. Messages];
    }

    public ValueTask DisposeAsync()
    {
        stopping.Cancel();
        listener.Stop();
        return ValueTask.CompletedTask;
    }
}
