namespace ChatDesk.Server.Webhooks;

/// <summary>A site's order for signed HTTP POSTs of some event kinds to one URL.</summary>
public sealed class WebhookSubscription
{
    public Guid Id { get; set; }
    public Guid SiteId { get; set; }
    public required string Url { get; set; }

    /// <summary>Signs each request (HMAC-SHA256); shown to the admin when created or rotated.</summary>
    public required string Secret { get; set; }

    /// <summary>Public kinds (<see cref="WebhookKinds.All"/>).</summary>
    public List<string> EventKinds { get; set; } = [];

    public bool Enabled { get; set; } = true;
    public string Description { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Incremented by every admin change; an update naming an older version is refused.</summary>
    public int Version { get; set; } = 1;
}

/// <summary>
/// The event kinds a subscription may ask for: the stored event types, except <c>offline_message.left</c>, published
/// as <c>offline_message.created</c>, and <c>remote.*</c>, every remote-support event. The migration's trigger
/// (0018) applies the same mapping.
/// </summary>
public static class WebhookKinds
{
    public const string RemoteAll = "remote.*";

    public static readonly IReadOnlyList<string> All =
    [
        "chat.requested", "chat.assigned", "message.sent", "chat.transferred", "chat.ended", "survey.submitted",
        "offline_message.created", RemoteAll, "file.shared",
    ];
}

/// <summary>One message to send from the outbox: a webhook request or an e-mail. The id is the delivery's id.</summary>
public sealed class OutboxItem
{
    public Guid Id { get; set; }
    public required string Channel { get; set; }
    public required string Kind { get; set; }
    public Guid? SubscriptionId { get; set; }
    public Guid? SiteId { get; set; }
    public long? EventId { get; set; }

    /// <summary>An e-mail's conversation and visitor, whose personal data it carries (erasure finds it by them); webhook rows go by their event.</summary>
    public Guid? ConversationId { get; set; }
    public Guid? VisitorId { get; set; }
    public required string Payload { get; set; }
    public string Status { get; set; } = OutboxStatus.Pending;
    public int Attempts { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public int? LatencyMs { get; set; }
    public string? ClaimedBy { get; set; }
}

public static class OutboxChannels
{
    public const string Webhook = "webhook";
    public const string Email = "email";
}

public static class OutboxStatus
{
    public const string Pending = "pending";
    public const string Delivered = "delivered";
    public const string Failed = "failed";
}
