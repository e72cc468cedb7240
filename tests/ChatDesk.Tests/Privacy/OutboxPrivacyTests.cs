using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Email;
using ChatDesk.Server.Events;
using ChatDesk.Server.Privacy;
using ChatDesk.Server.Webhooks;
using ChatDesk.Server.Widget;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Privacy;

/// <summary>
/// The outbox under the privacy features. SMTP is configured and the demo site subscribed to every webhook, but
/// this node does not dispatch: what the visitors' actions queued stays in the outbox, personal data included.
/// </summary>
public sealed class OutboxPrivacyTests : ChatTestBase
{
    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["ChatDesk:Outbox:Dispatch"] = "false",
            ["ChatDesk:Outbox:KeepDays"] = "7",
            ["ChatDesk:Smtp:Host"] = "127.0.0.1",
            ["ChatDesk:Smtp:Security"] = "None",
        },
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await Host.WithDbAsync(async db =>
        {
            var demo = await db.Sites.SingleAsync(s => s.Key == "demo");
            demo.InboxEmail = "support@shop.example";
            db.WebhookSubscriptions.Add(new WebhookSubscription
            {
                Id = Guid.NewGuid(), SiteId = demo.Id, Url = "https://hooks.example/chatdesk", Secret = "secret",
                EventKinds = [.. WebhookKinds.All], CreatedAt = Host.Clock.GetUtcNow(),
            });
            return await db.SaveChangesAsync();
        });
    }

    /// <summary>An offline message left before chatting (no conversation yet), then a chat, then its transcript by e-mail.</summary>
    private async Task<(Guid VisitorId, Guid ConversationId)> VisitorWithEverythingAsync(string connection, string name)
    {
        var email = $"{name.ToLowerInvariant()}@example.com";
        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync(connection, Host.BaseUrl, session.VisitorToken);
        await Driver.InvokeAsync<OfflineMessageCreated>(connection, "LeaveOfflineMessage", new LeaveOfflineMessageRequest(name, email, $"{name} needs a call back"));
        var chat = await Driver.InvokeAsync<ConversationView>(connection, "StartChat",
            new StartChatRequest(name, email, "billing", $"https://shop.example/orders/{name}", "My orders", "en", "Europe/Paris"));
        await Driver.InvokeAsync(connection, "SendMessage", TestApi.Message($"I am {name}, my card ends 4242"));
        await Driver.InvokeAsync(connection, "EndChat");
        await Driver.InvokeAsync(connection, "EmailTranscript", new EmailTranscriptRequest(email));
        return (session.VisitorId, chat.ConversationId);
    }

    private Task<List<OutboxItem>> OutboxAsync() => Host.WithDbAsync(db => db.Outbox.AsNoTracking().OrderBy(o => o.Id).ToListAsync());

    private static bool Carries(OutboxItem row, string name) =>
        row.Payload.Contains(name, StringComparison.OrdinalIgnoreCase) || row.Payload.Contains($"shop.example/orders/{name}");

    [Fact]
    public async Task Erasing_a_visitor_deletes_every_outbox_row_with_their_data_and_leaves_the_others()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (vera, veraChat) = await VisitorWithEverythingAsync("vera", "Vera");
        await VisitorWithEverythingAsync("otto", "Otto");
        var before = await OutboxAsync();
        // Hers: what carries her data, and every webhook delivery of her conversation (even one that names only it).
        var veras = before.Where(r => Carries(r, "Vera") || r.Payload.Contains(veraChat.ToString())).ToList();
        // What there is to erase: her webhook deliveries (the page URL among them) and both e-mails, the one left before chatting too.
        Assert.Contains(veras, r => r.Channel == OutboxChannels.Webhook && r.Kind == "chat.requested" && r.Payload.Contains("shop.example/orders/Vera"));
        Assert.Contains(veras, r => r.Kind == EmailKinds.Transcript && r.Payload.Contains("vera@example.com"));
        Assert.Contains(veras, r => r.Kind == EmailKinds.OfflineMessage && r.ConversationId == null && r.Payload.Contains("Vera needs a call back"));
        Assert.Contains(before, r => Carries(r, "Otto") && r.Kind == EmailKinds.Transcript);

        using var admin = await TestApi.AdminClientAsync(Host);
        var erased = await admin.PostAsync($"/api/admin/privacy/visitors/{vera}/erase", null);
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        var counts = await erased.Content.ReadFromJsonAsync<ErasureCounts>(SignalRDriver.Json);

        var after = await OutboxAsync();
        Assert.DoesNotContain(after, r => r.Payload.Contains("vera", StringComparison.OrdinalIgnoreCase) || r.Payload.Contains("shop.example/orders/Vera"));
        Assert.Equal(before.Except(veras).Select(r => (r.Id, r.Payload)), after.Select(r => (r.Id, r.Payload)));
        Assert.Equal(veras.Count, counts!.OutboxRows);
        var audit = await Host.WithDbAsync(db => db.Events.SingleAsync(e => e.Type == AdminEventTypes.VisitorErased));
        Assert.Equal(veras.Count, JsonDocument.Parse(audit.Data).RootElement.GetProperty("after").GetProperty("outboxRows").GetInt32());
    }

    private static OutboxItem Row(Guid siteId, DateTimeOffset createdAt, string status = OutboxStatus.Pending, DateTimeOffset? completedAt = null) => new()
    {
        Id = Guid.NewGuid(), Channel = OutboxChannels.Email, Kind = EmailKinds.Transcript, SiteId = siteId,
        Payload = """{"to":"someone@example.com"}""", Status = status, CreatedAt = createdAt, NextAttemptAt = createdAt, CompletedAt = completedAt,
    };

    private Task AddAsync(params OutboxItem[] rows) => Host.WithDbAsync(db =>
    {
        db.Outbox.AddRange(rows);
        return db.SaveChangesAsync();
    });

    [Fact]
    public async Task Retention_deletes_the_sites_outbox_rows_older_than_its_period_and_no_other_sites()
    {
        var now = Host.Clock.GetUtcNow();
        var (demo, other) = await Host.WithDbAsync(async db =>
        {
            var site = await db.Sites.SingleAsync(s => s.Key == "demo");
            site.RetentionDays = 30;
            var longer = new Site { Id = Guid.NewGuid(), Key = "other", Name = "Other shop", CreatedAt = now, RetentionDays = 365 };
            db.Sites.Add(longer);
            await db.SaveChangesAsync();
            return (site.Id, longer.Id);
        });
        var oldPending = Row(demo, now);
        var oldDelivered = Row(demo, now, OutboxStatus.Delivered, now);
        var otherSitesOld = Row(other, now);
        await AddAsync(oldPending, oldDelivered, otherSitesOld);
        Host.Clock.Advance(TimeSpan.FromDays(20));
        var recent = Row(demo, Host.Clock.GetUtcNow());
        await AddAsync(recent);

        Assert.Equal(0, await Host.WithServiceAsync<RetentionService, int>(r => r.ApplyAsync()));
        Assert.Equal(4, (await OutboxAsync()).Count);
        Host.Clock.Advance(TimeSpan.FromDays(11));
        await Host.WithServiceAsync<RetentionService, int>(r => r.ApplyAsync());

        Assert.Equal(new[] { otherSitesOld.Id, recent.Id }.Order(), (await OutboxAsync()).Select(r => r.Id).Order());
        var applied = await Host.WithDbAsync(db => db.Events.Where(e => e.Type == AdminEventTypes.RetentionApplied).Select(e => e.Data).ToListAsync());
        Assert.Equal(2, JsonDocument.Parse(Assert.Single(applied)).RootElement.GetProperty("after").GetProperty("outboxRows").GetInt32());
    }

    [Fact]
    public async Task Completed_rows_go_after_KeepDays_whatever_the_site_keeps_and_pending_rows_stay()
    {
        var demo = await Host.WithDbAsync(db => db.Sites.Where(s => s.Key == "demo").Select(s => s.Id).SingleAsync());
        var start = Host.Clock.GetUtcNow();
        var delivered = Row(demo, start, OutboxStatus.Delivered, start);
        var failed = Row(demo, start, OutboxStatus.Failed, start.AddMinutes(5));
        var pending = Row(demo, start);
        await AddAsync(delivered, failed, pending);
        Host.Clock.Advance(TimeSpan.FromDays(5));
        var recentlyDelivered = Row(demo, Host.Clock.GetUtcNow(), OutboxStatus.Delivered, Host.Clock.GetUtcNow());
        await AddAsync(recentlyDelivered);

        Assert.Equal(0, await Host.WithServiceAsync<RetentionService, int>(r => r.TrimCompletedOutboxAsync()));
        Host.Clock.Advance(TimeSpan.FromDays(3)); // KeepDays is 7: the first two are 8 days old, the recent one 3

        Assert.Equal(2, await Host.WithServiceAsync<RetentionService, int>(r => r.TrimCompletedOutboxAsync()));
        Assert.Equal(new[] { pending.Id, recentlyDelivered.Id }.Order(), (await OutboxAsync()).Select(r => r.Id).Order());
    }
}
