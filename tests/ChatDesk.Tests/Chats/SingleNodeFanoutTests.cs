using System.Net;
using System.Net.Http.Json;
using ChatDesk.Server;
using ChatDesk.Tests.Infrastructure;

namespace ChatDesk.Tests.Chats;

/// <summary>
/// Without Redis ChatDesk is one node: its pushes go straight to its own connections. A second node on the same
/// database could not reach the first one's clients, so both say they are not ready, and why.
/// </summary>
public sealed class SingleNodeFanoutTests : ChatTestBase
{
    [Fact]
    public async Task A_lone_node_without_redis_is_ready_and_a_second_one_on_its_database_makes_both_not_ready_until_it_leaves()
    {
        Assert.Equal((HttpStatusCode.OK, "off"), await ReadinessAsync(Host));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await StartVisitorChatAsync("visitor");
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("pushed by the one node"));
        await Driver.WaitForEventsAsync("alice", "MessageReceived");

        var second = Host.SecondNode();
        await second.InitializeAsync();
        try
        {
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "needed"), await WaitForReadinessAsync(Host, "needed"));
            Assert.Equal((HttpStatusCode.ServiceUnavailable, "needed"), await WaitForReadinessAsync(second, "needed"));
        }
        finally
        {
            await second.DisposeAsync();
        }
        Assert.Equal((HttpStatusCode.OK, "off"), await WaitForReadinessAsync(Host, "off"));
    }

    private static async Task<(HttpStatusCode, string)> WaitForReadinessAsync(ChatDeskTestHost node, string redis)
    {
        // Nodes look for each other every 5 s.
        for (var i = 0; ; i++)
        {
            var readiness = await ReadinessAsync(node);
            if (readiness.Item2 == redis || i == 150)
                return readiness;
            await Task.Delay(100);
        }
    }

    private static async Task<(HttpStatusCode, string)> ReadinessAsync(ChatDeskTestHost node)
    {
        using var client = TestApi.CreateClient(node);
        var response = await client.GetAsync("/healthz/ready");
        var body = (await response.Content.ReadFromJsonAsync<ReadinessDto>(SignalRDriver.Json))!;
        return (response.StatusCode, body.Redis);
    }
}
