using System.Text.Json;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Admin;

public sealed record AuditEntry(
    long Id, string Type, DateTimeOffset OccurredAt, string? ActorId, string? ActorName, string TargetKind, string TargetId, string TargetLabel,
    JsonElement? Before, JsonElement? After);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? Next);

/// <summary>The admin.* events, newest first, filtered and paged by keyset (the event id).</summary>
public static class AuditEndpoints
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/audit", async (
                string? type, string? actor, string? target, string? from, string? to, string? before, int? limit,
                ChatDeskDbContext db, CancellationToken ct) =>
            {
                var errors = new FieldErrors();
                if (type is { Length: > 64 } || type?.Any(c => !(char.IsAsciiLetterLower(c) || c is '.' or '_')) == true)
                    errors.Add("type", "A type is a prefix such as admin.site or admin.person_disabled.");
                if (limit is < 1 or > MaxLimit)
                    errors.Add("limit", $"Ask for 1 to {MaxLimit} entries.");
                long? cursor = null;
                if (!string.IsNullOrEmpty(before))
                {
                    if (long.TryParse(before, out var parsed) && parsed > 0)
                        cursor = parsed;
                    else
                        errors.Add("before", "Pass the next value of the previous page.");
                }
                if (actor is { Length: > 450 } || target is { Length: > 450 })
                    errors.Add(actor is { Length: > 450 } ? "actor" : "target", "Too long.");
                var start = Bound(from, "from", errors, endOfDay: false);
                var end = Bound(to, "to", errors, endOfDay: true);
                if (start > end)
                    errors.Add("to", "The end is before the start.");
                if (errors.Any)
                    return errors.ToResult("Invalid audit filter");

                var query = db.Events.AsNoTracking().Where(e => e.Type.StartsWith(AdminEventTypes.Prefix));
                if (!string.IsNullOrEmpty(type))
                    query = query.Where(e => e.Type.StartsWith(type));
                if (!string.IsNullOrEmpty(actor))
                    query = query.Where(e => e.OperatorId == actor);
                if (!string.IsNullOrEmpty(target))
                    query = query.Where(e => EF.Functions.JsonContains(e.Data, JsonSerializer.Serialize(new { target = new { id = target } })));
                if (start is { } notBefore)
                    query = query.Where(e => e.OccurredAt >= notBefore);
                if (end is { } notAfter)
                    query = query.Where(e => e.OccurredAt < notAfter);
                if (cursor is { } last)
                    query = query.Where(e => e.Id < last);
                var take = limit ?? DefaultLimit;
                var rows = await query.OrderByDescending(e => e.Id).Take(take + 1).ToListAsync(ct);
                var page = rows.Take(take).ToList();
                var actorIds = page.Select(e => e.OperatorId).OfType<string>().Distinct().ToList();
                var names = await db.Users.AsNoTracking().Where(u => actorIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, ct);
                var entries = page.Select(e => ToEntry(e, names)).ToList();
                return Results.Ok(new AuditPage(entries, rows.Count > take ? page[^1].Id.ToString() : null));
            })
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin));
        return app;
    }

    /// <summary>A date (yyyy-MM-dd, UTC, whole day included) or an ISO instant; <c>to</c> is exclusive as an instant.</summary>
    internal static DateTimeOffset? Bound(string? value, string field, FieldErrors errors, bool endOfDay)
    {
        if (string.IsNullOrEmpty(value))
            return null;
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", out var date))
            return new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(endOfDay ? 1 : 0);
        if (DateTimeOffset.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var instant))
            return instant.ToUniversalTime();
        errors.Add(field, "Use a date such as 2026-12-03.");
        return null;
    }

    private static AuditEntry ToEntry(EventRecord record, IReadOnlyDictionary<string, string> names)
    {
        using var data = JsonDocument.Parse(record.Data);
        var root = data.RootElement;
        var target = root.TryGetProperty("target", out var t) ? t : default;
        string Text(string name) => target.ValueKind == JsonValueKind.Object && target.TryGetProperty(name, out var v) ? v.GetString() ?? "" : "";
        JsonElement? Part(string name) => root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v.Clone() : null;
        return new AuditEntry(record.Id, record.Type, record.OccurredAt, record.OperatorId,
            record.OperatorId is null ? null : names.GetValueOrDefault(record.OperatorId), Text("kind"), Text("id"), Text("label"), Part("before"), Part("after"));
    }
}
