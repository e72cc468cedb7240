using System.Security.Claims;
using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.RateLimits;
using ChatDesk.Server.Routing;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace ChatDesk.Server.Identity;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record MeResponse(string Id, string Email, string DisplayName, IReadOnlyList<string> Roles, string Language);

public static class AuthEndpoints
{
    public const string AntiforgeryHeader = "X-XSRF-TOKEN";
    public const string AntiforgeryCookie = "XSRF-TOKEN";

    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth");

        group.MapGet("/me", async (HttpContext context, IAntiforgery antiforgery, UserManager<ApplicationUser> users) =>
        {
            IssueAntiforgeryCookie(context, antiforgery);
            var user = context.User.Identity?.IsAuthenticated == true ? await users.GetUserAsync(context.User) : null;
            return user is null
                ? Results.Problem(title: "Not logged in", statusCode: StatusCodes.Status401Unauthorized)
                : Results.Ok(await ToMeAsync(user, users));
        });

        group.MapPost("/login", async (
            LoginRequest request, HttpContext context, UserManager<ApplicationUser> users, SignInManager<ApplicationUser> signIn,
            UnknownAccountLockout unknownAccounts, LoginAccountLimits accountLimits) =>
        {
            if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password) || request.Email.Length > 254 || request.Password.Length > 256)
                return Results.Problem(title: "Email and password are required", statusCode: StatusCodes.Status400BadRequest);
            if (accountLimits.Refuse(context, request.Email) is { } refused)
                return refused;
            var user = await users.FindByEmailAsync(request.Email.Trim());
            if (user?.PasswordHash is null)
            {
                // As much work as for a known account, so the answer's timing does not tell which e-mails exist.
                users.PasswordHasher.VerifyHashedPassword(new ApplicationUser(), UnknownAccountHash, request.Password);
                // An unknown e-mail locks like an account would, or the lockout would tell which ones exist.
                if (user is null)
                    return unknownAccounts.Fail(request.Email) ? AccountLocked() : InvalidLogin();
            }
            var result = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
            if (result.IsLockedOut)
                return AccountLocked();
            if (!result.Succeeded)
                return InvalidLogin();
            if (user.DisabledAt is not null)
                return Results.Problem(title: "Account disabled", detail: "An admin disabled this account.", statusCode: StatusCodes.Status403Forbidden);
            await signIn.SignInAsync(user, isPersistent: true);
            return Results.Ok(await ToMeAsync(user, users));
        }).AddEndpointFilter<AntiforgeryFilter>().RequireRateLimiting(RateLimitsSetup.LoginPolicy);

        group.MapPost("/logout", async (HttpContext context, SignInManager<ApplicationUser> signIn, PresenceService presence) =>
        {
            var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
            if (userId is not null && context.User.IsInRole(Roles.Operator))
                await presence.SetStatusAsync(userId, OperatorStatus.Offline, context.RequestAborted);
            await signIn.SignOutAsync();
            return Results.NoContent();
        }).AddEndpointFilter<AntiforgeryFilter>();

        return app;
    }

    private static readonly string UnknownAccountHash = new PasswordHasher<ApplicationUser>().HashPassword(new ApplicationUser(), "no account has this password");

    private static IResult AccountLocked() => Results.Problem(title: "Account locked",
        detail: "Too many failed attempts: this account is locked for a while. Try again later or ask an admin.", statusCode: StatusCodes.Status423Locked);

    private static IResult InvalidLogin() =>
        Results.Problem(title: "Wrong email or password", statusCode: StatusCodes.Status401Unauthorized);

    internal static void IssueAntiforgeryCookie(HttpContext context, IAntiforgery antiforgery)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        context.Response.Cookies.Append(AntiforgeryCookie, tokens.RequestToken!,
            new CookieOptions
            {
                HttpOnly = false, SameSite = SameSiteMode.Strict, Path = "/",
                Secure = context.Request.IsHttps || PublicUrl.IsHttps(context.RequestServices.GetRequiredService<IConfiguration>()),
            });
    }

    internal static async Task<MeResponse> ToMeAsync(ApplicationUser user, UserManager<ApplicationUser> users) =>
        new(user.Id, user.Email!, user.DisplayName, [.. await users.GetRolesAsync(user)], user.Language);
}

/// <summary>
/// State-changing console requests must carry the antiforgery header (GET and HEAD pass). Requests authenticated by
/// an API token pass too: a browser never adds an Authorization header on its own, so another site cannot forge one,
/// and such a request is never also authenticated by the cookie (see ApiTokenAuthentication.SelectScheme).
/// </summary>
public sealed class AntiforgeryFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (HttpMethods.IsGet(context.HttpContext.Request.Method) || HttpMethods.IsHead(context.HttpContext.Request.Method)
            || context.HttpContext.User.IsApiToken())
            return await next(context);
        try
        {
            await antiforgery.ValidateRequestAsync(context.HttpContext);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Problem(title: "Missing or invalid antiforgery token",
                detail: $"Send the {AuthEndpoints.AntiforgeryCookie} cookie value in the {AuthEndpoints.AntiforgeryHeader} header.",
                statusCode: StatusCodes.Status400BadRequest);
        }
        return await next(context);
    }
}
