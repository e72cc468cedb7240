using System.Net;
using ChatDesk.Server.Chats;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Chats;

/// <summary>Three nodes with the Redis backplane behind nginx, configured by the shipped infra/nginx/chatdesk.conf.</summary>
public sealed class LoadBalancerTests : RedisNodesTestBase
{
    private TestNginx nginx = null!;

    protected override IReadOnlyDictionary<string, string?> NodeSettings => new Dictionary<string, string?> { ["ChatDesk:KnownProxies"] = "127.0.0.1" };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        nginx = await TestNginx.StartAsync([Host, Second, Third]);
    }

    public override async Task DisposeAsync()
    {
        await nginx.DisposeAsync();
        await base.DisposeAsync();
    }

    [Fact]
    public async Task Clients_spread_over_the_nodes_through_nginx_keep_chatting_across_them()
    {
        await Driver.ConnectOperatorAsync("alice", nginx.BaseUrl, await TestApi.LoginAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword), affinity: "alice");
        var aliceNodes = await ConnectedNodesOfAsync(TestApi.AliceEmail);
        // Chloe's key is picked so that she lands on another node than Alice (the hash depends on the nodes' ports).
        var chloeCookie = await TestApi.LoginAsync(Host, TestApi.ChloeEmail, TestApi.ChloePassword);
        for (var key = 0; ; key++)
        {
            await Driver.ConnectOperatorAsync("chloe", nginx.BaseUrl, chloeCookie, affinity: $"chloe-{key}");
            if ((await ConnectedNodesOfAsync(TestApi.ChloeEmail)) is { Count: > 0 } chloeNodes && !chloeNodes.Intersect(aliceNodes).Any())
                break;
            Assert.True(key < 30, "nginx sent every key to one node.");
            await Driver.StopAsync("chloe");
            while ((await NodesHoldingAsync(TestApi.ChloeEmail)).Count > 0)
                await Task.Delay(20);
        }
        await Driver.InvokeAsync("alice", "SetStatus", "online");
        await Driver.InvokeAsync("chloe", "SetStatus", "online");

        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("visitor", nginx.BaseUrl, session.VisitorToken, affinity: "visitor");
        var chat = await Driver.InvokeAsync<ConversationView>("visitor", "StartChat", TestApi.ChatRequest(topic: "billing"));
        await Driver.WaitForEventsAsync("alice", "ChatAssigned");
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("Through the load balancer"));
        Assert.Equal("Through the load balancer", MessageOf((await Driver.WaitForEventsAsync("alice", "MessageReceived"))[0]).Text);

        var chloeId = await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.ChloeEmail).Select(u => u.Id).SingleAsync());
        await Driver.InvokeAsync("alice", "Transfer", chat.ConversationId, new TransferRequest(chloeId, null, null));
        await Driver.WaitForEventsAsync("chloe", "ChatAssigned");
        await Driver.InvokeAsync("chloe", "SendMessage", chat.ConversationId, TestApi.Message("Chloe here, on another node"));
        Assert.Contains((await Driver.WaitForEventsAsync("visitor", "MessageReceived", 2)).Select(MessageOf), m => m.Text == "Chloe here, on another node");

        using var client = new HttpClient { BaseAddress = new Uri(nginx.BaseUrl) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz/ready")).StatusCode);
    }

    [Fact]
    public async Task The_scheme_a_trusted_proxy_forwards_is_the_requests_so_cookies_are_secure_behind_TLS()
    {
        static async Task<string> XsrfCookieAsync(HttpClient client, string? forwardedProto)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/me");
            if (forwardedProto is not null)
                request.Headers.Add("X-Forwarded-Proto", forwardedProto);
            var response = await client.SendAsync(request);
            return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("XSRF-TOKEN=", StringComparison.Ordinal));
        }

        using var direct = TestApi.CreateClient(Host);
        Assert.Contains("secure", await XsrfCookieAsync(direct, "https"), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("secure", await XsrfCookieAsync(direct, null), StringComparison.OrdinalIgnoreCase);
        // nginx sets the header itself from its own scheme (http here): a client cannot pretend.
        using var throughNginx = new HttpClient { BaseAddress = new Uri(nginx.BaseUrl) };
        Assert.DoesNotContain("secure", await XsrfCookieAsync(throughNginx, "https"), StringComparison.OrdinalIgnoreCase);
    }
}
