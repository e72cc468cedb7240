using System.Security.Claims;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Files;
using ChatDesk.Server.Identity;
using ChatDesk.Server.Widget;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Routing;

public sealed record SkillDto(Guid Id, string Key, string Name, bool Retired);

public sealed record CreateSkillRequest(string? Key, string? Name);

public sealed record RenameSkillRequest(string? Name);

public sealed record SkillLevel(string Skill, int Proficiency);

public sealed record OperatorRoutingDto(
    string Id, string Email, string DisplayName, string Status, int MaxConcurrentChats, IReadOnlyList<SkillLevel> Skills);

public sealed record UpdateOperatorRoutingRequest(int? MaxConcurrentChats, IReadOnlyList<SkillLevel>? Skills);

public sealed record PageRuleDto(string UrlPattern, string Skill);

/// <param name="TypingPreview">Null leaves it unchanged.</param>
/// <param name="WrapUpTimeoutSeconds">Null leaves it unchanged.</param>
/// <param name="MaxFileBytes">Largest file that may be sent in a chat; null leaves it unchanged.</param>
/// <param name="AllowedFileTypes">File extensions that may be sent; null leaves them unchanged.</param>
/// <param name="CobrowseKeepRecording">Keep co-browse recordings after the session (off by default); null leaves it unchanged.</param>
public sealed record SiteRoutingDto(
    bool OfferMode, int RingTimeoutSeconds, bool RouteByLanguage, BusinessHours? BusinessHours,
    IReadOnlyList<PageRuleDto> PageRules, IReadOnlyDictionary<string, int> TopicPriorities,
    bool? TypingPreview = null, int? WrapUpTimeoutSeconds = null,
    int? FcrRepeatWindowHours = null, int? ServiceLevelSeconds = null, int? ShortAbandonSeconds = null,
    long? MaxFileBytes = null, IReadOnlyList<string>? AllowedFileTypes = null, bool? CobrowseKeepRecording = null);

/// <summary>Admins manage skills and each operator's proficiency levels and capacity.</summary>
public static class RoutingAdminEndpoints
{
    public const int MaxCapacity = 50;

    public static IEndpointRouteBuilder MapRoutingAdmin(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/admin")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .AddEndpointFilter<AntiforgeryFilter>();

        group.MapGet("/skills", async (ChatDeskDbContext db) =>
            (await db.Skills.AsNoTracking().OrderBy(s => s.Key).ToListAsync()).Select(ToDto));

        group.MapPost("/skills", async (CreateSkillRequest request, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events) =>
        {
            var key = request.Key?.Trim() ?? "";
            var errors = new FieldErrors();
            if (!Keys.Format().IsMatch(key))
                errors.Add("key", "Use 1 to 64 lower-case letters, digits or dashes, e.g. billing or lang-fr.");
            var name = SkillName(request.Name, errors);
            if (errors.Any)
                return errors.ToResult("Invalid skill");
            if (await db.Skills.AnyAsync(s => s.Key == key))
                return Results.Problem(title: "Skill already exists", detail: $"A skill with the key '{key}' already exists.", statusCode: StatusCodes.Status409Conflict);
            var skill = new Skill { Id = Guid.NewGuid(), Key = key, Name = name! };
            db.Skills.Add(skill);
            events.AppendAdminEvent(db, AdminEventTypes.SkillCreated, principal.ActorId(), Target(skill), null, new { key, name });
            await db.SaveChangesAsync();
            return Results.Created($"/api/admin/skills/{skill.Id}", ToDto(skill));
        });

        group.MapPut("/skills/{id:guid}", async (Guid id, RenameSkillRequest request, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events) =>
        {
            var skill = await db.Skills.SingleOrDefaultAsync(s => s.Id == id);
            if (skill is null)
                return UnknownSkill();
            var errors = new FieldErrors();
            var name = SkillName(request.Name, errors);
            if (errors.Any)
                return errors.ToResult("Invalid skill");
            if (skill.Name != name)
            {
                events.AppendAdminEvent(db, AdminEventTypes.SkillUpdated, principal.ActorId(), Target(skill), new { name = skill.Name }, new { name });
                skill.Name = name!;
                await db.SaveChangesAsync();
            }
            return Results.Ok(ToDto(skill));
        });

        group.MapPost("/skills/{id:guid}/retire", async (Guid id, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events, TimeProvider clock) =>
        {
            var skill = await db.Skills.SingleOrDefaultAsync(s => s.Id == id);
            if (skill is null)
                return UnknownSkill();
            var users = await db.SiteTopics.Where(t => t.SkillId == id).Select(t => t.Key)
                .Union(db.SitePageRules.Where(r => r.SkillId == id).Select(r => r.UrlPattern)).ToListAsync();
            if (users.Count > 0)
                return Results.Problem(title: "Skill in use", statusCode: StatusCodes.Status409Conflict,
                    detail: $"Site topics or page rules still ask for this skill ({string.Join(", ", users.Take(5))}); point them at another skill first.");
            if (skill.RetiredAt is null)
            {
                skill.RetiredAt = clock.UtcNowForStorage();
                events.AppendAdminEvent(db, AdminEventTypes.SkillRetired, principal.ActorId(), Target(skill), new { retired = false }, new { retired = true });
                await db.SaveChangesAsync();
            }
            return Results.Ok(ToDto(skill));
        });

        group.MapPost("/skills/{id:guid}/restore", async (Guid id, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events) =>
        {
            var skill = await db.Skills.SingleOrDefaultAsync(s => s.Id == id);
            if (skill is null)
                return UnknownSkill();
            if (skill.RetiredAt is not null)
            {
                skill.RetiredAt = null;
                events.AppendAdminEvent(db, AdminEventTypes.SkillRestored, principal.ActorId(), Target(skill), new { retired = true }, new { retired = false });
                await db.SaveChangesAsync();
            }
            return Results.Ok(ToDto(skill));
        });

        group.MapGet("/operators", async (ChatDeskDbContext db) =>
        {
            var operatorRole = await db.Roles.Where(r => r.Name == Roles.Operator).Select(r => r.Id).SingleAsync();
            var operators = await db.Users.AsNoTracking()
                .Where(u => db.UserRoles.Any(r => r.UserId == u.Id && r.RoleId == operatorRole))
                .OrderBy(u => u.DisplayName).ToListAsync();
            var levels = await (from s in db.OperatorSkills join k in db.Skills on s.SkillId equals k.Id select new { s.OperatorId, k.Key, s.Proficiency }).ToListAsync();
            return operators.Select(u => new OperatorRoutingDto(u.Id, u.Email!, u.DisplayName, u.Status, u.MaxConcurrentChats,
                levels.Where(l => l.OperatorId == u.Id).OrderBy(l => l.Key).Select(l => new SkillLevel(l.Key, l.Proficiency)).ToList()));
        });

        group.MapPut("/operators/{id}/routing", async (string id, UpdateOperatorRoutingRequest request, ClaimsPrincipal principal, ChatDeskDbContext db,
            RoutingService routing, EventLog events) =>
        {
            var user = await db.Users.SingleOrDefaultAsync(u => u.Id == id);
            if (user is null)
                return Results.Problem(title: "Unknown operator", statusCode: StatusCodes.Status404NotFound);
            if (request.MaxConcurrentChats is { } capacity && capacity is < 1 or > MaxCapacity)
                return Problem("Invalid capacity", $"The maximum number of concurrent chats must be between 1 and {MaxCapacity}.");
            var levels = request.Skills ?? [];
            if (levels.FirstOrDefault(l => l.Proficiency is < 1 or > 5) is { } badLevel)
                return Problem("Invalid proficiency", $"Proficiency for '{badLevel.Skill}' must be between 1 and 5.");
            if (levels.GroupBy(l => l.Skill).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
                return Problem("Duplicate skill", $"'{duplicate.Key}' is listed more than once.");
            var keys = levels.Select(l => l.Skill).ToList();
            var skills = await db.Skills.Where(s => keys.Contains(s.Key) && s.RetiredAt == null).ToDictionaryAsync(s => s.Key, s => s.Id);
            var unknown = keys.Where(k => !skills.ContainsKey(k)).ToList();
            if (unknown.Count > 0)
                return Problem("Unknown skills", $"No such skill: {string.Join(", ", unknown)}.");

            var before = await OperatorRoutingSnapshotAsync(db, user);
            await using var transaction = await db.Database.BeginTransactionAsync();
            if (request.MaxConcurrentChats is { } newCapacity)
                user.MaxConcurrentChats = newCapacity;
            if (request.Skills is not null)
            {
                await db.OperatorSkills.Where(s => s.OperatorId == id).ExecuteDeleteAsync();
                db.OperatorSkills.AddRange(levels.Select(l => new OperatorSkill { OperatorId = id, SkillId = skills[l.Skill], Proficiency = l.Proficiency }));
            }
            events.AppendAdminEvent(db, AdminEventTypes.OperatorRoutingUpdated, principal.ActorId(), new AuditTarget("person", user.Id, user.Email!), before,
                new { maxConcurrentChats = user.MaxConcurrentChats, skills = request.Skills is null ? before.Skills : levels.OrderBy(l => l.Skill).ToList() });
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            await routing.DispatchAsync(); // more capacity or a new skill may let waiting chats through
            return Results.NoContent();
        });

        group.MapGet("/sites/{key}/routing", async (string key, ChatDeskDbContext db) =>
        {
            var site = await db.Sites.AsNoTracking().SingleOrDefaultAsync(s => s.Key == key);
            return site is null
                ? Results.Problem(title: "Unknown site", statusCode: StatusCodes.Status404NotFound)
                : Results.Ok(await SiteRoutingAsync(db, site));
        });

        group.MapPut("/sites/{key}/routing", async (string key, SiteRoutingDto request, ClaimsPrincipal principal, ChatDeskDbContext db, EventLog events) =>
        {
            var site = await db.Sites.SingleOrDefaultAsync(s => s.Key == key);
            if (site is null)
                return Results.Problem(title: "Unknown site", statusCode: StatusCodes.Status404NotFound);
            if (request.RingTimeoutSeconds is < 5 or > 600)
                return Problem("Invalid ring timeout", "The ring timeout must be between 5 and 600 seconds.");
            if (request.WrapUpTimeoutSeconds is < 10 or > 86_400)
                return Problem("Invalid wrap-up timeout", "The wrap-up timeout must be between 10 seconds and 24 hours.");
            if (request.FcrRepeatWindowHours is < 1 or > 24 * 90)
                return Problem("Invalid repeat window", "The FCR repeat window is between 1 hour and 90 days.");
            if (request.ServiceLevelSeconds is < 1 or > 3600 || request.ShortAbandonSeconds is < 0 or > 600)
                return Problem("Invalid KPI threshold", "Service level is 1 to 3600 seconds; short abandon 0 (off) to 600 seconds.");
            if (request.MaxFileBytes is < FileTypes.MinConfigurableBytes or > FileTypes.MaxConfigurableBytes)
                return Problem("Invalid file size limit", $"The file size limit is between {FileTypes.MinConfigurableBytes} bytes and {FileTypes.MaxConfigurableBytes / (1024 * 1024)} MB.");
            var fileTypes = request.AllowedFileTypes?.Select(t => t.Trim().TrimStart('.').ToLowerInvariant()).Distinct().ToList();
            if (fileTypes?.Where(t => !FileTypes.Known.ContainsKey(t)).ToList() is { Count: > 0 } unknownTypes)
                return Problem("Unknown file types", $"ChatDesk cannot check the content of: {string.Join(", ", unknownTypes)}. Known: {string.Join(", ", FileTypes.Known.Keys)}.");
            if (request.BusinessHours?.Problems.FirstOrDefault() is { } hoursProblem)
                return Problem("Invalid business hours", hoursProblem);
            var rules = request.PageRules ?? [];
            if (rules.FirstOrDefault(r => string.IsNullOrWhiteSpace(r.UrlPattern) || r.UrlPattern.Length > 512) is { } badRule)
                return Problem("Invalid page rule", $"A URL pattern needs 1 to 512 characters (got '{badRule.UrlPattern}').");
            var skillKeys = rules.Select(r => r.Skill).Distinct().ToList();
            var skills = await db.Skills.Where(k => skillKeys.Contains(k.Key) && k.RetiredAt == null).ToDictionaryAsync(k => k.Key, k => k.Id);
            if (skillKeys.Where(k => !skills.ContainsKey(k)).ToList() is { Count: > 0 } unknownSkills)
                return Problem("Unknown skills", $"No such skill: {string.Join(", ", unknownSkills)}.");
            var topics = await db.SiteTopics.Where(t => t.SiteId == site.Id).ToListAsync();
            var priorities = request.TopicPriorities ?? new Dictionary<string, int>();
            if (priorities.Keys.Where(k => topics.All(t => t.Key != k)).ToList() is { Count: > 0 } unknownTopics)
                return Problem("Unknown topics", $"This site has no topic: {string.Join(", ", unknownTopics)}.");
            if (priorities.Values.Any(p => p is < 0 or > 100))
                return Problem("Invalid priority", "A topic priority is between 0 (normal) and 100.");

            var before = await SiteRoutingAsync(db, site);
            await using var transaction = await db.Database.BeginTransactionAsync();
            site.OfferMode = request.OfferMode;
            site.RingTimeoutSeconds = request.RingTimeoutSeconds;
            site.RouteByLanguage = request.RouteByLanguage;
            site.BusinessHours = request.BusinessHours;
            site.TypingPreview = request.TypingPreview ?? site.TypingPreview;
            site.WrapUpTimeoutSeconds = request.WrapUpTimeoutSeconds ?? site.WrapUpTimeoutSeconds;
            site.FcrRepeatWindowHours = request.FcrRepeatWindowHours ?? site.FcrRepeatWindowHours;
            site.ServiceLevelSeconds = request.ServiceLevelSeconds ?? site.ServiceLevelSeconds;
            site.ShortAbandonSeconds = request.ShortAbandonSeconds ?? site.ShortAbandonSeconds;
            site.MaxFileBytes = request.MaxFileBytes ?? site.MaxFileBytes;
            site.AllowedFileTypes = fileTypes ?? site.AllowedFileTypes;
            site.CobrowseKeepRecording = request.CobrowseKeepRecording ?? site.CobrowseKeepRecording;
            foreach (var topic in topics)
                topic.Priority = priorities.GetValueOrDefault(topic.Key, topic.Priority);
            await db.SitePageRules.Where(r => r.SiteId == site.Id).ExecuteDeleteAsync();
            db.SitePageRules.AddRange(rules.Select(r => new SitePageRule { Id = Guid.NewGuid(), SiteId = site.Id, UrlPattern = r.UrlPattern.Trim(), SkillId = skills[r.Skill] }));
            try
            {
                await db.SaveChangesAsync();
            }
            catch (DbUpdateConcurrencyException)
            {
                return PeopleEndpoints.Stale(); // the site itself was saved in between: reload both forms
            }
            events.AppendAdminEvent(db, AdminEventTypes.SiteRoutingUpdated, principal.ActorId(), new AuditTarget("site", site.Key, site.Name), before,
                await SiteRoutingAsync(db, site));
            await db.SaveChangesAsync();
            await transaction.CommitAsync();
            return Results.NoContent();
        });

        return app;
    }

    private static async Task<SiteRoutingDto> SiteRoutingAsync(ChatDeskDbContext db, Site site)
    {
        var rules = await (from r in db.SitePageRules join k in db.Skills on r.SkillId equals k.Id where r.SiteId == site.Id
                           orderby r.UrlPattern select new PageRuleDto(r.UrlPattern, k.Key)).ToListAsync();
        var priorities = await db.SiteTopics.Where(t => t.SiteId == site.Id).ToDictionaryAsync(t => t.Key, t => t.Priority);
        return new SiteRoutingDto(site.OfferMode, site.RingTimeoutSeconds, site.RouteByLanguage, site.BusinessHours, rules, priorities,
            site.TypingPreview, site.WrapUpTimeoutSeconds, site.FcrRepeatWindowHours, site.ServiceLevelSeconds, site.ShortAbandonSeconds,
            site.MaxFileBytes, site.AllowedFileTypes, site.CobrowseKeepRecording);
    }

    private static async Task<OperatorRoutingSnapshot> OperatorRoutingSnapshotAsync(ChatDeskDbContext db, Identity.ApplicationUser user) =>
        new(user.MaxConcurrentChats, await (from s in db.OperatorSkills join k in db.Skills on s.SkillId equals k.Id
                                            where s.OperatorId == user.Id orderby k.Key select new SkillLevel(k.Key, s.Proficiency)).ToListAsync());

    private sealed record OperatorRoutingSnapshot(int MaxConcurrentChats, IReadOnlyList<SkillLevel> Skills);

    private static string? SkillName(string? value, FieldErrors errors)
    {
        var name = value?.Trim() ?? "";
        if (name.Length is > 0 and <= 100)
            return name;
        errors.Add("name", "A skill needs a name of 1 to 100 characters.");
        return null;
    }

    private static SkillDto ToDto(Skill skill) => new(skill.Id, skill.Key, skill.Name, skill.RetiredAt is not null);

    private static AuditTarget Target(Skill skill) => new("skill", skill.Id.ToString(), skill.Key);

    private static IResult UnknownSkill() => Results.Problem(title: "Unknown skill", statusCode: StatusCodes.Status404NotFound);

    private static IResult Problem(string title, string detail) =>
        Results.Problem(title: title, detail: detail, statusCode: StatusCodes.Status400BadRequest);
}
