using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace ChatDesk.Server.Identity;

public static class IdentitySetup
{
    public static IServiceCollection AddChatDeskIdentity(this IServiceCollection services)
    {
        services.AddIdentityCore<ApplicationUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 10;
                options.Password.RequireDigit = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<ChatDeskDbContext>()
            .AddSignInManager();

        services.AddOptions<IdentityOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            options.Lockout.AllowedForNewUsers = true;
            options.Lockout.MaxFailedAccessAttempts = Math.Max(1, configuration.GetValue("ChatDesk:Identity:MaxFailedLogins", 5));
            options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(Math.Max(1, configuration.GetValue("ChatDesk:Identity:LockoutMinutes", 15)));
        });
        // Every request checks the cookie's security stamp: a disabled account, a password change or a role
        // change takes effect on the next request, on every node (the user, roles and claims are read and the
        // cookie renewed on each console request: a few indexed reads, console traffic being light).
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.Zero);

        // The default scheme picks the API token when a request carries one (Authorization: Bearer cdk_…) and the
        // console's cookie otherwise: a token request is never also a cookie request. Signing in stays the cookie's.
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = ApiTokenAuthentication.SelectorScheme;
                options.DefaultSignInScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignOutScheme = IdentityConstants.ApplicationScheme;
            })
            .AddPolicyScheme(ApiTokenAuthentication.SelectorScheme, null, options => options.ForwardDefaultSelector = ApiTokenAuthentication.SelectScheme)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiTokenAuthentication>(ApiTokenAuthentication.SchemeName, null)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, VisitorAuthentication>(VisitorAuthentication.SchemeName, null)
            .AddIdentityCookies();
        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "chatdesk.auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.SlidingExpiration = true;
            options.ExpireTimeSpan = TimeSpan.FromHours(12);
            // The console is a script client: answer with status codes, never redirect to a login page.
            options.Events.OnRedirectToLogin = context => { context.Response.StatusCode = StatusCodes.Status401Unauthorized; return Task.CompletedTask; };
            options.Events.OnRedirectToAccessDenied = context => { context.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(VisitorAuthentication.Policy, policy => policy
                .AddAuthenticationSchemes(VisitorAuthentication.SchemeName)
                .RequireClaim(VisitorIdentity.VisitorIdClaim))
            .AddPolicy(OperatorAuthorization.Policy, policy => policy
                .AddAuthenticationSchemes(IdentityConstants.ApplicationScheme)
                .RequireRole(Roles.Operator))
            .AddApiPolicies();

        services.AddAntiforgery(options =>
        {
            options.HeaderName = AuthEndpoints.AntiforgeryHeader;
            options.Cookie.Name = "chatdesk.af";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest; // the library's default never marks it Secure
        });

        // Keys in PostgreSQL: every node reads cookies another node issued, and restarts keep sessions.
        services.AddDataProtection().SetApplicationName("ChatDesk");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(provider =>
            new ConfigureOptions<KeyManagementOptions>(options =>
                options.XmlRepository = new DatabaseXmlRepository(provider.GetRequiredService<IServiceScopeFactory>())));

        services.AddSingleton<VisitorTokenService>();
        services.AddSingleton<ConsoleConnections>();
        services.AddSingleton<UnknownAccountLockout>();
        services.AddSingleton<AccountSessions>();
        services.AddScoped<IdentitySeeder>();
        return services;
    }
}
