using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ChatDesk.Server.Data;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// One throwaway PostgreSQL cluster per test run (fsync off, loopback only), with a migrated
/// template database; every test class gets its own database cloned from the template.
/// </summary>
public static class TestPostgres
{
    private static readonly Lazy<Task<Cluster>> Shared = new(StartAsync);
    private static int databaseCounter;

    public static async Task<string> CreateDatabaseAsync(bool migrated = true)
    {
        var cluster = await Shared.Value;
        var name = $"t{Environment.ProcessId}_{Interlocked.Increment(ref databaseCounter)}";
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                migrated ? $"CREATE DATABASE {name} TEMPLATE chatdesk_template" : $"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return cluster.ConnectionString(name);
    }

    private sealed record Cluster(string Directory, int Port, string Password)
    {
        public string ConnectionString(string database) =>
            $"Host=127.0.0.1;Port={Port};Database={database};Username=chatdesk;Password={Password};Maximum Pool Size=40;Include Error Detail=true";
    }

    private static async Task<Cluster> StartAsync()
    {
        var bin = System.IO.Directory.GetDirectories("/usr/lib/postgresql").OrderBy(d => d, StringComparer.Ordinal).Select(d => Path.Combine(d, "bin")).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql (run the README test command, which installs them).");
        var asRoot = Environment.UserName == "root";
        RemoveClustersOfGoneRuns(bin, asRoot);
        var directory = Path.Combine(Path.GetTempPath(), $"{ClusterFolderPrefix}{Environment.ProcessId}");
        if (System.IO.Directory.Exists(directory))
            System.IO.Directory.Delete(directory, recursive: true);
        System.IO.Directory.CreateDirectory(directory);
        var password = Guid.NewGuid().ToString("N");
        var passwordFile = Path.Combine(directory, "pw");
        await File.WriteAllTextAsync(passwordFile, password);
        var dataDirectory = Path.Combine(directory, "data");
        var port = FreePort();
        if (asRoot)
            Run("chown", "-R", "postgres", directory);

        RunAsPostgres(asRoot, Path.Combine(bin, "initdb"), "-D", dataDirectory, "-U", "chatdesk", "--pwfile", passwordFile,
            "--auth=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8");
        RunAsPostgres(asRoot, Path.Combine(bin, "pg_ctl"), "-D", dataDirectory, "-l", Path.Combine(directory, "server.log"), "-w", "start",
            "-o", $"-p {port} -c listen_addresses=127.0.0.1 -k {directory} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                RunAsPostgres(asRoot, Path.Combine(bin, "pg_ctl"), "-D", dataDirectory, "-m", "immediate", "stop");
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (Exception)
            {
                // Best effort: the folder is under the temp directory.
            }
        };

        var cluster = new Cluster(directory, port, password);
        await using (var connection = new NpgsqlConnection(cluster.ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE DATABASE chatdesk_template", connection);
            await command.ExecuteNonQueryAsync();
        }
        await using (var dataSource = NpgsqlDataSource.Create(cluster.ConnectionString("chatdesk_template")))
            await new MigrationRunner(dataSource, TimeProvider.System, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        NpgsqlConnection.ClearAllPools(); // a template must have no open connections when cloned
        return cluster;
    }

    private const string ClusterFolderPrefix = "chatdesk-test-pg-";

    /// <summary>
    /// A test run that was killed never reached its exit handler: its cluster (several GB after a full run) may still
    /// be running, and its folder stays. Each run removes those whose test process is gone, so they cannot fill the disk.
    /// </summary>
    private static void RemoveClustersOfGoneRuns(string bin, bool asRoot)
    {
        foreach (var folder in System.IO.Directory.GetDirectories(Path.GetTempPath(), $"{ClusterFolderPrefix}*"))
        {
            if (!int.TryParse(Path.GetFileName(folder)[ClusterFolderPrefix.Length..], out var pid) || pid == Environment.ProcessId || IsRunning(pid))
                continue;
            try
            {
                if (File.Exists(Path.Combine(folder, "data", "postmaster.pid")))
                    RunAsPostgres(asRoot, Path.Combine(bin, "pg_ctl"), "-D", Path.Combine(folder, "data"), "-m", "immediate", "stop");
            }
            catch (InvalidOperationException)
            {
                // Not running after all (a stale postmaster.pid): the folder goes anyway.
            }
            try
            {
                System.IO.Directory.Delete(folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort, like the exit handler.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Waits until a server process started by a test accepts connections on its port (10 s at most).</summary>
    public static async Task WaitUntilListeningAsync(int port, Process process, string name)
    {
        for (var i = 0; i < 200; i++)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"{name} exited: {await process.StandardError.ReadToEndAsync()}");
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        throw new InvalidOperationException($"{name} did not listen on {port}.");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void RunAsPostgres(bool asRoot, string file, params string[] arguments)
    {
        if (asRoot)
            Run("runuser", ["-u", "postgres", "--", file, .. arguments]);
        else
            Run(file, arguments);
    }

    private static void Run(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} failed ({process.ExitCode}): {error}{output.Result}");
    }
}
