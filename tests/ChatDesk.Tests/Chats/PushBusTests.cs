using System.Text;
using System.Text.Json;
using ChatDesk.Server.Chats;

namespace ChatDesk.Tests.Chats;

public sealed class PushBusTests
{
    private static MessageDto Message(string text, int sequence = 1) =>
        new(Guid.NewGuid(), sequence, Guid.NewGuid(), AuthorKind.Visitor, "Vera", text, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Small_pushes_travel_together_in_one_notification_in_order()
    {
        var pushes = Enumerable.Range(1, 5).Select(i => Push.ToOperator("op", "MessageReceived", Message($"m{i}", i))).ToList();
        var payload = Assert.Single(PushBus.Payloads(pushes));
        var decoded = JsonSerializer.Deserialize<List<Push>>(payload, PushBus.Json)!;
        Assert.Equal([1, 2, 3, 4, 5], decoded.Select(p => p.Argument!.Value.GetProperty("sequence").GetInt32()));
    }

    [Fact]
    public void Every_notification_fits_postgres_payload_limit_and_nothing_is_dropped()
    {
        var pushes = Enumerable.Range(1, 40).Select(i => Push.ToVisitor(Guid.NewGuid(), "MessageReceived", Message(new string('é', 1000), i))).ToList();
        var payloads = PushBus.Payloads(pushes).ToList();
        Assert.True(payloads.Count > 1);
        Assert.All(payloads, p => Assert.True(Encoding.UTF8.GetByteCount(p) < 8000));
        Assert.Equal(40, payloads.Sum(p => JsonSerializer.Deserialize<List<Push>>(p, PushBus.Json)!.Count));
    }

    [Fact]
    public void A_message_too_large_to_travel_inline_travels_as_a_reference()
    {
        var message = Message(new string('€', ChatRules.MaxMessageLength));
        var push = Push.ToVisitor(Guid.NewGuid(), "MessageReceived", message, new MessageReference(message.ConversationId, 1));
        var decoded = Assert.Single(JsonSerializer.Deserialize<List<Push>>(Assert.Single(PushBus.Payloads([push])), PushBus.Json)!);
        Assert.Null(decoded.Argument);
        Assert.Equal(new MessageReference(message.ConversationId, 1), decoded.Reference);
    }
}
