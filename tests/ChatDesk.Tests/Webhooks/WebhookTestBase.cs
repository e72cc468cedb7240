using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Webhooks;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatDesk.Tests.Webhooks;

/// <summary>A server whose outbox retries fast, a real receiver on loopback, and helpers to subscribe and raise events.</summary>
public abstract class WebhookTestBase : ChatTestBase
{
    protected TestWebhookReceiver Receiver { get; private set; } = null!;

    /// <summary>Fast retries and a short try timeout; the circuit stays closed unless a class asks otherwise.</summary>
    protected virtual Dictionary<string, string?> OutboxSettings() => new()
    {
        ["ChatDesk:Webhooks:AllowPrivateTargets"] = "true",
        ["ChatDesk:Outbox:PollMilliseconds"] = "50",
        ["ChatDesk:Outbox:BaseDelayMilliseconds"] = "50",
        ["ChatDesk:Outbox:MaxDelaySeconds"] = "1",
        ["ChatDesk:Outbox:AttemptTimeoutSeconds"] = "1",
        ["ChatDesk:Outbox:MaxAttempts"] = "5",
        ["ChatDesk:Outbox:CircuitMinimumThroughput"] = "1000",
    };

    protected override ChatDeskTestHost CreateHost() => new() { Settings = OutboxSettings() };

    public override async Task InitializeAsync()
    {
        Receiver = await TestWebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
    }

    /// <summary>Subscribes the receiver (or <paramref name="url"/>) to the demo site's <paramref name="events"/> through the admin API.</summary>
    protected async Task<WebhookWithSecretDto> SubscribeAsync(string[] events, string? url = null, ChatDeskTestHost? host = null)
    {
        using var admin = await TestApi.AdminClientAsync(host ?? Host);
        var response = await admin.PostAsJsonAsync("/api/admin/webhooks",
            new WebhookInput("demo", url ?? Receiver.Url, events, true, "test receiver", null));
        Assert.Equal(System.Net.HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<WebhookWithSecretDto>(SignalRDriver.Json))!;
    }

    /// <summary>A real chat from a visitor (its chat.requested event), to append more events to.</summary>
    protected async Task<Guid> StartChatAsync(string connection = "v1") => (await StartVisitorChatAsync(connection)).Conversation.ConversationId;

    /// <summary>Appends events through the event log in one unit of work, committed or rolled back.</summary>
    protected async Task AppendEventsAsync(Guid conversationId, string type, int count, bool commit = true, ChatDeskTestHost? host = null)
    {
        await using var scope = (host ?? Host).CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ChatDeskDbContext>();
        var events = scope.ServiceProvider.GetRequiredService<EventLog>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var conversation = await db.Conversations.SingleAsync(c => c.Id == conversationId);
        for (var i = 0; i < count; i++)
            events.Append(db, conversation, type, new { test = i });
        await db.SaveChangesAsync();
        if (commit)
            await transaction.CommitAsync();
        else
            await transaction.RollbackAsync();
    }

    protected Task<List<OutboxItem>> DeliveriesAsync() => Host.WithDbAsync(db => db.Outbox.AsNoTracking().OrderBy(o => o.CreatedAt).ThenBy(o => o.EventId).ToListAsync());

    /// <summary>
    /// Waits until no outbox row is pending: every claim's outcome has been written, so a row sent twice would have
    /// reached the receiver by then.
    /// </summary>
    protected static async Task<List<OutboxItem>> WaitUntilNonePendingAsync(ChatDeskTestHost host, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var rows = await host.WithDbAsync(db => db.Outbox.AsNoTracking().ToListAsync());
            if (rows.All(r => r.Status != OutboxStatus.Pending))
                return rows;
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"{rows.Count(r => r.Status == OutboxStatus.Pending)} outbox rows are still pending.");
            await Task.Delay(50);
        }
    }

    protected async Task<OutboxItem> WaitForDeliveryAsync(Guid id, Func<OutboxItem, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var row = await Host.WithDbAsync(db => db.Outbox.AsNoTracking().SingleAsync(o => o.Id == id));
            if (done(row))
                return row;
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"Delivery {id} is {row.Status} after {row.Attempts} attempts ({row.LastError}).");
            await Task.Delay(50);
        }
    }

    protected static JsonElement Json(TestWebhookReceiver.Request request) => JsonDocument.Parse(request.Body).RootElement;
}
