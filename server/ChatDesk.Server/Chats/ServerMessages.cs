using ChatDesk.Server.Data;
using ChatDesk.Server.Events;

namespace ChatDesk.Server.Chats;

/// <summary>
/// Messages the server writes itself: <c>system</c> notices (an operator left, a chat was requeued)
/// and <c>automated</c> ones (queue notices). Neither ever counts as a first response.
/// Written inside the caller's transaction, on a conversation row the caller has locked.
/// </summary>
public static class ServerMessages
{
    private static readonly Dictionary<string, (string En, string Fr)> Texts = new()
    {
        ["queued.estimate"] = ("An operator will be with you in about {0} minutes.", "Un conseiller sera avec vous dans environ {0} minutes."),
        ["queued.unknown"] = ("All our operators are busy. An operator will be with you in a few minutes.", "Tous nos conseillers sont occupés. Un conseiller sera avec vous dans quelques minutes."),
        ["operator.joined"] = ("{0} joined the chat.", "{0} a rejoint la conversation."),
        ["operator.left"] = ("{0} left the chat.", "{0} a quitté la conversation."),
        ["transferred.operator"] = ("You are now chatting with {0}.", "Vous discutez maintenant avec {0}."),
        ["transferred.skill"] = ("We are connecting you to the right team. Please wait a moment.", "Nous vous mettons en relation avec la bonne équipe. Merci de patienter."),
        ["requeued.disconnected"] = ("Your operator was disconnected. We are connecting you to another operator.", "Votre conseiller a été déconnecté. Nous vous mettons en relation avec un autre conseiller."),
    };

    public static string Text(string key, string? language, params object[] arguments)
    {
        var (en, fr) = Texts[key];
        return string.Format(System.Globalization.CultureInfo.InvariantCulture, language == "fr" ? fr : en, arguments);
    }

    public static Message Add(ChatDeskDbContext db, EventLog events, TimeProvider clock, Conversation conversation, string authorKind, string text)
    {
        conversation.LastMessageSequence++;
        var message = new Message
        {
            ConversationId = conversation.Id,
            Sequence = conversation.LastMessageSequence,
            ClientMessageId = Guid.NewGuid(),
            AuthorKind = authorKind,
            Text = text,
            SentAt = clock.UtcNowForStorage(),
        };
        db.Messages.Add(message);
        events.Append(db, conversation, EventTypes.MessageSent, new
        {
            authorKind,
            operatorId = (string?)null,
            clientMessageId = message.ClientMessageId,
            messageSequence = message.Sequence,
            length = text.Length,
        });
        return message;
    }
}
