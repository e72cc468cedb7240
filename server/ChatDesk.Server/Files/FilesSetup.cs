using System.Security.Claims;
using ChatDesk.Server.Identity;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ChatDesk.Server.Files;

public static class FilesSetup
{
    public const string FolderSetting = "ChatDesk:Files:Folder";

    public static IServiceCollection AddFiles(this IServiceCollection services, IConfiguration configuration)
    {
        // Every store reads the files it holds; the last one registered (the configured one) stores new files.
        services.AddSingleton<DatabaseFileStore>();
        services.AddSingleton<IFileStore>(provider => provider.GetRequiredService<DatabaseFileStore>());
        var folder = configuration[FolderSetting];
        if (!string.IsNullOrWhiteSpace(folder))
            services.AddSingleton<IFileStore>(new FolderFileStore(Path.GetFullPath(folder)));
        services.TryAddSingleton<IFileScanner, AllowAllFileScanner>();
        services.AddScoped<FileService>();
        return services;
    }

    public static IEndpointRouteBuilder MapFiles(this IEndpointRouteBuilder app)
    {
        // The widget frame (served by ChatDesk, like the hub) authenticates with the visitor token.
        app.MapPost("/api/files/visitor", (string? name, HttpContext context, FileService files) =>
                UploadAsync(context, body => files.UploadFromVisitorAsync(VisitorIdentity.From(context.User), name,
                    context.Request.ContentType, context.Request.ContentLength, body, context.RequestAborted)))
            .RequireAuthorization(VisitorAuthentication.Policy)
            .RequireRateLimiting(RateLimits.RateLimitsSetup.UploadPolicy);
        app.MapGet("/api/files/visitor/{fileId:guid}", (Guid fileId, HttpContext context, FileService files) =>
                DownloadAsync(() => files.OpenForVisitorAsync(VisitorIdentity.From(context.User), fileId, context.RequestAborted)))
            .RequireAuthorization(VisitorAuthentication.Policy);

        app.MapPost("/api/files/conversations/{conversationId:guid}", (Guid conversationId, string? name, HttpContext context, FileService files) =>
                UploadAsync(context, body => files.UploadFromOperatorAsync(OperatorId(context.User), conversationId, name,
                    context.Request.ContentType, context.Request.ContentLength, body, context.RequestAborted)))
            .RequireAuthorization(OperatorAuthorization.Policy)
            .AddEndpointFilter<AntiforgeryFilter>()
            .RequireRateLimiting(RateLimits.RateLimitsSetup.UploadPolicy);
        app.MapGet("/api/files/{fileId:guid}", (Guid fileId, ClaimsPrincipal user, HttpContext context, FileService files) =>
                DownloadAsync(() => files.OpenForStaffAsync(OperatorId(user), user.IsInRole(Roles.Manager) || user.IsInRole(Roles.Admin), fileId, context.RequestAborted)))
            .RequireAuthorization(policy => policy.RequireRole(Roles.Operator, Roles.Manager, Roles.Admin));
        return app;
    }

    private static string OperatorId(ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.NameIdentifier)!;

    /// <summary>The request body is the file itself (its type in Content-Type); the site's limit is enforced while it streams.</summary>
    private static async Task<IResult> UploadAsync(HttpContext context, Func<Stream, Task<Chats.MessageDto>> upload)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = FileTypes.MaxConfigurableBytes + 1;
        try
        {
            return Results.Ok(await upload(context.Request.Body));
        }
        catch (FileRefusedException e)
        {
            return Refused(e);
        }
        catch (BadHttpRequestException e)
        {
            // The client stopped sending (cancelled, connection lost): nothing was stored.
            return Results.Problem(title: "Upload interrupted", detail: "The file did not arrive completely. Please send it again.", statusCode: e.StatusCode);
        }
    }

    private static async Task<IResult> DownloadAsync(Func<Task<(SharedFile File, Stream Content)>> open)
    {
        try
        {
            var (file, content) = await open();
            return new AttachmentResult(file, content);
        }
        catch (FileRefusedException e)
        {
            return Refused(e);
        }
    }

    private static IResult Refused(FileRefusedException e) =>
        Results.Problem(title: e.Title, detail: e.Message, statusCode: e.Status, extensions: new Dictionary<string, object?> { ["code"] = e.Code });

    /// <summary>
    /// Always a download (Content-Disposition: attachment, with an RFC 5987 filename*), with the stored
    /// type, never sniffed into something a browser would run or render in ChatDesk's origin.
    /// </summary>
    private sealed class AttachmentResult(SharedFile file, Stream content) : IResult
    {
        public async Task ExecuteAsync(HttpContext context)
        {
            await using var body = content;
            var headers = context.Response.Headers;
            var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment");
            disposition.SetHttpFileName(file.Name);
            headers.ContentDisposition = disposition.ToString();
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = "default-src 'none'; sandbox";
            headers.CacheControl = "private, no-store";
            context.Response.ContentType = file.ContentType;
            context.Response.ContentLength = file.Size;
            await body.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }
}
