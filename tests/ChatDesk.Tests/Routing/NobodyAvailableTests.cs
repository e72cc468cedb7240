using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Routing;

public sealed class NobodyAvailableTests : ChatTestBase
{
    [Fact]
    public async Task With_nobody_online_for_the_skill_the_chat_is_missed_at_once_and_the_visitor_can_leave_a_message()
    {
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword); // online, but no billing skill
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");

        Assert.Equal((ConversationStatus.Ended, AuthorKind.System, EndedReasons.NoOperator), (chat.Status, chat.EndedBy, chat.EndedReason));
        var ended = (await EventsOfAsync(chat.ConversationId)).Last();
        Assert.Equal(EventTypes.ChatEnded, ended.Type);
        Assert.Equal("system", JsonDocument.Parse(ended.Data).RootElement.GetProperty("endedBy").GetString());

        var created = await Driver.InvokeAsync<OfflineMessageCreated>("visitor", "LeaveOfflineMessage",
            new LeaveOfflineMessageRequest("Vera", "vera@example.com", "Please call me back about invoice 42."));

        var pushed = (await Driver.WaitForEventsAsync("bob", "OfflineMessageReceived"))[0].Args[0].Deserialize<OfflineMessageDto>(SignalRDriver.Json)!;
        Assert.Equal((created.Id, "vera@example.com", "billing", false), (pushed.Id, pushed.Email, pushed.Topic, pushed.Handled));
        var listed = Assert.Single(await Driver.InvokeAsync<List<OfflineMessageDto>>("bob", "GetOfflineMessages"));
        Assert.Equal(("Please call me back about invoice 42.", chat.ConversationId), (listed.Text, listed.ConversationId));
        Assert.Equal(EventTypes.OfflineMessageLeft, (await EventsOfAsync(chat.ConversationId)).Last().Type);

        await Driver.InvokeAsync("bob", "MarkOfflineMessageHandled", created.Id);
        Assert.True(Assert.Single(await Driver.InvokeAsync<List<OfflineMessageDto>>("bob", "GetOfflineMessages")).Handled);
        Assert.Contains("Unknown offline message.", await Driver.InvokeExpectingErrorAsync("bob", "MarkOfflineMessageHandled", Guid.NewGuid()));
    }

    [Fact]
    public async Task A_bad_offline_message_is_refused_and_nothing_is_stored()
    {
        await StartVisitorChatAsync("visitor", topic: "sales");
        Assert.Contains("valid email", await Driver.InvokeExpectingErrorAsync("visitor", "LeaveOfflineMessage", new LeaveOfflineMessageRequest("Vera", "nope", "Hi")));
        Assert.Contains("valid email", await Driver.InvokeExpectingErrorAsync("visitor", "LeaveOfflineMessage", new LeaveOfflineMessageRequest("Vera", null, "Hi")));
        Assert.Contains("cannot be empty", await Driver.InvokeExpectingErrorAsync("visitor", "LeaveOfflineMessage", new LeaveOfflineMessageRequest("Vera", "v@example.com", "  ")));
        Assert.Contains("at most 4000", await Driver.InvokeExpectingErrorAsync("visitor", "LeaveOfflineMessage", new LeaveOfflineMessageRequest("Vera", "v@example.com", new string('x', 4001))));
        Assert.Contains("enter your name", await Driver.InvokeExpectingErrorAsync("visitor", "LeaveOfflineMessage", new LeaveOfflineMessageRequest("", "v@example.com", "Hi")));
        Assert.Equal(0, await CountAsync(db => db.OfflineMessages.CountAsync()));
    }
}
