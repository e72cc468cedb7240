using MailKit.Security;

namespace ChatDesk.Server.Email;

/// <summary>The SMTP server ChatDesk sends e-mail through (<c>ChatDesk:Smtp:*</c>). No host: e-mail is off and nothing is queued.</summary>
public sealed record SmtpOptions
{
    public string? Host { get; init; }
    public int Port { get; init; } = 587;

    /// <summary>None, Auto, StartTls, StartTlsWhenAvailable or SslOnConnect.</summary>
    public SecureSocketOptions Security { get; init; } = SecureSocketOptions.Auto;
    public string? Username { get; init; }
    public string? Password { get; init; }
    public string From { get; init; } = "chatdesk@localhost";
    public string FromName { get; init; } = "ChatDesk";

    public bool Configured => !string.IsNullOrWhiteSpace(Host);

    public static SmtpOptions Load(IConfiguration configuration) =>
        configuration.GetSection("ChatDesk:Smtp").Get<SmtpOptions>() ?? new SmtpOptions();
}
