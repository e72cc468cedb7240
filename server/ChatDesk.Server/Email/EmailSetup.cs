using ChatDesk.Server.Webhooks;

namespace ChatDesk.Server.Email;

public static class EmailSetup
{
    /// <summary>SMTP e-mail sent from the outbox (offline messages to the site's inbox, transcripts to visitors).</summary>
    public static IServiceCollection AddEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(SmtpOptions.Load(configuration));
        services.AddSingleton<EmailOutbox>();
        services.AddSingleton<IOutboxSender, EmailSender>();
        services.AddScoped<TranscriptMailer>();
        return services;
    }

    public static IEndpointRouteBuilder MapEmail(this IEndpointRouteBuilder app) => app.MapEmailAdmin();
}
