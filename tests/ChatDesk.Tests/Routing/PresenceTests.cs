using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Routing;

/// <summary>The disconnect grace period, driven by the manual clock (no sleeping for it).</summary>
public sealed class PresenceTests : ChatTestBase
{
    private Task SweepAsync() => Host.WithServiceAsync<RoutingService, bool>(async r => { await r.SweepAsync(); return true; });

    private async Task WaitUntilDisconnectedAsync(string email)
    {
        for (var i = 0; i < 200; i++)
        {
            if (await Host.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == email && u.DisconnectedAt != null)))
                return;
            await Task.Delay(25);
        }
        throw new TimeoutException($"{email} never counted as disconnected.");
    }

    private Task<string?> OwnerAsync(Guid conversationId) =>
        Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversationId).Select(c => c.OperatorId).SingleAsync());

    private Task<string> IdOfAsync(string email) => Host.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());

    [Fact]
    public async Task An_operator_who_drops_keeps_their_chats_for_the_grace_period_then_the_chats_go_to_another_operator()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        await OperatorOnlineAsync("chloe", TestApi.ChloeEmail, TestApi.ChloePassword);
        var alice = await IdOfAsync(TestApi.AliceEmail);

        await Driver.StopAsync("alice");
        await WaitUntilDisconnectedAsync(TestApi.AliceEmail);
        Host.Clock.Advance(TimeSpan.FromSeconds(59));
        await SweepAsync();
        Assert.Equal(alice, await OwnerAsync(chat.ConversationId));

        Host.Clock.Advance(TimeSpan.FromSeconds(2));
        await SweepAsync();

        Assert.Equal(await IdOfAsync(TestApi.ChloeEmail), await OwnerAsync(chat.ConversationId));
        Assert.Equal(OperatorStatus.Offline, await Host.WithDbAsync(db => db.Users.Where(u => u.Id == alice).Select(u => u.Status).SingleAsync()));
        var assigned = await Driver.WaitForEventsAsync("visitor", "ChatAssigned", 2);
        Assert.Equal("Chloé", assigned[^1].Args[0]!["operatorName"]!.GetValue<string>());
        var notice = (await Driver.WaitForEventsAsync("visitor", "MessageReceived")).Select(MessageOf).Single();
        Assert.Equal(AuthorKind.System, notice.AuthorKind);

        var events = await EventsOfAsync(chat.ConversationId);
        Assert.Equal([EventTypes.ChatRequested, EventTypes.ChatAssigned, EventTypes.ChatTransferred, EventTypes.MessageSent, EventTypes.ChatAssigned],
            events.Select(e => e.Type));
        Assert.Equal("operator_disconnected", JsonDocument.Parse(events[2].Data).RootElement.GetProperty("reason").GetString());
        var offline = await Host.WithDbAsync(db => db.Events.Where(e => e.Type == EventTypes.OperatorStatusChanged && e.OperatorId == alice).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal("offline", JsonDocument.Parse(offline[^1].Data).RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_operator_who_comes_back_within_the_grace_period_keeps_their_chats_and_status()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        var alice = await IdOfAsync(TestApi.AliceEmail);
        var cookie = await TestApi.LoginAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);

        await Driver.StopAsync("alice");
        await WaitUntilDisconnectedAsync(TestApi.AliceEmail);
        Host.Clock.Advance(TimeSpan.FromSeconds(30));
        await Driver.ConnectOperatorAsync("alice-again", Host.BaseUrl, cookie);
        Host.Clock.Advance(TimeSpan.FromSeconds(120));
        await SweepAsync();

        Assert.Equal(alice, await OwnerAsync(chat.ConversationId));
        Assert.Equal(OperatorStatus.Online, await Host.WithDbAsync(db => db.Users.Where(u => u.Id == alice).Select(u => u.Status).SingleAsync()));
        var state = await Driver.InvokeAsync<OperatorState>("alice-again", "GetState");
        Assert.Contains(state.Chats, c => c.ConversationId == chat.ConversationId);
    }

    [Fact]
    public async Task An_operator_in_the_grace_period_gets_no_new_chats()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await Driver.StopAsync("alice");
        await WaitUntilDisconnectedAsync(TestApi.AliceEmail);

        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        Assert.Equal((ConversationStatus.Ended, EndedReasons.NoOperator), (chat.Status, chat.EndedReason));
    }

    [Fact]
    public async Task Signing_out_puts_the_operators_chats_back_in_the_queue()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        await Host.WithServiceAsync<PresenceService, bool>(async p => { await p.SetStatusAsync(await IdOfAsync(TestApi.AliceEmail), OperatorStatus.Offline); return true; });

        Assert.Null(await OwnerAsync(chat.ConversationId));
        Assert.Equal(ConversationStatus.Queued, await Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == chat.ConversationId).Select(c => c.Status).SingleAsync()));
    }
}
