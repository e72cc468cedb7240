using ChatDesk.Server.Chats;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Chats;

/// <summary>Each bad input gets a clear error, stores nothing, and leaves the connection usable.</summary>
public sealed class BadInputTests : ChatTestBase
{
    private Guid conversationId;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        conversationId = (await StartVisitorChatAsync("visitor")).Conversation.ConversationId;
    }

    public static TheoryData<string?, string?, string> BadMessages => new()
    {
        { Guid.NewGuid().ToString(), "", "A message cannot be empty." },
        { Guid.NewGuid().ToString(), "   \n\t ", "A message cannot be empty." },
        { Guid.NewGuid().ToString(), null, "A message cannot be empty." },
        { Guid.NewGuid().ToString(), new string('x', ChatRules.MaxMessageLength + 1), "A message can be at most 4000 characters." },
        { "not-a-uuid", "Hello", "clientMessageId must be a UUID." },
        { null, "Hello", "clientMessageId must be a UUID." },
    };

    [Theory]
    [MemberData(nameof(BadMessages))]
    public async Task A_bad_message_from_either_side_is_refused_with_a_clear_error_and_nothing_is_stored(string? clientMessageId, string? text, string expected)
    {
        var visitorError = await Driver.InvokeExpectingErrorAsync("visitor", "SendMessage", new SendMessageRequest(clientMessageId, text));
        var operatorError = await Driver.InvokeExpectingErrorAsync("alice", "SendMessage", conversationId, new SendMessageRequest(clientMessageId, text));

        Assert.Contains(expected, visitorError);
        Assert.Contains(expected, operatorError);
        await AssertNothingStoredAndStillUsableAsync();
    }

    [Fact]
    public async Task A_message_of_exactly_the_limit_is_accepted()
    {
        var message = await Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message(new string('y', ChatRules.MaxMessageLength)));
        Assert.Equal(ChatRules.MaxMessageLength, message.Text.Length);
    }

    [Fact]
    public async Task Unknown_or_someone_elses_conversation_ids_are_refused_for_every_operator_method()
    {
        await OperatorOnlineAsync("bob", TestApi.BobEmail, TestApi.BobPassword);
        foreach (var (connection, id) in new[] { ("alice", Guid.NewGuid()), ("bob", conversationId) })
        {
            Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync(connection, "SendMessage", id, TestApi.Message("Hi")));
            Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync(connection, "GetChat", id));
            Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync(connection, "GetMessagesAfter", id, 0));
            Assert.Contains("Unknown conversation.", await Driver.InvokeExpectingErrorAsync(connection, "EndChat", id));
        }
        var chat = await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", conversationId);
        Assert.Equal(ConversationStatus.Assigned, chat.Status);
        await AssertNothingStoredAndStillUsableAsync();
    }

    [Fact]
    public async Task Malformed_hub_arguments_are_refused_and_the_connection_stays_usable()
    {
        const string bindingError = "Make sure that the types of the provided values match the types of the hub method";
        Assert.Contains(bindingError, await Driver.InvokeExpectingErrorAsync("visitor", "SendMessage", 42));
        Assert.Contains(bindingError, await Driver.InvokeExpectingErrorAsync("visitor", "GetMessagesAfter", "abc"));
        Assert.Contains("Invocation provides 0 argument(s) but target expects 1", await Driver.InvokeExpectingErrorAsync("visitor", "SendMessage"));
        Assert.Contains("Method does not exist.", await Driver.InvokeExpectingErrorAsync("visitor", "NoSuchMethod"));
        Assert.Contains(bindingError, await Driver.InvokeExpectingErrorAsync("alice", "SendMessage", "not-a-guid", TestApi.Message("Hi")));
        Assert.Contains(bindingError, await Driver.InvokeExpectingErrorAsync("alice", "EndChat", new { id = 1 }));
        Assert.Contains("Status must be online or away.", await Driver.InvokeExpectingErrorAsync("alice", "SetStatus", "busy"));
        Assert.Contains("A request is required.", await Driver.InvokeExpectingErrorAsync("visitor", "StartChat", new object?[] { null }));
        await AssertNothingStoredAndStillUsableAsync();
    }

    [Fact]
    public async Task An_ended_chat_takes_no_more_messages_and_cannot_be_ended_twice()
    {
        await Driver.InvokeAsync("visitor", "EndChat");
        Assert.Contains("There is no open chat", await Driver.InvokeExpectingErrorAsync("visitor", "SendMessage", TestApi.Message("Still there?")));
        Assert.Contains("This chat has ended.", await Driver.InvokeExpectingErrorAsync("alice", "SendMessage", conversationId, TestApi.Message("Hello?")));
        Assert.Contains("already ended", await Driver.InvokeExpectingErrorAsync("alice", "EndChat", conversationId));
        Assert.Contains("There is no open chat to end.", await Driver.InvokeExpectingErrorAsync("visitor", "EndChat"));
        Assert.Equal(0, await CountAsync(db => db.Messages.CountAsync()));
    }

    [Fact]
    public async Task A_bad_pre_chat_form_is_refused_and_opens_no_conversation()
    {
        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("newcomer", Host.BaseUrl, session.VisitorToken);
        var before = await CountAsync(db => db.Conversations.CountAsync());

        Assert.Contains("Please enter your name.", await Driver.InvokeExpectingErrorAsync("newcomer", "StartChat", TestApi.ChatRequest(name: "  ")));
        Assert.Contains("at most 100", await Driver.InvokeExpectingErrorAsync("newcomer", "StartChat", TestApi.ChatRequest(name: new string('n', 101))));
        Assert.Contains("listed topics", await Driver.InvokeExpectingErrorAsync("newcomer", "StartChat", TestApi.ChatRequest(topic: "astrology")));
        Assert.Contains("email address", await Driver.InvokeExpectingErrorAsync("newcomer", "StartChat", TestApi.ChatRequest() with { Email = "not an email" }));
        Assert.Contains("valid http(s) URL", await Driver.InvokeExpectingErrorAsync("newcomer", "StartChat", TestApi.ChatRequest() with { PageUrl = "javascript:alert(1)" }));

        Assert.Equal(before, await CountAsync(db => db.Conversations.CountAsync()));
        var started = await Driver.InvokeAsync<ConversationView>("newcomer", "StartChat", TestApi.ChatRequest());
        Assert.NotEqual(Guid.Empty, started.ConversationId);
    }

    private async Task AssertNothingStoredAndStillUsableAsync()
    {
        Assert.Equal(0, await CountAsync(db => db.Messages.CountAsync()));
        Assert.Equal(0, await CountAsync(db => db.Events.CountAsync(e => e.Type == "message.sent")));
        var fromVisitor = await Driver.InvokeAsync<MessageDto>("visitor", "SendMessage", TestApi.Message("still works"));
        var fromOperator = await Driver.InvokeAsync<MessageDto>("alice", "SendMessage", conversationId, TestApi.Message("here too"));
        Assert.Equal([1, 2], new[] { fromVisitor.Sequence, fromOperator.Sequence });
    }
}
