using System.Security.Claims;
using System.Threading.RateLimiting;
using ChatDesk.Server.Identity;
using Microsoft.AspNetCore.RateLimiting;

namespace ChatDesk.Server.RateLimits;

/// <summary>
/// HTTP abuse limits (ASP.NET Core rate limiting): widget sessions and logins per client address, visitor hub
/// connections per visitor, uploads per visitor or operator. A refused request gets 429, Retry-After and a translated problem; it reaches no endpoint.
/// The client address is the one the forwarded-headers middleware set (<see cref="Proxies"/>), never a raw header.
/// </summary>
public static class RateLimitsSetup
{
    public const string WidgetSessionPolicy = "widget-session";
    public const string LoginPolicy = "login";
    public const string UploadPolicy = "upload";
    public const string VisitorConnectionPolicy = "visitor-connection";

    public static IServiceCollection AddRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var options = configuration.GetSection(RateLimitOptions.Section).Get<RateLimitOptions>() ?? new RateLimitOptions();
        services.AddSingleton(options);
        services.AddSingleton<HubRateLimitFilter>();
        services.AddSingleton<LoginAccountLimits>();
        services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(WidgetSessionPolicy, context => ByAddress(context, options.WidgetSessionsPerIp));
            limiter.AddPolicy(LoginPolicy, context => ByAddress(context, options.LoginsPerIp));
            limiter.AddPolicy(VisitorConnectionPolicy, context => RateLimitPartition.GetTokenBucketLimiter(
                $"v:{context.User.FindFirst(VisitorIdentity.VisitorIdClaim)?.Value}", _ => options.VisitorConnections.ToLimiterOptions()));
            limiter.AddPolicy(UploadPolicy, context => context.User.FindFirst(VisitorIdentity.VisitorIdClaim) is { } visitor
                ? RateLimitPartition.GetTokenBucketLimiter($"v:{visitor.Value}", _ => options.VisitorUploads.ToLimiterOptions())
                : RateLimitPartition.GetTokenBucketLimiter($"o:{context.User.FindFirstValue(ClaimTypes.NameIdentifier)}", _ => options.OperatorUploads.ToLimiterOptions()));
            limiter.OnRejected = (rejected, _) =>
                new ValueTask(TooManyRequests(rejected.HttpContext, RateLimitTexts.RetryAfterSeconds(rejected.Lease)).ExecuteAsync(rejected.HttpContext));
        });
        return services;
    }

    public static string ClientAddress(HttpContext? context) => context?.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>429 with Retry-After and a problem the widget and the console show as it is.</summary>
    public static IResult TooManyRequests(HttpContext context, int retryAfterSeconds)
    {
        var language = RateLimitTexts.Language(context);
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(title: RateLimitTexts.Title(language), detail: RateLimitTexts.Message(language, retryAfterSeconds),
            statusCode: StatusCodes.Status429TooManyRequests,
            extensions: new Dictionary<string, object?> { ["code"] = RateLimitTexts.Code, ["retryAfterSeconds"] = retryAfterSeconds });
    }

    private static RateLimitPartition<string> ByAddress(HttpContext context, RateRule rule) =>
        RateLimitPartition.GetTokenBucketLimiter(ClientAddress(context), _ => rule.ToLimiterOptions());
}

/// <summary>
/// Login attempts per account, whether or not it exists (the lockout counts only failures; this also bounds
/// how fast one account's password can be tried across many addresses). Keyed by the normalised e-mail.
/// </summary>
public sealed class LoginAccountLimits(RateLimitOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<string> limiter = PartitionedRateLimiter.Create<string, string>(email =>
        RateLimitPartition.GetTokenBucketLimiter(email, _ => options.LoginsPerAccount.ToLimiterOptions()));

    /// <summary>The 429 to answer with, or null when this attempt may go on.</summary>
    public IResult? Refuse(HttpContext context, string email)
    {
        using var lease = limiter.AttemptAcquire(email.Trim().ToUpperInvariant());
        return lease.IsAcquired ? null : RateLimitsSetup.TooManyRequests(context, RateLimitTexts.RetryAfterSeconds(lease));
    }

    public void Dispose() => limiter.Dispose();
}
