using System.Security.Claims;
using ChatDesk.Server.Identity;
using Microsoft.AspNetCore.Authorization;

namespace ChatDesk.Server.ApiTokens;

/// <summary>
/// What a token may do. No scope reaches people, tokens, sites or any other admin change: those stay with
/// signed-in admins (a leaked token must not be able to mint accounts or more tokens).
/// </summary>
public static class ApiScopes
{
    public const string KpisRead = "kpis:read";
    public const string ConversationsRead = "conversations:read";
    public const string AnswersRead = "answers:read";
    public const string AnswersWrite = "answers:write";
    public const string MetricsRead = "metrics:read";

    public static readonly IReadOnlyList<string> All = [KpisRead, ConversationsRead, AnswersRead, AnswersWrite, MetricsRead];

    public const string ScopeClaim = "chatdesk:scope";
    public const string TokenIdClaim = "chatdesk:token_id";
    public const string TokenNameClaim = "chatdesk:token_name";
    public const string TokenOwnerClaim = "chatdesk:token_owner";

    /// <summary>The request was authenticated by an API token (it then carries no role, only scopes).</summary>
    public static bool IsApiToken(this ClaimsPrincipal user) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == ApiTokenAuthentication.SchemeName);

    public static bool HasScope(this ClaimsPrincipal user, string scope) =>
        user.IsApiToken() && user.HasClaim(ScopeClaim, scope);

    /// <summary>A person in one of these roles (cookie), or a token with one of these scopes.</summary>
    public static bool IsInRoleOrHasScope(this ClaimsPrincipal user, IReadOnlyCollection<string> roles, IReadOnlyCollection<string> scopes) =>
        user.IsApiToken() ? scopes.Any(user.HasScope) : roles.Any(user.IsInRole);
}

/// <summary>
/// Policies of the endpoints open to tokens: each accepts a signed-in person by role, as before, or a token by
/// scope. A token never passes a role check (it has no role claim), so every other endpoint refuses it.
/// </summary>
public static class ApiPolicies
{
    /// <summary>KPIs: any console role, or kpis:read (which sees the whole team, as a manager does).</summary>
    public const string Kpis = "api:kpis";

    /// <summary>Conversations: any console role (operators see their own chats), or conversations:read.</summary>
    public const string Conversations = "api:conversations";

    /// <summary>The answer library: operators and admins, or a token with answers:read or answers:write.</summary>
    public const string Answers = "api:answers";

    /// <summary>Reading answers: a person (group policy decides which), or a token with answers:read.</summary>
    public const string AnswersRead = "api:answers:read";

    /// <summary>Changing answers: a person (the answer service decides what), or a token with answers:write.</summary>
    public const string AnswersWrite = "api:answers:write";

    /// <summary>Metrics for scrapers: an admin, or a token with metrics:read (for the /metrics endpoint).</summary>
    public const string MetricsRead = "api:metrics:read";

    /// <summary>Signed-in people only: state changes no token scope grants, on groups otherwise open to tokens.</summary>
    public const string PeopleOnly = "api:people-only";

    private static readonly string[] ConsoleRoles = [Roles.Operator, Roles.Manager, Roles.Admin];

    /// <summary>
    /// Also makes the default policy (a bare RequireAuthorization() or [Authorize]) refuse tokens: an endpoint is
    /// open to tokens only by naming one of the policies above.
    /// </summary>
    public static AuthorizationBuilder AddApiPolicies(this AuthorizationBuilder builder) => builder
        .SetDefaultPolicy(PeopleOnlyPolicy)
        .AddPolicy(Kpis, RoleOrScope(ConsoleRoles, [ApiScopes.KpisRead]))
        .AddPolicy(Conversations, RoleOrScope(ConsoleRoles, [ApiScopes.ConversationsRead]))
        .AddPolicy(Answers, RoleOrScope([Roles.Operator, Roles.Admin], [ApiScopes.AnswersRead, ApiScopes.AnswersWrite]))
        .AddPolicy(AnswersRead, PersonOrScope(ApiScopes.AnswersRead))
        .AddPolicy(AnswersWrite, PersonOrScope(ApiScopes.AnswersWrite))
        .AddPolicy(MetricsRead, RoleOrScope([Roles.Admin], [ApiScopes.MetricsRead]))
        .AddPolicy(PeopleOnly, PeopleOnlyPolicy);

    private static readonly AuthorizationPolicy PeopleOnlyPolicy = new AuthorizationPolicyBuilder()
        .RequireAuthenticatedUser().RequireAssertion(context => !context.User.IsApiToken()).Build();

    private static Action<AuthorizationPolicyBuilder> RoleOrScope(string[] roles, string[] scopes) => policy => policy
        .RequireAuthenticatedUser()
        .RequireAssertion(context => context.User.IsInRoleOrHasScope(roles, scopes));

    private static Action<AuthorizationPolicyBuilder> PersonOrScope(string scope) => policy => policy
        .RequireAuthenticatedUser()
        .RequireAssertion(context => !context.User.IsApiToken() || context.User.HasScope(scope));
}
