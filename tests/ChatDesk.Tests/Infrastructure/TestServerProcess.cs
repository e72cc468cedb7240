using System.Diagnostics;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// A ChatDesk node in a process of its own (the built server, as deployed), on a test host's database,
/// so that a test can kill it with SIGKILL: no shutdown hook runs, its sockets just close.
/// </summary>
public sealed class TestServerProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly Queue<string> lastLines = new();

    private TestServerProcess(Process process, int port, string name) => (this.process, Port, Name) = (process, port, name);

    public int Port { get; }
    public string Name { get; }
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    /// <summary>The node's id in <c>operator_connections</c> starts with this.</summary>
    public string NodeIdPrefix => $"{Name}-";

    /// <param name="name">The node's name (<c>ChatDesk:NodeName</c>).</param>
    /// <param name="settings">Configuration keys (<c>ChatDesk:Redis</c>...) as environment variables.</param>
    public static async Task<TestServerProcess> StartAsync(ChatDeskTestHost host, string name, IReadOnlyDictionary<string, string?> settings)
    {
        // The server built in the configuration these tests were built in (infra/test.sh builds the solution).
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(RepoPaths.ServerProject, "bin", configuration, "net10.0", "ChatDesk.Server.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: build the solution ({configuration}) first.");
        var port = TestPostgres.FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoPaths.ServerProject, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var argument in new[] { dll, "--urls", $"http://127.0.0.1:{port}" })
            start.ArgumentList.Add(argument);
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings:ChatDesk"] = host.ConnectionString,
            ["ChatDesk:NodeName"] = name,
            ["ChatDesk:PublicUrl"] = host.ChatDeskOrigin,
            ["ChatDesk:Demo:Enabled"] = "true",
            ["ChatDesk:Demo:SiteOrigins"] = host.DemoSiteOrigin,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings)
            environment[key] = value;
        foreach (var (key, value) in environment)
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Testing";

        var node = new TestServerProcess(Process.Start(start)!, port, name);
        node.process.OutputDataReceived += (_, e) => node.Keep(e.Data);
        node.process.ErrorDataReceived += (_, e) => node.Keep(e.Data);
        node.process.BeginOutputReadLine();
        node.process.BeginErrorReadLine();
        using var client = new HttpClient { BaseAddress = new Uri(node.BaseUrl), Timeout = TimeSpan.FromSeconds(2) };
        for (var i = 0; ; i++)
        {
            if (node.process.HasExited)
                throw new InvalidOperationException($"Node {name} exited: {node.Output}");
            try
            {
                if ((await client.GetAsync("/healthz/ready")).IsSuccessStatusCode)
                    return node;
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }
            if (i == 600)
                throw new InvalidOperationException($"Node {name} was not ready in 60 s: {node.Output}");
            await Task.Delay(100);
        }
    }

    /// <summary>The last lines the node wrote (for failure messages).</summary>
    public string Output
    {
        get { lock (lastLines) return string.Join('\n', lastLines); }
    }

    private void Keep(string? line)
    {
        if (line is null)
            return;
        lock (lastLines)
        {
            lastLines.Enqueue(line);
            if (lastLines.Count > 40)
                lastLines.Dequeue();
        }
    }

    /// <summary>SIGKILL, as a crash or the kernel's OOM killer would.</summary>
    public async Task KillAsync()
    {
        process.Kill();
        await process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
            await KillAsync();
        process.Dispose();
    }
}
