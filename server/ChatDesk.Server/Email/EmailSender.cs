using System.Net.Sockets;
using System.Text.Json;
using ChatDesk.Server.Webhooks;
using MailKit;
using MailKit.Net.Smtp;
using MimeKit;

namespace ChatDesk.Server.Email;

/// <summary>What an e-mail outbox row holds.</summary>
public sealed record EmailPayload(string To, string? ReplyTo, string Subject, string Text);

/// <summary>
/// Sends e-mail outbox rows through the configured SMTP server, one connection per try (the dispatcher's pipeline
/// retries). A 4xx reply (e.g. 451, greylisting), a dropped connection or a timeout is transient; a 5xx reply is not.
/// </summary>
public sealed class EmailSender(SmtpOptions smtp) : IOutboxSender
{
    public string Channel => OutboxChannels.Email;

    public string Endpoint(ClaimedItem item) => $"smtp://{smtp.Host}:{smtp.Port}";

    public async Task<AttemptResult> SendAsync(ClaimedItem item, int attempt, CancellationToken cancellationToken)
    {
        if (!smtp.Configured)
            return AttemptResult.Permanent(null, "SMTP is not configured on this server (ChatDesk:Smtp:Host).");
        var payload = JsonSerializer.Deserialize<EmailPayload>(item.Payload, JsonSerializerOptions.Web)!;
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(smtp.FromName, smtp.From));
        message.To.Add(MailboxAddress.Parse(payload.To));
        if (payload.ReplyTo is { Length: > 0 } replyTo)
            message.ReplyTo.Add(MailboxAddress.Parse(replyTo));
        message.Subject = payload.Subject;
        // The outbox id: the same on every try, so a receiving system can tell a resend.
        message.MessageId = $"{item.Id:N}@chatdesk";
        message.Body = new TextPart("plain") { Text = payload.Text };
        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(smtp.Host!, smtp.Port, smtp.Security, cancellationToken);
            if (!string.IsNullOrEmpty(smtp.Username))
                await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", cancellationToken);
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            return AttemptResult.Success(250);
        }
        catch (SmtpCommandException e)
        {
            var code = (int)e.StatusCode;
            var error = $"SMTP {code}: {e.Message}";
            return code is >= 400 and < 500 ? AttemptResult.Transient(code, error) : AttemptResult.Permanent(code, error);
        }
        catch (Exception e) when (e is SmtpProtocolException or IOException or SocketException or ServiceNotConnectedException)
        {
            return AttemptResult.Transient(null, $"SMTP: {e.Message}");
        }
        catch (Exception e) when (e is MailKit.Security.AuthenticationException or MailKit.Security.SslHandshakeException or ServiceNotAuthenticatedException)
        {
            return AttemptResult.Permanent(null, $"SMTP: {e.Message}");
        }
    }
}
