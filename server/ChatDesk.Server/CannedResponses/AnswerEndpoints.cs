using System.Security.Claims;
using ChatDesk.Server.Identity;

namespace ChatDesk.Server.CannedResponses;

public static class AnswerEndpoints
{
    public const int MaxImportBytes = 2 * 1024 * 1024;

    public static IServiceCollection AddCannedResponses(this IServiceCollection services) => services.AddScoped<AnswerService>();

    public static IEndpointRouteBuilder MapCannedResponses(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/answers")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Operator, Roles.Admin))
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
            answers.ListAsync(UserId(user), includeRetired ?? false, q, ct));

        group.MapPost("/", async (AnswerRequest request, ClaimsPrincipal user, AnswerService answers, CancellationToken ct) =>
        {
            var created = await answers.CreateAsync(UserId(user), user.IsInRole(Roles.Admin), request, ct);
            return Results.Created($"/api/answers/{created.Id}", created);
        });

        group.MapPut("/{id:guid}", (Guid id, AnswerRequest request, ClaimsPrincipal user, AnswerService answers, CancellationToken ct) =>
            answers.UpdateAsync(UserId(user), user.IsInRole(Roles.Admin), id, request, ct));

        group.MapPost("/{id:guid}/retire", async (Guid id, ClaimsPrincipal user, AnswerService answers, CancellationToken ct) =>
        {
            await answers.SetRetiredAsync(UserId(user), user.IsInRole(Roles.Admin), id, retired: true, ct);
            return Results.NoContent();
        });

        group.MapPost("/{id:guid}/restore", async (Guid id, ClaimsPrincipal user, AnswerService answers, CancellationToken ct) =>
        {
            await answers.SetRetiredAsync(UserId(user), user.IsInRole(Roles.Admin), id, retired: false, ct);
            return Results.NoContent();
        });

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

    private static string UserId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;
}
