using System.Net;
using System.Net.Sockets;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of the server, so a test can cut a client's connection for real
/// (and refuse reconnects for a while) without touching the server.
/// </summary>
public sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly int targetPort;
    private readonly CancellationTokenSource stopping = new();
    private readonly List<TcpClient> open = [];
    private readonly Lock gate = new();
    private volatile bool blocked;

    public TcpProxy(int targetPort)
    {
        this.targetPort = targetPort;
        listener.Start();
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _ = AcceptLoopAsync();
    }

    public int Port { get; }

    /// <summary>Cuts every open connection and refuses new ones until <see cref="Unblock"/>.</summary>
    public void Block()
    {
        blocked = true;
        lock (gate)
        {
            foreach (var client in open)
                client.Close();
            open.Clear();
        }
    }

    public void Unblock() => blocked = false;

    private async Task AcceptLoopAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient incoming;
            try
            {
                incoming = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }
            if (blocked)
            {
                incoming.Close();
                continue;
            }
            _ = PipeAsync(incoming);
        }
    }

    private async Task PipeAsync(TcpClient incoming)
    {
        var outgoing = new TcpClient();
        try
        {
            await outgoing.ConnectAsync(IPAddress.Loopback, targetPort);
            lock (gate)
            {
                open.Add(incoming);
                open.Add(outgoing);
            }
            var a = incoming.GetStream().CopyToAsync(outgoing.GetStream(), stopping.Token);
            var b = outgoing.GetStream().CopyToAsync(incoming.GetStream(), stopping.Token);
            await Task.WhenAny(a, b);
        }
        catch (Exception)
        {
            // A cut connection ends here.
        }
        finally
        {
            incoming.Close();
            outgoing.Close();
            lock (gate)
            {
                open.Remove(incoming);
                open.Remove(outgoing);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        Block();
    }
}
