using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Routing;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Routing;

/// <summary>Offer mode and the ring timeout, driven by the manual clock.</summary>
public sealed class OfferTests : ChatTestBase
{
    private static readonly object OfferModeSettings = new
    {
        offerMode = true, ringTimeoutSeconds = 30, routeByLanguage = false, businessHours = (object?)null,
        pageRules = Array.Empty<object>(), topicPriorities = new Dictionary<string, int>(),
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        using var admin = await TestApi.AdminClientAsync(Host);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync("/api/admin/sites/demo/routing", OfferModeSettings)).StatusCode);
    }

    private Task SweepAsync() => Host.WithServiceAsync<RoutingService, bool>(async r => { await r.SweepAsync(); return true; });

    private static Guid OfferedId(SignalRDriver.DriverEvent e) => e.Args[0]!["conversationId"]!.GetValue<Guid>();

    [Fact]
    public async Task An_offered_chat_is_the_operators_once_accepted()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor");
        Assert.Equal(ConversationStatus.Offered, chat.Status);

        var offer = (await Driver.WaitForEventsAsync("alice", "ChatOffered"))[0];
        Assert.Equal(chat.ConversationId, OfferedId(offer));
        Assert.Single((await Driver.InvokeAsync<OperatorState>("alice", "GetState")).Offers);
        await Driver.InvokeAsync("alice", "AcceptOffer", chat.ConversationId);

        Assert.Equal("Alice", (await Driver.WaitForEventsAsync("visitor", "ChatAssigned"))[0].Args[0]!["operatorName"]!.GetValue<string>());
        var events = await EventsOfAsync(chat.ConversationId);
        Assert.Equal([EventTypes.ChatRequested, EventTypes.ChatOffered, EventTypes.ChatAssigned], events.Select(e => e.Type));
        Assert.Equal("offer", JsonDocument.Parse(events[2].Data).RootElement.GetProperty("how").GetString());
    }

    [Fact]
    public async Task A_declined_or_unanswered_offer_goes_to_the_next_operator_after_the_ring_timeout()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword); // billing 5: offered first
        await OperatorOnlineAsync("chloe", TestApi.ChloeEmail, TestApi.ChloePassword); // billing 3
        var (_, chat) = await StartVisitorChatAsync("visitor");
        await Driver.WaitForEventsAsync("alice", "ChatOffered");

        await Driver.InvokeAsync("alice", "DeclineOffer", chat.ConversationId);
        Assert.Equal(chat.ConversationId, OfferedId((await Driver.WaitForEventsAsync("chloe", "ChatOffered"))[0]));

        Host.Clock.Advance(TimeSpan.FromSeconds(29));
        await SweepAsync();
        Assert.Equal(ConversationStatus.Offered, await StatusAsync(chat.ConversationId));
        Host.Clock.Advance(TimeSpan.FromSeconds(1));
        await SweepAsync();

        Assert.Equal(ConversationStatus.Queued, await StatusAsync(chat.ConversationId));
        await Driver.WaitForEventsAsync("chloe", "OfferWithdrawn");
        Assert.Contains("expired or is not yours", await Driver.InvokeExpectingErrorAsync("chloe", "AcceptOffer", chat.ConversationId));
        Assert.Single(Driver.Events("alice", "ChatOffered")); // who refused is not asked again
        var events = await EventsOfAsync(chat.ConversationId);
        Assert.Equal(
            [EventTypes.ChatRequested, EventTypes.ChatOffered, EventTypes.ChatOfferDeclined, EventTypes.ChatOffered, EventTypes.ChatOfferTimedOut],
            events.Select(e => e.Type));
        // Back in the queue, the visitor sees their place again.
        Assert.Equal(1, (await Driver.WaitForEventsAsync("visitor", "QueueUpdated"))[^1].Args[0]!["position"]!.GetValue<int>());
    }

    [Fact]
    public async Task Only_the_offered_operator_may_answer_an_offer()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword);
        var (_, chat) = await StartVisitorChatAsync("visitor");
        await Driver.WaitForEventsAsync("alice", "ChatOffered");

        Assert.Contains("expired or is not yours", await Driver.InvokeExpectingErrorAsync("bob", "AcceptOffer", chat.ConversationId));
        Assert.Contains("expired or is not yours", await Driver.InvokeExpectingErrorAsync("bob", "DeclineOffer", chat.ConversationId));
        Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync("alice", "AcceptOffer", Guid.NewGuid()));
        Assert.Equal(ConversationStatus.Offered, await StatusAsync(chat.ConversationId));
    }

    [Fact]
    public async Task An_offer_holds_a_slot_so_an_operator_is_never_offered_more_than_their_capacity()
    {
        await Host.WithDbAsync(db => db.Users.Where(u => u.Email == TestApi.AliceEmail).ExecuteUpdateAsync(u => u.SetProperty(x => x.MaxConcurrentChats, 1)));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        await StartVisitorChatAsync("first");
        var (_, second) = await StartVisitorChatAsync("second");

        Assert.Equal(ConversationStatus.Queued, second.Status);
        Assert.Single(Driver.Events("alice", "ChatOffered"));
    }

    private Task<string> StatusAsync(Guid id) => Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == id).Select(c => c.Status).SingleAsync());
}
