using StackExchange.Redis;

namespace ChatDesk.Server.Chats;

/// <summary>
/// ChatDesk's own messages between nodes over Redis, beside the SignalR backplane's: the backplane carries
/// hub calls to whichever node holds a connection, but closing a connection is something each node does to
/// its own, so "end this user's sessions" is published for every node to act on.
/// </summary>
public sealed class RedisSignals(IConnectionMultiplexer redis)
{
    private static readonly RedisChannel EndSessionsChannel = RedisChannel.Literal("chatdesk:end-sessions");

    public IConnectionMultiplexer Connection => redis;

    public Task EndSessionsAsync(string userId) => redis.GetSubscriber().PublishAsync(EndSessionsChannel, userId);

    public async Task OnEndSessionsAsync(Action<string> endLocalSessions) =>
        (await redis.GetSubscriber().SubscribeAsync(EndSessionsChannel)).OnMessage(message => endLocalSessions(message.Message.ToString()));
}
