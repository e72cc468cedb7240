using System.Net;
using System.Security.Claims;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Webhooks;

public sealed record WebhookDto(
    Guid Id, string Site, string Url, IReadOnlyList<string> Events, bool Enabled, string Description, string SecretHint, string Version,
    DateTimeOffset CreatedAt);

/// <summary>The secret is in this answer only (create, rotate): it is not shown again.</summary>
public sealed record WebhookWithSecretDto(WebhookDto Webhook, string Secret);

public sealed record WebhookInput(string? Site, string? Url, IReadOnlyList<string>? Events, bool Enabled, string? Description, string? Version);

public sealed record WebhookDeliveryDto(
    Guid Id, string Event, string Status, int Attempts, int? ResponseCode, int? LatencyMs, string? Error, DateTimeOffset CreatedAt,
    DateTimeOffset? CompletedAt, DateTimeOffset? NextAttemptAt);

public sealed record WebhookSettingsDto(bool AllowPrivateTargets, IReadOnlyList<string> EventKinds);

/// <summary>Admins manage each site's webhook subscriptions, see their recent deliveries and replay a failed one.</summary>
public static class WebhookAdminEndpoints
{
    public const int MaxPerSite = 20;
    public const int RecentDeliveries = 50;

    public static IEndpointRouteBuilder MapWebhookAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/webhooks")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .AddEndpointFilter<AntiforgeryFilter>()
            .WithTags("Webhooks");

        group.MapGet("", async (string? site, ChatDeskDbContext db, CancellationToken ct) =>
            {
                var query = from s in db.WebhookSubscriptions.AsNoTracking()
                            join st in db.Sites on s.SiteId equals st.Id
                            where site == null || st.Key == site
                            orderby st.Key, s.CreatedAt
                            select new { s, st.Key };
                return (await query.ToListAsync(ct)).Select(x => ToDto(x.s, x.Key)).ToList();
            })
            .WithName("ListWebhooks").WithSummary("Every site's webhook subscriptions (or one site's: ?site=key); secrets are hinted, never shown.")
            .Produces<List<WebhookDto>>();

        group.MapGet("/settings", (OutboxOptions options) => new WebhookSettingsDto(options.AllowPrivateTargets, WebhookKinds.All))
            .WithName("WebhookSettings").WithSummary("The event kinds a subscription may ask for, and whether private targets are allowed.")
            .Produces<WebhookSettingsDto>();

        group.MapPost("", CreateAsync)
            .WithName("CreateWebhook").WithSummary("Subscribes a URL to some of a site's event kinds; the answer carries the signing secret, shown once.")
            .Produces<WebhookWithSecretDto>(StatusCodes.Status201Created).ProducesValidationProblem();
        group.MapPut("/{id:guid}", UpdateAsync)
            .WithName("UpdateWebhook").WithSummary("Changes a subscription's URL, event kinds, description or whether it is enabled (send its version).")
            .Produces<WebhookDto>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{id:guid}", DeleteAsync)
            .WithName("DeleteWebhook").WithSummary("Deletes a subscription and its deliveries (pending ones are not sent).")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id:guid}/secret", RotateSecretAsync)
            .WithName("RotateWebhookSecret").WithSummary("Replaces the signing secret; the answer carries the new one, shown once.")
            .Produces<WebhookWithSecretDto>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id:guid}/deliveries", DeliveriesAsync)
            .WithName("WebhookDeliveries").WithSummary($"The subscription's {RecentDeliveries} most recent deliveries: status, attempts, response code, latency.")
            .Produces<List<WebhookDeliveryDto>>().ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/deliveries/{deliveryId:guid}/replay", ReplayAsync)
            .WithName("ReplayWebhookDelivery").WithSummary("Sends a failed delivery again, with the same id (receivers de-duplicate on it).")
            .Produces<WebhookDeliveryDto>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        WebhookInput request, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, OutboxOptions options, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var siteKey = request.Site?.Trim() ?? "";
        var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Key == siteKey, ct);
        if (site is null)
            errors.Add("site", "Choose one of the sites.");
        else if (await db.WebhookSubscriptions.CountAsync(s => s.SiteId == site.Id, ct) >= MaxPerSite)
            errors.Add("site", $"A site has at most {MaxPerSite} webhooks.");
        var fields = await ValidateAsync(request, options, errors, ct);
        if (errors.Any)
            return errors.ToResult("The webhook has errors");

        var subscription = new WebhookSubscription
        {
            Id = Guid.NewGuid(), SiteId = site!.Id, Url = fields.Url, Secret = WebhookSignature.NewSecret(), EventKinds = fields.Events,
            Enabled = request.Enabled, Description = fields.Description, CreatedAt = clock.UtcNowForStorage(),
        };
        db.WebhookSubscriptions.Add(subscription);
        events.AppendAdminEvent(db, AdminEventTypes.WebhookCreated, principal.ActorId(), Target(subscription, site.Key), null, Snapshot(subscription));
        await db.SaveChangesAsync(ct); // one transaction: the subscription and its audit event
        return Results.Created($"/api/admin/webhooks/{subscription.Id}", new WebhookWithSecretDto(ToDto(subscription, site.Key), subscription.Secret));
    }

    private static async Task<IResult> UpdateAsync(
        Guid id, WebhookInput request, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, OutboxOptions options, TimeProvider clock,
        CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null)
            return Unknown();
        var errors = new FieldErrors();
        var fields = await ValidateAsync(request, options, errors, ct);
        if (errors.Any)
            return errors.ToResult("The webhook has errors");
        if (request.Version != subscription.Version.ToString())
            return PeopleEndpoints.Stale();
        var siteKey = await db.Sites.Where(s => s.Id == subscription.SiteId).Select(s => s.Key).SingleAsync(ct);
        var before = Snapshot(subscription);
        var disabling = subscription.Enabled && !request.Enabled;
        subscription.Url = fields.Url;
        subscription.EventKinds = fields.Events;
        subscription.Enabled = request.Enabled;
        subscription.Description = fields.Description;
        subscription.Version++;
        events.AppendAdminEvent(db, AdminEventTypes.WebhookUpdated, principal.ActorId(), Target(subscription, siteKey), before, Snapshot(subscription));
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return PeopleEndpoints.Stale();
        }
        // A disabled subscription sends nothing more: what waits (a retry's back-off included) fails now, replayable
        // once it is enabled again.
        if (disabling)
            await db.Outbox.Where(o => o.SubscriptionId == id && o.Status == OutboxStatus.Pending).ExecuteUpdateAsync(u => u
                .SetProperty(o => o.Status, OutboxStatus.Failed).SetProperty(o => o.LastError, OutboxDispatcher.SubscriptionDisabled)
                .SetProperty(o => o.CompletedAt, clock.UtcNowForStorage()), ct);
        await transaction.CommitAsync(ct);
        return Results.Ok(ToDto(subscription, siteKey));
    }

    private static async Task<IResult> DeleteAsync(Guid id, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null)
            return Unknown();
        var siteKey = await db.Sites.Where(s => s.Id == subscription.SiteId).Select(s => s.Key).SingleAsync(ct);
        db.WebhookSubscriptions.Remove(subscription);
        events.AppendAdminEvent(db, AdminEventTypes.WebhookDeleted, principal.ActorId(), Target(subscription, siteKey), Snapshot(subscription), null);
        await db.SaveChangesAsync(ct);
        return Results.NoContent();
    }

    private static async Task<IResult> RotateSecretAsync(Guid id, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, CancellationToken ct)
    {
        var subscription = await db.WebhookSubscriptions.SingleOrDefaultAsync(s => s.Id == id, ct);
        if (subscription is null)
            return Unknown();
        var siteKey = await db.Sites.Where(s => s.Id == subscription.SiteId).Select(s => s.Key).SingleAsync(ct);
        var before = new { secretHint = WebhookSignature.Hint(subscription.Secret) };
        subscription.Secret = WebhookSignature.NewSecret();
        subscription.Version++;
        events.AppendAdminEvent(db, AdminEventTypes.WebhookSecretRotated, principal.ActorId(), Target(subscription, siteKey), before,
            new { secretHint = WebhookSignature.Hint(subscription.Secret) });
        await db.SaveChangesAsync(ct);
        return Results.Ok(new WebhookWithSecretDto(ToDto(subscription, siteKey), subscription.Secret));
    }

    private static async Task<IResult> DeliveriesAsync(Guid id, ChatDeskDbContext db, CancellationToken ct)
    {
        if (!await db.WebhookSubscriptions.AnyAsync(s => s.Id == id, ct))
            return Unknown();
        var rows = await db.Outbox.AsNoTracking().Where(o => o.SubscriptionId == id).OrderByDescending(o => o.CreatedAt).ThenBy(o => o.Id)
            .Take(RecentDeliveries).ToListAsync(ct);
        return Results.Ok(rows.Select(ToDto).ToList());
    }

    private static async Task<IResult> ReplayAsync(
        Guid deliveryId, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, TimeProvider clock, CancellationToken ct)
    {
        var delivery = await db.Outbox.SingleOrDefaultAsync(o => o.Id == deliveryId && o.Channel == OutboxChannels.Webhook, ct);
        if (delivery is null)
            return Results.Problem(title: "Unknown delivery", statusCode: StatusCodes.Status404NotFound);
        if (delivery.Status != OutboxStatus.Failed)
            return Results.Problem(title: "Not failed", detail: "Only a failed delivery can be replayed.", statusCode: StatusCodes.Status409Conflict);
        var subscription = await db.WebhookSubscriptions.AsNoTracking().SingleAsync(s => s.Id == delivery.SubscriptionId, ct);
        if (!subscription.Enabled)
            return Results.Problem(title: "Subscription disabled", detail: "Enable the subscription before replaying its deliveries.",
                statusCode: StatusCodes.Status409Conflict);
        var siteKey = await db.Sites.Where(s => s.Id == subscription.SiteId).Select(s => s.Key).SingleAsync(ct);
        // Conditional on the row still being failed: two admins replaying at once send it once.
        var replayed = await db.Outbox.Where(o => o.Id == deliveryId && o.Status == OutboxStatus.Failed).ExecuteUpdateAsync(u => u
            .SetProperty(o => o.Status, OutboxStatus.Pending).SetProperty(o => o.Attempts, 0).SetProperty(o => o.NextAttemptAt, clock.UtcNowForStorage())
            .SetProperty(o => o.CompletedAt, (DateTimeOffset?)null).SetProperty(o => o.ClaimedBy, (string?)null), ct);
        if (replayed == 0)
            return Results.Problem(title: "Not failed", detail: "Only a failed delivery can be replayed.", statusCode: StatusCodes.Status409Conflict);
        events.AppendAdminEvent(db, AdminEventTypes.WebhookDeliveryReplayed, principal.ActorId(), Target(subscription, siteKey), null,
            new { deliveryId, delivery.Kind });
        await db.SaveChangesAsync(ct);
        await db.Entry(delivery).ReloadAsync(ct);
        return Results.Ok(ToDto(delivery));
    }

    private sealed record Fields(string Url, List<string> Events, string Description);

    private static async Task<Fields> ValidateAsync(WebhookInput request, OutboxOptions options, FieldErrors errors, CancellationToken ct)
    {
        var url = request.Url?.Trim() ?? "";
        if (WebhookUrls.Problem(url) is { } problem)
            errors.Add("url", problem);
        else if (!options.AllowPrivateTargets && await WebhookUrls.RefusedTargetAsync(new Uri(url), ct) is { } refusal)
            errors.Add("url", refusal);

        var kinds = (request.Events ?? []).Select(e => e?.Trim() ?? "").Distinct().ToList();
        if (kinds.Count == 0)
            errors.Add("events", "Choose at least one event.");
        foreach (var unknown in kinds.Where(k => !WebhookKinds.All.Contains(k)))
            errors.Add("events", $"'{(unknown.Length > 64 ? unknown[..64] : unknown)}' is not an event kind: use {string.Join(", ", WebhookKinds.All)}.");

        var description = request.Description?.Trim() ?? "";
        if (description.Length > 200)
            errors.Add("description", "A description has at most 200 characters.");
        return new Fields(url, kinds, description);
    }

    private static WebhookDto ToDto(WebhookSubscription s, string siteKey) =>
        new(s.Id, siteKey, s.Url, s.EventKinds, s.Enabled, s.Description, WebhookSignature.Hint(s.Secret), s.Version.ToString(), s.CreatedAt);

    private static WebhookDeliveryDto ToDto(OutboxItem o) =>
        new(o.Id, o.Kind, o.Status, o.Attempts, o.LastStatusCode, o.LatencyMs, o.LastError, o.CreatedAt, o.CompletedAt,
            o.Status == OutboxStatus.Pending ? o.NextAttemptAt : null);

    private static object Snapshot(WebhookSubscription s) => new { s.Url, events = s.EventKinds, s.Enabled, s.Description };

    private static AuditTarget Target(WebhookSubscription s, string siteKey) => new("webhook", s.Id.ToString(), $"{siteKey}: {s.Url}");

    private static IResult Unknown() => Results.Problem(title: "Unknown webhook", statusCode: StatusCodes.Status404NotFound);
}

/// <summary>What a webhook URL may be: absolute http(s), no credentials or fragment, and (unless allowed) not a private target.</summary>
public static class WebhookUrls
{
    public const int MaxLength = 2048;

    public static string? Problem(string url)
    {
        if (url.Length is 0 or > MaxLength)
            return $"A URL of 1 to {MaxLength} characters is needed, e.g. https://example.com/chatdesk-hook.";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return "Use an absolute http or https URL, e.g. https://example.com/chatdesk-hook.";
        if (uri.UserInfo.Length > 0)
            return "Leave credentials out of the URL: requests are signed with the secret.";
        if (uri.Fragment.Length > 0)
            return "Leave the #fragment out of the URL.";
        return null;
    }

    /// <summary>Resolves the host now (it is checked again at every connection); a name that does not resolve is refused too.</summary>
    public static async Task<string?> RefusedTargetAsync(Uri uri, CancellationToken ct)
    {
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.DnsSafeHost, out var literal))
            addresses = [literal];
        else
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                addresses = await Dns.GetHostAddressesAsync(uri.DnsSafeHost, timeout.Token);
            }
            catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                return $"The host {uri.Host} could not be resolved.";
            }
        }
        foreach (var address in addresses)
            if (TargetAddresses.Refusal(address) is { } why)
                return TargetAddresses.Describe(uri.Host, address, why);
        return null;
    }
}
