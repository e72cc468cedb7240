using System.Net;
using ChatDesk.Server.Data;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Widget;

public sealed record WidgetSessionRequest(string? SiteKey, string? HostOrigin, string? VisitorToken, string? Language);

public sealed record TopicDto(string Key, string Label);

/// <param name="Files">What the chat accepts, so the widget can refuse a file before sending it.</param>
/// <param name="Closed">An admin disabled the site: the widget says the chat is closed.</param>
/// <param name="Languages">The languages the widget offers, the default first.</param>
public sealed record SiteDto(
    string Key, string Name, IReadOnlyList<TopicDto> Topics, bool TypingPreview, Files.FileRulesDto Files, bool Closed, IReadOnlyList<string> Languages,
    bool EmailTranscript = false);

public sealed record WidgetSessionResponse(string VisitorToken, Guid VisitorId, SiteDto Site);

public static class WidgetEndpoints
{
    public const string FramePath = "/widget/frame.html";

    /// <summary>
    /// The chat frame may only be embedded by the site's allowed origins (CSP frame-ancestors),
    /// so no other site can host it.
    /// </summary>
    public static IApplicationBuilder UseWidgetFramePolicy(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.Equals(FramePath, StringComparison.OrdinalIgnoreCase))
            {
                var siteKey = context.Request.Query["site"].ToString();
                var db = context.RequestServices.GetRequiredService<ChatDeskDbContext>();
                var origins = await db.Sites.AsNoTracking().Where(s => s.Key == siteKey).Select(s => s.AllowedOrigins).SingleOrDefaultAsync();
                var ancestors = origins is { Count: > 0 } ? string.Join(' ', origins) : "'none'";
                context.Response.Headers.ContentSecurityPolicy = $"{SecurityHeaders.WidgetFramePolicy}; frame-ancestors {ancestors}";
                context.Response.Headers.CacheControl = "no-store";
            }
            await next();
        });

    public static IEndpointRouteBuilder MapWidget(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/widget/session", CreateSessionAsync).RequireRateLimiting(RateLimits.RateLimitsSetup.WidgetSessionPolicy);
        app.MapGet("/demo/{page?}", DemoPage);
        return app;
    }

    private static async Task<IResult> CreateSessionAsync(
        WidgetSessionRequest request, HttpContext context, ChatDeskDbContext db, VisitorTokenService tokens, TimeProvider clock,
        Email.EmailOutbox emails)
    {
        if (string.IsNullOrWhiteSpace(request.SiteKey) || request.SiteKey.Length > 64)
            return Results.Problem(title: "A site key is required", statusCode: StatusCodes.Status400BadRequest);
        var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Key == request.SiteKey);
        if (site is null)
            return Results.Problem(title: "Unknown site", detail: $"No site has the key '{request.SiteKey}'.", statusCode: StatusCodes.Status404NotFound);
        if (!site.AllowsOrigin(request.HostOrigin))
            return Results.Problem(title: "Origin not allowed", detail: "This website is not allowed to open chats for this site.", statusCode: StatusCodes.Status403Forbidden);

        VisitorIdentity visitor;
        if (!string.IsNullOrEmpty(request.VisitorToken))
        {
            var (status, known) = tokens.Validate(request.VisitorToken);
            if (status != VisitorTokenStatus.Valid || known!.SiteId != site.Id)
                return Results.Problem(
                    title: status == VisitorTokenStatus.Expired ? "Visitor token expired" : "Visitor token not valid",
                    detail: "Start again without a token.", statusCode: StatusCodes.Status401Unauthorized);
            visitor = known;
        }
        else
        {
            var record = new Visitor { Id = Guid.CreateVersion7(clock.UtcNowForStorage()), SiteId = site.Id, CreatedAt = clock.UtcNowForStorage() };
            db.Visitors.Add(record);
            await db.SaveChangesAsync();
            visitor = new VisitorIdentity(record.Id, site.Id);
        }

        var language = request.Language == "fr" ? "fr" : "en";
        var topics = await db.SiteTopics.AsNoTracking().Where(t => t.SiteId == site.Id).OrderBy(t => t.SortOrder).ToListAsync();
        return Results.Ok(new WidgetSessionResponse(
            tokens.Issue(visitor), visitor.VisitorId,
            new SiteDto(site.Key, site.Name, topics.Select(t => new TopicDto(t.Key, t.Label(language))).ToList(), site.TypingPreview,
                new Files.FileRulesDto(site.MaxFileBytes, site.AllowedFileTypes), site.DisabledAt is not null, site.Languages, emails.Enabled)));
    }

    /// <summary>A stand-in customer website (served under another origin than the console) that embeds the widget.</summary>
    private static IResult DemoPage(string? page, HttpContext context)
    {
        var chatDeskUrl = PublicUrl.Of(context);
        var (title, body) = page switch
        {
            null or "" => ("Trailhead Outdoor Shop", "Tents, boots and everything for your next hike. Questions? Our team is one click away."),
            "pricing" => ("Pricing - Trailhead Outdoor Shop", "Free delivery from 50 €. Returns within 30 days."),
            _ => ("Not found - Trailhead Outdoor Shop", "This page does not exist."),
        };
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>{{WebUtility.HtmlEncode(title)}}</title>
              <style>
                body { font-family: Georgia, serif; margin: 0; background: #f4efe6; color: #2d2a26; }
                header { background: #2f5d50; color: #fff; padding: 1rem 2rem; }
                header a { color: #fff; margin-right: 1rem; }
                main { padding: 2rem; max-width: 40rem; }
                button { font: inherit; }
              </style>
            </head>
            <body>
              <header><strong>Trailhead</strong> &middot; <a href="/demo/">Home</a><a href="/demo/pricing">Pricing</a></header>
              <main>
                <h1>{{WebUtility.HtmlEncode(title)}}</h1><p>{{WebUtility.HtmlEncode(body)}}</p>
                <form class="checkout" onsubmit="return false">
                  <h2>Your order</h2>
                  <p><label>Order number <input name="order" autocomplete="off"></label></p>
                  <p><label>Account password <input name="password" type="password" autocomplete="current-password"></label></p>
                  <p><label>Card number <input name="card" autocomplete="cc-number" inputmode="numeric"></label></p>
                  <p><label>Loyalty code <input name="loyalty" data-chatdesk-mask></label></p>
                </form>
              </main>
              <script src="{{WebUtility.HtmlEncode(chatDeskUrl)}}/widget/widget.js" async data-site="demo"></script>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: page is null or "" or "pricing" ? 200 : 404);
    }
}
