namespace ChatDesk.Tests.Infrastructure;

/// <summary>Three server nodes on one database with the SignalR Redis backplane (a Redis server of the class's own).</summary>
public abstract class RedisNodesTestBase : ChatTestBase
{
    protected TestRedis Redis { get; private set; } = null!;
    protected ChatDeskTestHost Second { get; private set; } = null!;
    protected ChatDeskTestHost Third { get; private set; } = null!;

    /// <summary>Settings every node gets besides ChatDesk:Redis.</summary>
    protected virtual IReadOnlyDictionary<string, string?> NodeSettings => new Dictionary<string, string?>();

    protected override ChatDeskTestHost CreateHost() =>
        new() { Settings = new Dictionary<string, string?>(NodeSettings) { ["ChatDesk:Redis"] = Redis.ConnectionString } };

    public override async Task InitializeAsync()
    {
        Redis = await TestRedis.StartAsync();
        await base.InitializeAsync();
        Second = Host.SecondNode();
        Third = Host.SecondNode();
        await Task.WhenAll(Second.InitializeAsync(), Third.InitializeAsync());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Second.DisposeAsync();
        await Third.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
