namespace ChatDesk.Server;

/// <summary>The URL visitors' browsers and invitees reach ChatDesk at: <c>ChatDesk:PublicUrl</c>, else the request's own.</summary>
public static class PublicUrl
{
    public static string Of(HttpContext context) =>
        (context.RequestServices.GetRequiredService<IConfiguration>()["ChatDesk:PublicUrl"] is { Length: > 0 } url
            ? url
            : $"{context.Request.Scheme}://{context.Request.Host}").TrimEnd('/');

    public static bool IsHttps(IConfiguration configuration) =>
        Uri.TryCreate(configuration["ChatDesk:PublicUrl"], UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps;
}
