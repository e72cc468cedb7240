using ChatDesk.Server.Admin;
using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.CannedResponses;
using ChatDesk.Server.Chats;
using ChatDesk.Server.ConversationApi;
using ChatDesk.Server.Data;
using ChatDesk.Server.Email;
using ChatDesk.Server.Files;
using ChatDesk.Server.Identity;
using ChatDesk.Server.Kpis;
using ChatDesk.Server.Observability;
using ChatDesk.Server.Privacy;
using ChatDesk.Server.RateLimits;
using ChatDesk.Server.RemoteSupport;
using ChatDesk.Server.Routing;
using ChatDesk.Server.Surveys;
using ChatDesk.Server.Webhooks;
using ChatDesk.Server.Widget;

namespace ChatDesk.Server;

/// <summary>The one place that composes ChatDesk; Program.cs and the test host both use it.</summary>
public static class ChatDeskApp
{
    public static WebApplicationBuilder AddChatDesk(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.AddChatDeskData(builder.Configuration);
        builder.Services.AddChatDeskIdentity();
        builder.Services.AddApiTokens();
        builder.Services.AddSecureCookies(builder.Configuration);
        builder.Services.AddRateLimits(builder.Configuration);
        builder.Services.AddChats(builder.Configuration);
        builder.Services.AddChatRouting();
        builder.Services.AddCannedResponses();
        builder.Services.AddSurveys();
        builder.Services.AddKpis();
        builder.Services.AddFiles(builder.Configuration);
        builder.Services.AddRemote(builder.Configuration);
        builder.Services.AddPrivacy();
        builder.AddObservability();
        builder.Services.AddWebhooks(builder.Configuration);
        builder.Services.AddEmail(builder.Configuration);
        return builder;
    }

    public static WebApplication UseChatDesk(this WebApplication app)
    {
        app.UseChatDeskForwardedHeaders(app.Configuration);
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseWidgetFramePolicy();
        app.UseStaticFiles();
        app.UseHubOriginCheck();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter(); // after authentication: uploads are limited per visitor or operator
        app.UseObservability();

        app.MapAuth();
        app.MapAccount();
        app.MapPeople();
        app.MapApiTokens();
        app.MapWidget();
        app.MapSiteAdmin();
        app.MapChats();
        app.MapConversationApi();
        app.MapRoutingAdmin();
        app.MapOnboarding();
        app.MapAudit();
        app.MapPrivacy();
        app.MapCannedResponses();
        app.MapKpis();
        app.MapFiles();
        app.MapWebhooks();
        app.MapEmail();
        app.MapGet("/", () => Results.Redirect("/console/"));
        app.MapFallbackToFile("/console/{*path:nonfile}", "console/index.html");
        app.MapHealth();
        app.MapOpenApi(); // the REST API, documented at /openapi/v1.json
        return app;
    }

    public static async Task InitializeChatDeskAsync(this WebApplication app)
    {
        await app.Services.InitializeChatDeskDataAsync();
        if (app.Configuration.GetValue("ChatDesk:Demo:Enabled", false))
            app.Lifetime.ApplicationStarted.Register(() => PrintDemoBanner(app));
    }

    private static void PrintDemoBanner(WebApplication app)
    {
        var publicUrl = (app.Configuration["ChatDesk:PublicUrl"] ?? app.Urls.FirstOrDefault() ?? "").TrimEnd('/');
        var demoSite = app.Configuration["ChatDesk:Demo:SiteOrigins"]?.Split(',')[0].Trim() ?? publicUrl;
        Console.WriteLine();
        Console.WriteLine("ChatDesk is running (demo mode).");
        Console.WriteLine($"  Demo customer website (widget embedded): {demoSite}/demo/");
        Console.WriteLine($"  Operator console:                        {publicUrl}/console/");
        Console.WriteLine("  Demo accounts (email / password / roles):");
        foreach (var account in IdentitySeeder.DemoAccounts)
            Console.WriteLine($"    {account.Email,-26} {account.Password,-20} {string.Join(", ", account.Roles)}");
        Console.WriteLine();
    }
}
