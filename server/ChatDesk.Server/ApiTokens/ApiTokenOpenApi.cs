using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ChatDesk.Server.ApiTokens;

/// <summary>
/// Tells OpenAPI readers (and generated clients) that the endpoints open to tokens take
/// <c>Authorization: Bearer cdk_…</c>, and which scope each one needs.
/// </summary>
public static class ApiTokenOpenApi
{
    public const string SchemeName = "apiToken";

    /// <summary>The scopes each token-facing policy accepts, as the operation's security requirement lists them.</summary>
    private static readonly Dictionary<string, string[]> ScopesOfPolicy = new(StringComparer.Ordinal)
    {
        [ApiPolicies.Kpis] = [ApiScopes.KpisRead],
        [ApiPolicies.Conversations] = [ApiScopes.ConversationsRead],
        [ApiPolicies.AnswersRead] = [ApiScopes.AnswersRead],
        [ApiPolicies.AnswersWrite] = [ApiScopes.AnswersWrite],
        [ApiPolicies.MetricsRead] = [ApiScopes.MetricsRead],
    };

    public static IServiceCollection AddApiTokens(this IServiceCollection services)
    {
        services.Configure<OpenApiOptions>("v1", options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "An API token (cdk_…) an admin created under Admin → API tokens; it opens the endpoints its scopes name.",
                };
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                var metadata = context.Description.ActionDescriptor.EndpointMetadata;
                var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>().ToList();
                // A people-only policy on the endpoint itself closes it to tokens, whatever its group allows.
                if (policies.Contains(ApiPolicies.PeopleOnly))
                    return Task.CompletedTask;
                var scopes = policies.Where(ScopesOfPolicy.ContainsKey).SelectMany(p => ScopesOfPolicy[p]).Distinct().ToList();
                if (scopes.Count == 0)
                    return Task.CompletedTask;
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = scopes });
                return Task.CompletedTask;
            });
        });
        return services;
    }
}
