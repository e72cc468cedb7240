using ChatDesk.Server.Data;
using ChatDesk.Server.Routing;
using ChatDesk.Server.Widget;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Identity;

public sealed record DemoAccount(string Email, string Password, string DisplayName, string[] Roles, (string Skill, int Proficiency)[] Skills);

/// <summary>
/// Creates the roles, the first admin from configuration and, in demo mode only, a demo site with
/// demo accounts. Outside demo mode no account with a known password is ever created.
/// </summary>
public sealed class IdentitySeeder(
    ChatDeskDbContext db, UserManager<ApplicationUser> users, RoleManager<IdentityRole> roles,
    IConfiguration configuration, TimeProvider clock, ILogger<IdentitySeeder> logger)
{
    public static readonly DemoAccount[] DemoAccounts =
    [
        new("admin@chatdesk.local", "admin-demo-pass", "Ada Admin", [Roles.Admin], []),
        new("manager@chatdesk.local", "manager-demo-pass", "Max Manager", [Roles.Manager], []),
        new("alice@chatdesk.local", "alice-demo-pass", "Alice", [Roles.Operator], [("billing", 5), ("technical", 2)]),
        new("bob@chatdesk.local", "bob-demo-pass", "Bob", [Roles.Operator], [("technical", 5), ("sales", 3)]),
        new("chloe@chatdesk.local", "chloe-demo-pass", "Chloé", [Roles.Operator], [("sales", 5), ("billing", 3)]),
    ];

    private static readonly (string Key, string En, string Fr)[] DemoTopics =
    [
        ("billing", "Billing", "Facturation"),
        ("technical", "Technical support", "Support technique"),
        ("sales", "Sales", "Ventes"),
    ];

    public async Task SeedAsync(CancellationToken cancellationToken = default)
    {
        foreach (var role in Roles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));

        await SeedFirstAdminAsync();
        if (configuration.GetValue("ChatDesk:Demo:Enabled", false))
            await SeedDemoAsync(cancellationToken);
    }

    private async Task SeedFirstAdminAsync()
    {
        var email = configuration["ChatDesk:FirstAdmin:Email"];
        var password = configuration["ChatDesk:FirstAdmin:Password"];
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password) || (await users.GetUsersInRoleAsync(Roles.Admin)).Count > 0)
            return;
        await CreateUserAsync(new DemoAccount(email, password, configuration["ChatDesk:FirstAdmin:DisplayName"] ?? "Administrator", [Roles.Admin], []), new Dictionary<string, Guid>());
        logger.LogInformation("Created the first admin {Email} from configuration", email);
    }

    private async Task SeedDemoAsync(CancellationToken cancellationToken)
    {
        var skills = new Dictionary<string, Guid>();
        foreach (var (key, en, _) in DemoTopics)
        {
            var skill = await db.Skills.SingleOrDefaultAsync(s => s.Key == key, cancellationToken);
            if (skill is null)
            {
                skill = new Skill { Id = Guid.NewGuid(), Key = key, Name = en };
                db.Skills.Add(skill);
            }
            skills[key] = skill.Id;
        }

        var site = await db.Sites.SingleOrDefaultAsync(s => s.Key == "demo", cancellationToken);
        if (site is null)
        {
            site = new Site { Id = Guid.NewGuid(), Key = "demo", Name = "Demo Outdoor Shop", CreatedAt = clock.UtcNowForStorage() };
            db.Sites.Add(site);
            var order = 0;
            foreach (var (key, en, fr) in DemoTopics)
                db.SiteTopics.Add(new SiteTopic { Id = Guid.NewGuid(), SiteId = site.Id, Key = key, SkillId = skills[key], LabelEn = en, LabelFr = fr, SortOrder = order++ });
        }
        // The demo site's origin follows the port ChatDesk runs on, so it is refreshed at each start.
        site.AllowedOrigins = (configuration["ChatDesk:Demo:SiteOrigins"] ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        await db.SaveChangesAsync(cancellationToken);

        foreach (var account in DemoAccounts)
            if (await users.FindByEmailAsync(account.Email) is null)
                await CreateUserAsync(account, skills);
    }

    private async Task CreateUserAsync(DemoAccount account, IReadOnlyDictionary<string, Guid> skills)
    {
        var user = new ApplicationUser { UserName = account.Email, Email = account.Email, EmailConfirmed = true, DisplayName = account.DisplayName };
        var result = await users.CreateAsync(user, account.Password);
        if (!result.Succeeded)
            throw new InvalidOperationException($"Cannot create {account.Email}: {string.Join(" ", result.Errors.Select(e => e.Description))}");
        await users.AddToRolesAsync(user, account.Roles);
        foreach (var (skill, proficiency) in account.Skills)
            db.OperatorSkills.Add(new OperatorSkill { OperatorId = user.Id, SkillId = skills[skill], Proficiency = proficiency });
        await db.SaveChangesAsync();
    }
}
