using System.Net;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ChatDesk.Tests.Data;

/// <summary>
/// The server reaches PostgreSQL through a TCP proxy the test can cut, as a database restart or failover would
/// (the test cluster is shared with other tests, so it is not restarted itself).
/// </summary>
public sealed class DatabaseOutageTests : ChatTestBase
{
    private TcpProxy database = null!;
    private string proxiedConnectionString = "";

    protected override ChatDeskTestHost CreateHost() => new() { SharedConnectionString = proxiedConnectionString, Settings = TestApi.NoVisitorMessageLimit };

    public override async Task InitializeAsync()
    {
        var direct = new NpgsqlConnectionStringBuilder(await TestPostgres.CreateDatabaseAsync());
        database = new TcpProxy(direct.Port);
        direct.Port = database.Port;
        proxiedConnectionString = direct.ConnectionString;
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await database.DisposeAsync();
    }

    /// <summary>What the widget does: keep the text, retry with the same client id until it is stored.</summary>
    private async Task<int> SendUntilStoredAsync(string text)
    {
        var request = TestApi.Message(text);
        for (var failures = 0; ; failures++)
        {
            try
            {
                await Driver.InvokeAsync("visitor", "SendMessage", request);
                return failures;
            }
            catch (HubCallException e)
            {
                Assert.Contains(DatabaseRetry.UnavailableMessage, e.Message);
                await Task.Delay(200);
            }
        }
    }

    private async Task<HttpStatusCode> ReadinessAsync()
    {
        using var client = TestApi.CreateClient(Host);
        return (await client.GetAsync("/healthz/ready")).StatusCode;
    }

    [Fact]
    public async Task A_database_outage_mid_stream_fails_calls_clearly_loses_and_doubles_nothing_and_needs_no_restart()
    {
        const int Messages = 500;
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");

        // A blip (every pooled connection cut, the database back at once): retried inside, the caller sees nothing.
        database.Block();
        database.Unblock();
        Assert.Equal(0, await SendUntilStoredAsync("after a blip"));

        var failures = 0;
        var sawNotReady = false;
        for (var i = 1; i <= Messages; i++)
        {
            if (i == 200)
            {
                database.Block();
                sawNotReady = await ReadinessAsync() == HttpStatusCode.ServiceUnavailable;
                _ = Task.Delay(TimeSpan.FromSeconds(2)).ContinueWith(_ => database.Unblock(), TaskScheduler.Default);
            }
            failures += await SendUntilStoredAsync($"message {i}");
        }
        Assert.True(failures > 0, "The outage should have refused some calls, or the test tests nothing.");
        Assert.True(sawNotReady, "/healthz/ready should say the database is down during the outage.");
        Assert.Equal(HttpStatusCode.OK, await ReadinessAsync());

        var stored = await Host.WithDbAsync(db => db.Messages.Where(m => m.ConversationId == chat.ConversationId).OrderBy(m => m.Sequence)
            .Select(m => new { m.Sequence, m.Text }).ToListAsync());
        Assert.Equal(["after a blip", .. Enumerable.Range(1, Messages).Select(i => $"message {i}")], stored.Select(m => m.Text));

        // The operator: what was pushed, plus what resuming fetches after the last sequence held without a gap.
        var pushed = PushedSequences("alice");
        Assert.Equal(pushed.Count, pushed.Distinct().Count());
        Assert.Equal(stored.Select(m => m.Sequence),
            await ShownAfterResumeAsync("alice", after => Driver.InvokeAsync<List<MessageDto>>("alice", "GetMessagesAfter", chat.ConversationId, after)));
        Console.WriteLine($"Database outage: {failures} calls refused and retried by the client; {Messages - pushed.Count + 1} pushes caught up by resuming");
    }
}
