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
        (Second, Third) = (await StartAnotherNodeAsync(), await StartAnotherNodeAsync());
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Redis.DisposeAsync();
    }
}
