using System.Net;
using System.Security.Claims;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Widget;

public sealed record TopicInput(string? Key, string? LabelEn, string? LabelFr, string? Skill, int Priority);

public sealed record SiteSummaryDto(string Key, string Name, IReadOnlyList<string> AllowedOrigins, bool Disabled, int TopicCount);

public sealed record SiteAdminDto(
    string Key, string Name, IReadOnlyList<string> AllowedOrigins, string TimeZone, IReadOnlyList<string> Languages, bool Disabled,
    bool MissWhenOnlyAway, int? RetentionDays, IReadOnlyList<TopicInput> Topics, string Version, string Snippet);

public sealed record CreateSiteRequest(
    string? Key, string? Name, IReadOnlyList<string>? AllowedOrigins, string? TimeZone, IReadOnlyList<string>? Languages, IReadOnlyList<TopicInput>? Topics);

public sealed record UpdateSiteRequest(
    string? Name, IReadOnlyList<string>? AllowedOrigins, string? TimeZone, IReadOnlyList<string>? Languages, bool Disabled, bool MissWhenOnlyAway,
    int? RetentionDays, IReadOnlyList<TopicInput>? Topics, string? Version);

/// <summary>Admins create sites and edit their name, origins, topics, languages, time zone, retention and whether they are open.</summary>
public static class SiteAdminEndpoints
{
    public const int MaxTopics = 50;

    public static IEndpointRouteBuilder MapSiteAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin/sites")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .AddEndpointFilter<AntiforgeryFilter>();

        group.MapGet("", async (ChatDeskDbContext db, CancellationToken ct) =>
        {
            var sites = await db.Sites.AsNoTracking().OrderBy(s => s.Name).ThenBy(s => s.Key).ToListAsync(ct);
            var topicCounts = await db.SiteTopics.GroupBy(t => t.SiteId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(x => x.Key, x => x.Count, ct);
            return sites.Select(s => new SiteSummaryDto(s.Key, s.Name, s.AllowedOrigins, s.DisabledAt is not null, topicCounts.GetValueOrDefault(s.Id))).ToList();
        });

        group.MapGet("/{key}", async (string key, HttpContext context, ChatDeskDbContext db, CancellationToken ct) =>
        {
            var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Key == key, ct);
            return site is null ? UnknownSite() : Results.Ok(await ToDtoAsync(db, site, PublicUrl.Of(context), ct));
        });

        group.MapPost("", CreateAsync);
        group.MapPut("/{key}", UpdateAsync);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        CreateSiteRequest request, ClaimsPrincipal principal, HttpContext context, ChatDeskDbContext db, EventLog events, TimeProvider clock,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var key = request.Key?.Trim() ?? "";
        if (!Keys.Format().IsMatch(key))
            errors.Add("key", "Use 1 to 64 lower-case letters, digits or dashes, e.g. shop or help-center.");
        var fields = await ValidateAsync(db, request.Name, request.AllowedOrigins, request.TimeZone ?? "UTC", request.Languages, null, request.Topics ?? [], errors, ct);
        if (errors.Any)
            return errors.ToResult("The site has errors");
        if (await db.Sites.AnyAsync(s => s.Key == key, ct))
            return Results.Problem(title: "Site already exists", detail: $"A site with the key '{key}' already exists.", statusCode: StatusCodes.Status409Conflict);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var site = new Site { Id = Guid.NewGuid(), Key = key, Name = fields.Name, CreatedAt = clock.UtcNowForStorage() };
        Apply(site, fields);
        db.Sites.Add(site);
        ReplaceTopics(db, site, [], fields.Topics);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: Npgsql.PostgresErrorCodes.UniqueViolation })
        {
            return Results.Problem(title: "Site already exists", detail: $"A site with the key '{key}' already exists.", statusCode: StatusCodes.Status409Conflict);
        }
        events.AppendAdminEvent(db, AdminEventTypes.SiteCreated, principal.ActorId(), Target(site), null, Snapshot(site, request.Topics ?? []));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return Results.Created($"/api/admin/sites/{key}", await ToDtoAsync(db, site, PublicUrl.Of(context), ct));
    }

    private static async Task<IResult> UpdateAsync(
        string key, UpdateSiteRequest request, ClaimsPrincipal principal, HttpContext context, ChatDeskDbContext db, EventLog events,
        TimeProvider clock, CancellationToken ct)
    {
        var site = await db.Sites.SingleOrDefaultAsync(s => s.Key == key, ct);
        if (site is null)
            return UnknownSite();
        var errors = new FieldErrors();
        // A whole site is sent back: a script that leaves a list out must not wipe its topics or origins.
        if (request.AllowedOrigins is null)
            errors.Add("allowedOrigins", "Send the site's allowed origins (an empty list closes the site to every website).");
        if (request.Topics is null)
            errors.Add("topics", "Send the site's topics (an empty list removes them all).");
        var fields = await ValidateAsync(db, request.Name, request.AllowedOrigins, request.TimeZone, request.Languages, request.RetentionDays, request.Topics ?? [], errors, ct);
        if (errors.Any)
            return errors.ToResult("The site has errors");
        if (request.Version != site.Version.ToString())
            return PeopleEndpoints.Stale();

        var existing = await db.SiteTopics.Where(t => t.SiteId == site.Id).OrderBy(t => t.SortOrder).ToListAsync(ct);
        var before = Snapshot(site, await TopicInputsAsync(db, existing, ct));
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        Apply(site, fields);
        site.DisabledAt = request.Disabled ? site.DisabledAt ?? clock.UtcNowForStorage() : null;
        site.MissWhenOnlyAway = request.MissWhenOnlyAway;
        site.Version++;
        ReplaceTopics(db, site, existing, fields.Topics);
        events.AppendAdminEvent(db, AdminEventTypes.SiteUpdated, principal.ActorId(), Target(site), before, Snapshot(site, request.Topics ?? []));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            return PeopleEndpoints.Stale(); // another admin saved between our read and our write
        }
        await transaction.CommitAsync(ct);
        return Results.Ok(await ToDtoAsync(db, site, PublicUrl.Of(context), ct));
    }

    private sealed record SiteFields(string Name, List<string> Origins, string TimeZone, List<string> Languages, int? RetentionDays, List<SiteTopic> Topics);

    private static async Task<SiteFields> ValidateAsync(
        ChatDeskDbContext db, string? nameValue, IReadOnlyList<string>? originValues, string? timeZoneValue, IReadOnlyList<string>? languageValues,
        int? retentionDays, IReadOnlyList<TopicInput> topicInputs, FieldErrors errors, CancellationToken ct)
    {
        var name = nameValue?.Trim() ?? "";
        if (name.Length is 0 or > 200)
            errors.Add("name", "A site needs a name of 1 to 200 characters.");

        var origins = new List<string>();
        foreach (var value in (originValues ?? []).Where(o => !string.IsNullOrWhiteSpace(o)))
        {
            var (origin, problem) = SiteOrigins.Normalize(value);
            if (problem is not null)
                errors.Add("allowedOrigins", problem);
            else if (!origins.Contains(origin!))
                origins.Add(origin!);
        }
        if (origins.Count > SiteOrigins.MaxPerSite)
            errors.Add("allowedOrigins", $"At most {SiteOrigins.MaxPerSite} origins.");

        var timeZone = timeZoneValue?.Trim() ?? "";
        if (timeZone.Length is 0 or > 64 || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
            errors.Add("timeZone", "Use a time zone name such as Europe/Paris or UTC.");

        var languages = (languageValues is { Count: > 0 } ? languageValues : PersonRules.Languages).Select(l => l?.Trim().ToLowerInvariant() ?? "").Distinct().ToList();
        if (languages.Any(l => !PersonRules.Languages.Contains(l)))
            errors.Add("languages", "The widget speaks en and fr.");

        if (retentionDays is < 1 or > 3650)
            errors.Add("retentionDays", "Keep conversations 1 to 3650 days, or leave it empty to keep them.");

        if (topicInputs.Count > MaxTopics)
            errors.Add("topics", $"At most {MaxTopics} topics.");
        var skillKeys = topicInputs.Select(t => t.Skill?.Trim() ?? "").Distinct().ToList();
        var skills = await db.Skills.AsNoTracking().Where(s => skillKeys.Contains(s.Key) && s.RetiredAt == null).ToDictionaryAsync(s => s.Key, s => s.Id, ct);
        var topics = new List<SiteTopic>();
        for (var i = 0; i < topicInputs.Count; i++)
        {
            var input = topicInputs[i];
            var field = $"topics[{i}]";
            var topicKey = input.Key?.Trim() ?? "";
            if (!Keys.Format().IsMatch(topicKey))
                errors.Add($"{field}.key", "Use 1 to 64 lower-case letters, digits or dashes.");
            else if (topicInputs.Take(i).Any(t => t.Key?.Trim() == topicKey))
                errors.Add($"{field}.key", $"The topic '{topicKey}' is listed twice.");
            var labelEn = input.LabelEn?.Trim() ?? "";
            var labelFr = input.LabelFr?.Trim() ?? "";
            if (labelEn.Length is 0 or > 100)
                errors.Add($"{field}.labelEn", "An English label has 1 to 100 characters.");
            if (labelFr.Length is 0 or > 100)
                errors.Add($"{field}.labelFr", "A French label has 1 to 100 characters.");
            if (!skills.TryGetValue(input.Skill?.Trim() ?? "", out var skillId))
                errors.Add($"{field}.skill", "Choose one of the skills (not a retired one).");
            if (input.Priority is < 0 or > 100)
                errors.Add($"{field}.priority", "A priority is between 0 (normal) and 100.");
            topics.Add(new SiteTopic { Key = topicKey, LabelEn = labelEn, LabelFr = labelFr, SkillId = skillId, Priority = input.Priority, SortOrder = i });
        }
        return new SiteFields(name, origins, timeZone, languages, retentionDays, topics);
    }

    private static void Apply(Site site, SiteFields fields)
    {
        site.Name = fields.Name;
        site.AllowedOrigins = fields.Origins;
        site.TimeZone = fields.TimeZone;
        site.Languages = fields.Languages;
        site.RetentionDays = fields.RetentionDays;
    }

    /// <summary>Topics are matched by key: a kept topic keeps its id, a removed one is deleted (conversations keep its key).</summary>
    private static void ReplaceTopics(ChatDeskDbContext db, Site site, List<SiteTopic> existing, List<SiteTopic> wanted)
    {
        foreach (var old in existing.Where(o => wanted.All(w => w.Key != o.Key)))
            db.SiteTopics.Remove(old);
        foreach (var topic in wanted)
        {
            var current = existing.FirstOrDefault(o => o.Key == topic.Key);
            if (current is null)
            {
                topic.Id = Guid.NewGuid();
                topic.SiteId = site.Id;
                db.SiteTopics.Add(topic);
                continue;
            }
            current.LabelEn = topic.LabelEn;
            current.LabelFr = topic.LabelFr;
            current.SkillId = topic.SkillId;
            current.Priority = topic.Priority;
            current.SortOrder = topic.SortOrder;
        }
    }

    private static async Task<List<TopicInput>> TopicInputsAsync(ChatDeskDbContext db, IReadOnlyList<SiteTopic> topics, CancellationToken ct)
    {
        var skillIds = topics.Select(t => t.SkillId).Distinct().ToList();
        var skills = await db.Skills.AsNoTracking().Where(s => skillIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Key, ct);
        return topics.OrderBy(t => t.SortOrder).Select(t => new TopicInput(t.Key, t.LabelEn, t.LabelFr, skills.GetValueOrDefault(t.SkillId), t.Priority)).ToList();
    }

    private static async Task<SiteAdminDto> ToDtoAsync(ChatDeskDbContext db, Site site, string publicUrl, CancellationToken ct)
    {
        var topics = await db.SiteTopics.AsNoTracking().Where(t => t.SiteId == site.Id).ToListAsync(ct);
        return new SiteAdminDto(site.Key, site.Name, site.AllowedOrigins, site.TimeZone, site.Languages, site.DisabledAt is not null, site.MissWhenOnlyAway,
            site.RetentionDays, await TopicInputsAsync(db, topics, ct), site.Version.ToString(), Snippet(publicUrl, site.Key));
    }

    public static string Snippet(string publicUrl, string siteKey) =>
        $"<script src=\"{WebUtility.HtmlEncode(publicUrl)}/widget/widget.js\" async data-site=\"{WebUtility.HtmlEncode(siteKey)}\"></script>";

    private static object Snapshot(Site site, IReadOnlyList<TopicInput> topics) => new
    {
        name = site.Name, allowedOrigins = site.AllowedOrigins, timeZone = site.TimeZone, languages = site.Languages, disabled = site.DisabledAt is not null,
        missWhenOnlyAway = site.MissWhenOnlyAway, retentionDays = site.RetentionDays,
        topics = topics.Select(t => new { key = t.Key?.Trim(), labelEn = t.LabelEn?.Trim(), labelFr = t.LabelFr?.Trim(), skill = t.Skill?.Trim(), t.Priority }),
    };

    private static AuditTarget Target(Site site) => new("site", site.Key, site.Name);

    private static IResult UnknownSite() => Results.Problem(title: "Unknown site", statusCode: StatusCodes.Status404NotFound);
}
