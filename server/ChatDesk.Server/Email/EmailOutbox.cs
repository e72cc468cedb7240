using System.Text.Json;
using ChatDesk.Server.Data;
using ChatDesk.Server.Webhooks;

namespace ChatDesk.Server.Email;

public static class EmailKinds
{
    public const string OfflineMessage = "offline_message";
    public const string Transcript = "transcript";
}

/// <summary>
/// Queues an e-mail in the caller's unit of work: it is sent by the outbox dispatcher (same Polly policy as webhooks)
/// once the transaction commits, and never for a rolled-back one. With no SMTP configured nothing is queued.
/// </summary>
public sealed class EmailOutbox(SmtpOptions smtp, TimeProvider clock)
{
    public bool Enabled => smtp.Configured;

    /// <param name="conversationId">With <paramref name="visitorId"/>: whose data the e-mail carries, for erasure.</param>
    public void Queue(ChatDeskDbContext db, Guid siteId, Guid? conversationId, Guid visitorId, string kind, EmailPayload payload)
    {
        if (!Enabled)
            return;
        var now = clock.UtcNowForStorage();
        db.Outbox.Add(new OutboxItem
        {
            Id = Guid.CreateVersion7(now), Channel = OutboxChannels.Email, Kind = kind, SiteId = siteId,
            ConversationId = conversationId, VisitorId = visitorId,
            Payload = JsonSerializer.Serialize(payload, JsonSerializerOptions.Web), CreatedAt = now, NextAttemptAt = now,
        });
    }
}

/// <summary>The e-mails' texts, in English or French (plain text: nothing of the visitor's is interpreted).</summary>
public static class EmailTexts
{
    /// <summary>A transcript longer than this is cut (the widget's download has it whole).</summary>
    public const int MaxTranscriptChars = 200_000;

    public static EmailPayload OfflineMessage(string language, string inbox, string siteName, Chats.OfflineMessage message) => language == "fr"
        ? new(inbox, message.Email, $"[{siteName}] Message hors ligne de {message.Name}",
            $"{message.Name} <{message.Email}> a laissé un message sur {siteName}{Topic(message, "sujet")} :\n\n{message.Text}\n\nRépondez à cet e-mail pour lui écrire.\n")
        : new(inbox, message.Email, $"[{siteName}] Offline message from {message.Name}",
            $"{message.Name} <{message.Email}> left a message on {siteName}{Topic(message, "topic")}:\n\n{message.Text}\n\nReply to this e-mail to answer them.\n");

    public static EmailPayload Transcript(string language, string to, string siteName, string transcript)
    {
        var text = transcript.Length > MaxTranscriptChars ? transcript[..MaxTranscriptChars] + "\n[…]\n" : transcript;
        return language == "fr"
            ? new(to, null, $"Votre conversation avec {siteName}", $"Voici la transcription de votre conversation, comme demandé.\n\n{text}")
            : new(to, null, $"Your conversation with {siteName}", $"Here is the transcript of your conversation, as you asked.\n\n{text}");
    }

    private static string Topic(Chats.OfflineMessage message, string word) => message.TopicKey is { } topic ? $" ({word}: {topic})" : "";
}
