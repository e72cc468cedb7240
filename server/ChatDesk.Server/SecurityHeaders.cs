using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace ChatDesk.Server;

/// <summary>
/// Headers every response carries: no MIME sniffing, no full URLs in Referer to other sites, the console never
/// framed (the widget frame has its own frame-ancestors, per site), and HSTS once ChatDesk is served over https.
/// The console and the widget frame run only ChatDesk's own script files: no inline script, no eval, no plugin,
/// no &lt;base&gt;; they talk only to ChatDesk (connect-src 'self' covers its WebSockets). The demo pages (/demo)
/// get no policy: they stand in for a customer's website, whose policy is the customer's own.
/// When the public URL is https, the login cookie and the console's XSRF-TOKEN cookie are Secure whatever the hop
/// behind the proxy (the antiforgery cookie follows the request's scheme: its library refuses to issue a Secure
/// cookie on an http request, which is why the proxies must be configured).
/// </summary>
public static class SecurityHeaders
{
    private const string Scripts = "default-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'";

    /// <summary>
    /// Inline styles and any https image or font stay allowed in the console for co-browsing only: the visitor's
    /// page is replayed there (rrweb, in a frame that runs no script), with its own inline styles and images.
    /// </summary>
    public const string ConsolePolicy =
        $"{Scripts}; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob: https:; font-src 'self' data: https:; media-src 'self' blob:; form-action 'self'; frame-ancestors 'none'";

    /// <summary>The widget frame's policy; its frame-ancestors (the site's allowed origins) is added per site.</summary>
    public const string WidgetFramePolicy = $"{Scripts}; style-src 'self'; img-src 'self' data: blob:; form-action 'none'";

    public static IServiceCollection AddSecureCookies(this IServiceCollection services, IConfiguration configuration)
    {
        if (!PublicUrl.IsHttps(configuration))
            return services;
        services.PostConfigure<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme, options => options.Cookie.SecurePolicy = CookieSecurePolicy.Always);
        return services;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                var path = context.Request.Path;
                if (path.StartsWithSegments("/console") || path == "/")
                {
                    headers.XFrameOptions = "DENY";
                    headers.ContentSecurityPolicy = ConsolePolicy;
                }
                if (context.Request.IsHttps)
                    headers.StrictTransportSecurity = "max-age=31536000";
                return Task.CompletedTask;
            });
            return next(context);
        });
}
