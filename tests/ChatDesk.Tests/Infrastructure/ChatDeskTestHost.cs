using ChatDesk.Server;
using ChatDesk.Server.Data;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>
/// The real ChatDesk server on Kestrel (loopback, a free port) over its own PostgreSQL database,
/// composed exactly as Program.cs does, with a manual clock.
/// The operator console is served at <see cref="ConsoleUrl"/> (http://localhost:port) and the demo
/// customer website at <see cref="DemoSiteUrl"/> (http://127.0.0.1:port): two origins, as in production.
/// </summary>
public sealed class ChatDeskTestHost : IAsyncLifetime
{
    private WebApplication? app;

    public ManualClock Clock { get; init; } = new();
    public int Port { get; init; } = TestPostgres.FreePort();
    public string ConnectionString { get; private set; } = "";

    /// <summary>Address the server is reached at by tests and Node clients.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}";
    public string ChatDeskOrigin => $"http://localhost:{Port}";
    public string ConsoleUrl => $"{ChatDeskOrigin}/console/";
    public string DemoSiteOrigin => DemoSiteOriginOverride ?? $"http://127.0.0.1:{Port}";

    /// <summary>A second node serves the same customer site as the first.</summary>
    public string? DemoSiteOriginOverride { get; init; }
    public string DemoSiteUrl => $"{DemoSiteOrigin}/demo/";

    /// <summary>Shares another host's database: a second server node.</summary>
    public string? SharedConnectionString { get; init; }

    /// <summary>Overrides the public URL the demo page loads the widget from (e.g. through a proxy).</summary>
    public string? PublicUrlOverride { get; init; }

    public IServiceProvider Services => app!.Services;

    /// <summary>Extra configuration (e.g. ChatDesk:Files:Folder), applied over the defaults.</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Registers services before ChatDesk does, e.g. an implementation of an extension point.</summary>
    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public async Task InitializeAsync()
    {
        ConnectionString = SharedConnectionString ?? await TestPostgres.CreateDatabaseAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ContentRootPath = RepoPaths.ServerProject,
            WebRootPath = Path.Combine(RepoPaths.ServerProject, "wwwroot"),
            EnvironmentName = "Testing",
        });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:ChatDesk"] = ConnectionString,
            ["ChatDesk:PublicUrl"] = PublicUrlOverride ?? ChatDeskOrigin,
            ["ChatDesk:Demo:Enabled"] = "true",
            ["ChatDesk:Demo:SiteOrigins"] = DemoSiteOrigin,
            // Test media stays on loopback: clients signal only 127.0.0.1 candidates.
            ["ChatDesk:Remote:LoopbackCandidatesOnly"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore.SignalR"] = "Error",
        });
        builder.Configuration.AddInMemoryCollection(Settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{Port}");
        builder.Services.AddSingleton<TimeProvider>(Clock);
        ConfigureServices?.Invoke(builder.Services);
        builder.AddChatDesk();

        app = builder.Build();
        app.UseChatDesk();
        await app.InitializeChatDeskAsync();
        await app.StartAsync();
        await app.Services.GetRequiredService<ChatDesk.Server.Chats.PushBus>().SessionOpen.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        // Idempotent: a test may stop a node early (a crash or a restart) and the base class disposes it again.
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
            app = null;
        }
    }

    /// <summary>Another server node on this one's database and clock, serving the same customer site.</summary>
    public ChatDeskTestHost SecondNode() =>
        new() { SharedConnectionString = ConnectionString, Clock = Clock, DemoSiteOriginOverride = DemoSiteOrigin, Settings = Settings };

    public AsyncServiceScope CreateScope() => app!.Services.CreateAsyncScope();

    public async Task<T> WithServiceAsync<TService, T>(Func<TService, Task<T>> use) where TService : notnull
    {
        await using var scope = CreateScope();
        return await use(scope.ServiceProvider.GetRequiredService<TService>());
    }

    public async Task<T> WithDbAsync<T>(Func<ChatDeskDbContext, Task<T>> query)
    {
        await using var scope = CreateScope();
        return await query(scope.ServiceProvider.GetRequiredService<ChatDeskDbContext>());
    }
}
