using System.Diagnostics;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// nginx on a loopback port in front of test server nodes, with the repository's own configuration
/// (infra/nginx/chatdesk.conf): only its node list and listen address are replaced.
/// </summary>
public sealed class TestNginx : IAsyncDisposable
{
    public const string NginxPath = "/usr/sbin/nginx";
    private readonly string folder = Path.Combine(Path.GetTempPath(), $"chatdesk-nginx-{Guid.NewGuid():N}");
    private Process? process;

    public int Port { get; } = TestPostgres.FreePort();
    public string BaseUrl => $"http://127.0.0.1:{Port}";

    public static Task<TestNginx> StartAsync(IEnumerable<ChatDeskTestHost> nodes) => StartAsync(nodes.Select(n => n.Port));

    public static async Task<TestNginx> StartAsync(IEnumerable<int> nodePorts)
    {
        if (!File.Exists(NginxPath))
            throw new InvalidOperationException($"{NginxPath} is missing: run the README test command, which installs nginx.");
        var nginx = new TestNginx();
        Directory.CreateDirectory(nginx.folder);
        if (OperatingSystem.IsLinux())
            File.SetUnixFileMode(nginx.folder, (UnixFileMode)0b111_111_111); // nginx's workers run as nobody and write here
        var shipped = await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "infra", "nginx", "chatdesk.conf"));
        var begin = shipped.IndexOf("# BEGIN nodes", StringComparison.Ordinal);
        var end = shipped.IndexOf("# END nodes", StringComparison.Ordinal);
        var servers = string.Join("\n", nodePorts.Select(port => $"    server 127.0.0.1:{port} max_fails=2 fail_timeout=5s;"));
        var site = (shipped[..begin] + servers + "\n    " + shipped[end..]).Replace("listen 80;", $"listen 127.0.0.1:{nginx.Port};");
        await File.WriteAllTextAsync(Path.Combine(nginx.folder, "chatdesk.conf"), site);
        await File.WriteAllTextAsync(Path.Combine(nginx.folder, "nginx.conf"), $$"""
            worker_processes 1;
            daemon off;
            pid {{nginx.folder}}/nginx.pid;
            error_log {{nginx.folder}}/error.log warn;
            events { worker_connections 1024; }
            http {
                access_log off;
                client_body_temp_path {{nginx.folder}}/body;
                proxy_temp_path {{nginx.folder}}/proxy;
                fastcgi_temp_path {{nginx.folder}}/fastcgi;
                uwsgi_temp_path {{nginx.folder}}/uwsgi;
                scgi_temp_path {{nginx.folder}}/scgi;
                include {{nginx.folder}}/chatdesk.conf;
            }
            """);
        var start = new ProcessStartInfo(NginxPath) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-p", nginx.folder, "-c", Path.Combine(nginx.folder, "nginx.conf") })
            start.ArgumentList.Add(argument);
        nginx.process = Process.Start(start)!;
        await TestPostgres.WaitUntilListeningAsync(nginx.Port, nginx.process, "nginx");
        return nginx;
    }

    public async ValueTask DisposeAsync()
    {
        if (process is not null)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        Directory.Delete(folder, recursive: true);
    }
}
