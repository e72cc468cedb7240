using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;

namespace ChatDesk.Server;

/// <summary>
/// Headers every response carries: no MIME sniffing, no full URLs in Referer to other sites, the console never
/// framed (the widget frame has its own frame-ancestors, per site), and HSTS once ChatDesk is served over https.
/// When the public URL is https, the login cookie and the console's XSRF-TOKEN cookie are Secure whatever the hop
/// behind the proxy (the antiforgery cookie follows the request's scheme: its library refuses to issue a Secure
/// cookie on an http request, which is why the proxies must be configured).
/// </summary>
public static class SecurityHeaders
{
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
                    headers.ContentSecurityPolicy = "frame-ancestors 'none'";
                }
                if (context.Request.IsHttps)
                    headers.StrictTransportSecurity = "max-age=31536000";
                return Task.CompletedTask;
            });
            return next(context);
        });
}
