using System.Diagnostics;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// A throwaway Redis server on a loopback port, one per test class (so no two classes share a backplane),
/// with nothing persisted. Can be stopped and started again on the same port to test a Redis restart.
/// </summary>
public sealed class TestRedis : IAsyncDisposable
{
    public const string ServerPath = "/usr/bin/redis-server";
    private Process? process;

    public int Port { get; } = TestPostgres.FreePort();
    public string ConnectionString => $"127.0.0.1:{Port}";

    public static async Task<TestRedis> StartAsync()
    {
        var redis = new TestRedis();
        await redis.RestartAsync();
        return redis;
    }

    public async Task RestartAsync()
    {
        await StopAsync();
        if (!File.Exists(ServerPath))
            throw new InvalidOperationException($"{ServerPath} is missing: run the README test command, which installs Redis.");
        var start = new ProcessStartInfo(ServerPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--port", Port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes" })
            start.ArgumentList.Add(argument);
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        await TestPostgres.WaitUntilListeningAsync(Port, process, "redis-server");
    }

    public async Task StopAsync()
    {
        if (process is null)
            return;
        process.Kill();
        await process.WaitForExitAsync();
        process.Dispose();
        process = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
