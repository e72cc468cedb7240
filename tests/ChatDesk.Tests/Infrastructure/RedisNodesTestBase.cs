namespace ChatDesk.Tests.Infrastructure;

/// <summary>Three server nodes on one database with the SignalR Redis backplane (a Redis server of the class's own).</summary>
public abstract class RedisNodesTestBase : ChatTestBase
{
    protected ChatDeskTestHost Second { get; private set; } = null!;
    protected ChatDeskTestHost Third { get; private set; } = null!;

    protected override bool WithRedis => true;

    /// <summary>Settings every node gets besides ChatDesk:Redis.</summary>
    protected virtual IReadOnlyDictionary<string, string?> NodeSettings => new Dictionary<string, string?>();

    protected override ChatDeskTestHost CreateHost()
    {
        var settings = BackplaneSettings();
        foreach (var (key, value) in NodeSettings)
            settings[key] = value;
        return new() { Settings = settings };
    }

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        (Second, Third) = (await StartAnotherNodeAsync(), await StartAnotherNodeAsync());
    }
}
