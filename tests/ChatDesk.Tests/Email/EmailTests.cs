using System.Net;
using System.Net.Http.Json;
using System.Text;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Email;
using ChatDesk.Server.Events;
using ChatDesk.Server.Webhooks;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MimeKit;

namespace ChatDesk.Tests.Email;

/// <summary>E-mail from the outbox to a real SMTP server on loopback.</summary>
public sealed class EmailTests : ChatTestBase
{
    private readonly TestSmtpServer smtp = TestSmtpServer.Start();

    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?>
        {
            ["ChatDesk:Smtp:Host"] = "127.0.0.1",
            ["ChatDesk:Smtp:Port"] = smtp.Port.ToString(),
            ["ChatDesk:Smtp:Security"] = "None",
            ["ChatDesk:Smtp:From"] = "chat@shop.example",
            ["ChatDesk:Outbox:PollMilliseconds"] = "50",
            ["ChatDesk:Outbox:BaseDelayMilliseconds"] = "50",
            ["ChatDesk:Outbox:MaxDelaySeconds"] = "1",
        },
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await smtp.DisposeAsync();
    }

    private async Task SetInboxAsync(string inbox)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var settings = await admin.GetFromJsonAsync<EmailSettingsDto>("/api/admin/email", SignalRDriver.Json);
        Assert.True(settings!.Configured);
        Assert.Equal("chat@shop.example", settings.From);
        var demo = settings.Sites.Single(s => s.Key == "demo");
        var bad = await admin.PutAsJsonAsync("/api/admin/email/sites/demo", new SiteInboxRequest("not an address", demo.Version));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var response = await admin.PutAsJsonAsync("/api/admin/email/sites/demo", new SiteInboxRequest(inbox, demo.Version));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static MimeMessage Parse(TestSmtpServer.Message message) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(message.Data)));

    [Fact]
    public async Task An_offline_message_is_emailed_to_the_sites_inbox_with_the_visitor_as_reply_to_and_its_text_is_then_dropped()
    {
        await SetInboxAsync("support@shop.example");
        await StartVisitorChatAsync("visitor"); // nobody online: missed at once
        await Driver.InvokeAsync<OfflineMessageCreated>("visitor", "LeaveOfflineMessage",
            new LeaveOfflineMessageRequest("Vera", "vera@example.com", "Please call me back about invoice 42.\n.\nThanks"));

        var received = Assert.Single(await smtp.WaitForAsync(1));
        Assert.Equal("chat@shop.example", received.From);
        Assert.Equal(["support@shop.example"], received.To);
        var mail = Parse(received);
        Assert.Equal("[Demo Outdoor Shop] Offline message from Vera", mail.Subject);
        Assert.Equal("vera@example.com", mail.ReplyTo.Mailboxes.Single().Address);
        Assert.Contains("Please call me back about invoice 42.\n.\nThanks", mail.TextBody!.Replace("\r\n", "\n"));
        Assert.Contains("Vera <vera@example.com>", mail.TextBody!);

        var row = await WaitForRowAsync(r => r.Status == OutboxStatus.Delivered);
        Assert.Equal((OutboxChannels.Email, EmailKinds.OfflineMessage, 1, ""), (row.Channel, row.Kind, row.Attempts, row.Payload));
        Assert.Equal($"{row.Id:N}@chatdesk", mail.MessageId);
    }

    [Fact]
    public async Task A_visitor_gets_their_transcript_by_email_and_a_server_answering_451_first_is_retried_until_it_accepts()
    {
        smtp.RefuseFirstTransactions = 2;
        Assert.True((await TestApi.CreateVisitorAsync(Host)).Site.EmailTranscript); // the widget offers it
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor");
        await Driver.InvokeAsync("visitor", "SendMessage", TestApi.Message("My order #1234 has not arrived."));

        await Driver.InvokeAsync("visitor", "EmailTranscript", new EmailTranscriptRequest("vera@example.com"));

        var received = Assert.Single(await smtp.WaitForAsync(1));
        Assert.Equal(3, smtp.Transactions);
        Assert.Equal(["vera@example.com"], received.To);
        var mail = Parse(received);
        Assert.Equal("Your conversation with Demo Outdoor Shop", mail.Subject);
        Assert.Contains("Vera Visitor: My order #1234 has not arrived.", mail.TextBody);
        var row = await WaitForRowAsync(r => r.Status == OutboxStatus.Delivered);
        Assert.Equal((EmailKinds.Transcript, 3), (row.Kind, row.Attempts));
        await Task.Delay(300);
        Assert.Single(smtp.Messages);
        var emailed = await Host.WithDbAsync(db => db.Events.Where(e => e.ConversationId == chat.ConversationId && e.Type == EventTypes.TranscriptEmailed).ToListAsync());
        Assert.DoesNotContain("vera@example.com", Assert.Single(emailed).Data);

        Assert.Contains("valid email", await Driver.InvokeExpectingErrorAsync("visitor", "EmailTranscript", new EmailTranscriptRequest("nope")));
    }

    [Fact]
    public async Task Transcript_requests_are_rate_limited_per_visitor_and_refused_ones_queue_nothing()
    {
        await StartVisitorChatAsync("visitor");
        var results = new List<string?>();
        for (var i = 0; i < 6; i++)
        {
            try
            {
                await Driver.InvokeAsync("visitor", "EmailTranscript", new EmailTranscriptRequest($"vera{i}@example.com"));
                results.Add(null);
            }
            catch (HubCallException e)
            {
                results.Add(e.Message);
            }
        }
        Assert.Equal(3, results.Count(r => r is null)); // TranscriptEmailsPerVisitor: a burst of 3
        Assert.All(results.OfType<string>(), r => Assert.Contains(ChatDesk.Server.RateLimits.RateLimitTexts.Message("en", 1)[..20], r));
        Assert.Equal(3, await Host.WithDbAsync(db => db.Outbox.CountAsync(o => o.Kind == EmailKinds.Transcript)));
    }

    private async Task<OutboxItem> WaitForRowAsync(Func<OutboxItem, bool> done)
    {
        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var row = await Host.WithDbAsync(db => db.Outbox.AsNoTracking().SingleOrDefaultAsync());
            if (row is not null && done(row))
                return row;
            if (DateTimeOffset.UtcNow > deadline)
                throw new TimeoutException($"The e-mail row is {row?.Status} ({row?.LastError}).");
            await Task.Delay(50);
        }
    }
}

/// <summary>With no SMTP configured the console says so and nothing fails or is queued.</summary>
public sealed class EmailNotConfiguredTests : ChatTestBase
{
    [Fact]
    public async Task Without_SMTP_offline_messages_still_work_nothing_is_queued_and_the_transcript_by_email_is_refused_clearly()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        var settings = await admin.GetFromJsonAsync<EmailSettingsDto>("/api/admin/email", SignalRDriver.Json);
        Assert.False(settings!.Configured);
        Assert.False((await TestApi.CreateVisitorAsync(Host)).Site.EmailTranscript); // the widget does not offer it
        var demo = settings.Sites.Single(s => s.Key == "demo");
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsJsonAsync("/api/admin/email/sites/demo", new SiteInboxRequest("support@shop.example", demo.Version))).StatusCode);

        await StartVisitorChatAsync("visitor");
        await Driver.InvokeAsync<OfflineMessageCreated>("visitor", "LeaveOfflineMessage", new LeaveOfflineMessageRequest("Vera", "vera@example.com", "Hello"));
        Assert.Contains("not available", await Driver.InvokeExpectingErrorAsync("visitor", "EmailTranscript", new EmailTranscriptRequest("vera@example.com")));
        Assert.Equal(0, await Host.WithDbAsync(db => db.Outbox.CountAsync()));
        Assert.Equal(1, await Host.WithDbAsync(db => db.OfflineMessages.CountAsync()));
    }
}
