using System.Security.Claims;
using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.Identity;

namespace ChatDesk.Server.CannedResponses;

public static class AnswerEndpoints
{
    public const int MaxImportBytes = 2 * 1024 * 1024;

    public static IServiceCollection AddCannedResponses(this IServiceCollection services) => services.AddScoped<AnswerService>();

    public static IEndpointRouteBuilder MapCannedResponses(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/answers")
            .RequireAuthorization(ApiPolicies.Answers)
            .AddEndpointFilter<AntiforgeryFilter>()
            .AddEndpointFilter(async (context, next) =>
            {
                try
                {
                    return await next(context);
                }
                catch (AnswerProblem problem)
                {
                    return Results.Problem(title: problem.Title, detail: problem.Message, statusCode: problem.Status);
                }
            });

        group.MapGet("/", (bool? includeRetired, string? q, ClaimsPrincipal user, AnswerService answers, CancellationToken ct) =>
            answers.ListAsync(UserId(user), includeRetired ?? false, q, ct))
            .RequireAuthorization(ApiPolicies.AnswersRead);

        group.MapPost("/", async (AnswerRequest request, ClaimsPrincipal user, AnswerService answers, CancellationToken ct) =>
        {
            if (request.Personal && user.IsApiToken())
                return new FieldErrors().Add("personal", "A token manages shared answers only: a personal answer belongs to a person.").ToResult();
            var created = await answers.CreateAsync(UserId(user), EditsShared(user), request, ct);
            return Results.Created($"/api/answers/{created.Id}", created);
        }).RequireAuthorization(ApiPolicies.AnswersWrite);

        group.MapPut("/{id:guid}", (Guid id, AnswerRequest request, ClaimsPrincipal user, AnswerService answers, CancellationToken ct) =>
            answers.UpdateAsync(UserId(user), EditsShared(user), id, request, ct))
            .RequireAuthorization(ApiPolicies.AnswersWrite);

        group.MapPost("/{id:guid}/retire", async (Guid id, ClaimsPrincipal user, AnswerService answers, CancellationToken ct) =>
        {
            await answers.SetRetiredAsync(UserId(user), EditsShared(user), id, retired: true, ct);
            return Results.NoContent();
        }).RequireAuthorization(ApiPolicies.AnswersWrite);

        group.MapPost("/{id:guid}/restore", async (Guid id, ClaimsPrincipal user, AnswerService answers, CancellationToken ct) =>
        {
            await answers.SetRetiredAsync(UserId(user), EditsShared(user), id, retired: false, ct);
            return Results.NoContent();
        }).RequireAuthorization(ApiPolicies.AnswersWrite);

        group.MapGet("/export.csv", async (AnswerService answers, CancellationToken ct) =>
            Results.File(System.Text.Encoding.UTF8.GetBytes(await answers.ExportCsvAsync(ct)), "text/csv; charset=utf-8", "answers.csv"))
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin));

        group.MapPost("/import", async (HttpRequest request, AnswerService answers, CancellationToken ct) =>
        {
            if (request.ContentLength is > MaxImportBytes)
                return Results.Problem(title: "File too large", detail: $"Import at most {MaxImportBytes / 1024 / 1024} MB at a time.", statusCode: StatusCodes.Status413PayloadTooLarge);
            using var reader = new StreamReader(request.Body);
            var text = await reader.ReadToEndAsync(ct);
            if (text.Length > MaxImportBytes)
                return Results.Problem(title: "File too large", statusCode: StatusCodes.Status413PayloadTooLarge);
            return Results.Ok(await answers.ImportCsvAsync(text, ct));
        }).RequireAuthorization(policy => policy.RequireRole(Roles.Admin));

        return app;
    }

    /// <summary>The person, or for a token a name no person has: a token sees shared answers only.</summary>
    private static string UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    /// <summary>Admins edit the shared library, and so does a token with answers:write (it has no personal answers).</summary>
    private static bool EditsShared(ClaimsPrincipal user) => user.IsInRoleOrHasScope([Roles.Admin], [ApiScopes.AnswersWrite]);
}
