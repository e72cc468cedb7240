using System.Text;
using System.Text.RegularExpressions;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace ChatDesk.Server.CannedResponses;

public sealed record AnswerDto(
    Guid Id, string Title, string Shortcut, string Body, string? Category, string? Skill, string? Language,
    bool Personal, bool Retired, int UsageCount, DateTimeOffset? LastUsedAt, DateTimeOffset UpdatedAt);

public sealed record AnswerRequest(string? Title, string? Shortcut, string? Body, string? Category, string? Skill, string? Language, bool Personal = false);

public sealed record AnswerSuggestion(Guid Id, string Title, string Shortcut, string Text, string? Category);

public sealed record ImportError(int Line, string Message);

public sealed record ImportResult(int Imported, IReadOnlyList<ImportError> Errors);

/// <summary>A refused answer change: the HTTP status and what to tell the user.</summary>
public sealed class AnswerProblem(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>The answer library: shared answers (admins) and personal ones, search, usage, CSV.</summary>
public sealed partial class AnswerService(ChatDeskDbContext db, ChatService chats, NpgsqlDataSource dataSource, TimeProvider clock)
{
    public const int MaxSuggestions = 8;
    public static readonly string[] CsvColumns = ["shortcut", "title", "body", "category", "skill", "language"];

    [GeneratedRegex("^#[a-z0-9àâäçéèêëîïôöùûüÿœæ][a-z0-9àâäçéèêëîïôöùûüÿœæ_-]{0,62}$")]
    private static partial Regex ShortcutFormat();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    public async Task<IReadOnlyList<AnswerDto>> ListAsync(string userId, bool includeRetired, string? query = null, CancellationToken cancellationToken = default)
    {
        var like = string.IsNullOrWhiteSpace(query) ? null : "%" + EscapeLike(query.Trim()) + "%";
        var answers = await db.Answers.AsNoTracking()
            .Where(a => (a.OwnerId == null || a.OwnerId == userId) && (includeRetired || a.RetiredAt == null))
            .Where(a => like == null || EF.Functions.ILike(a.Shortcut, like) || EF.Functions.ILike(a.Title, like) || EF.Functions.ILike(a.Body, like)
                || EF.Functions.ILike(a.Category ?? "", like))
            .OrderBy(a => a.Category).ThenBy(a => a.Shortcut)
            .ToListAsync(cancellationToken);
        return await ToDtosAsync(answers, userId, cancellationToken);
    }

    public async Task<AnswerDto> CreateAsync(string userId, bool isAdmin, AnswerRequest request, CancellationToken cancellationToken = default)
    {
        if (!request.Personal && !isAdmin)
            throw new AnswerProblem(StatusCodes.Status403Forbidden, "Admins only", "Only admins can create shared answers; make it a personal answer instead.");
        var now = clock.UtcNowForStorage();
        var answer = new Answer { Id = Guid.CreateVersion7(now), OwnerId = request.Personal ? userId : null, Title = "", Shortcut = "", Body = "", CreatedAt = now };
        await ApplyAsync(answer, request, cancellationToken);
        db.Answers.Add(answer);
        await SaveAsync(cancellationToken);
        return (await ToDtosAsync([answer], userId, cancellationToken))[0];
    }

    public async Task<AnswerDto> UpdateAsync(string userId, bool isAdmin, Guid id, AnswerRequest request, CancellationToken cancellationToken = default)
    {
        var answer = await EditableAsync(userId, isAdmin, id, cancellationToken);
        await ApplyAsync(answer, request, cancellationToken);
        await SaveAsync(cancellationToken);
        return (await ToDtosAsync([answer], userId, cancellationToken))[0];
    }

    public async Task SetRetiredAsync(string userId, bool isAdmin, Guid id, bool retired, CancellationToken cancellationToken = default)
    {
        var answer = await EditableAsync(userId, isAdmin, id, cancellationToken);
        answer.RetiredAt = retired ? answer.RetiredAt ?? clock.UtcNowForStorage() : null;
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<string> ExportCsvAsync(CancellationToken cancellationToken = default)
    {
        var answers = await db.Answers.AsNoTracking().Where(a => a.OwnerId == null && a.RetiredAt == null).OrderBy(a => a.Shortcut).ToListAsync(cancellationToken);
        var skills = await db.Skills.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Key, cancellationToken);
        var csv = new StringBuilder().Append(Csv.Line(CsvColumns)).Append("\r\n");
        foreach (var a in answers)
            csv.Append(Csv.Line([a.Shortcut, a.Title, a.Body, a.Category, a.SkillId is { } s ? skills[s] : null, a.Language])).Append("\r\n");
        return csv.ToString();
    }

    /// <summary>Imports shared answers; each bad line is reported and skipped, the good ones are all stored.</summary>
    public async Task<ImportResult> ImportCsvAsync(string text, CancellationToken cancellationToken = default)
    {
        List<(int Line, List<string> Fields)> rows;
        try
        {
            rows = Csv.Parse(text).ToList();
        }
        catch (FormatException e)
        {
            throw new AnswerProblem(StatusCodes.Status400BadRequest, "Not a valid CSV file", e.Message);
        }
        if (rows.Count == 0 || !rows[0].Fields.Select(f => f.Trim().ToLowerInvariant()).SequenceEqual(CsvColumns))
            throw new AnswerProblem(StatusCodes.Status400BadRequest, "Unexpected columns", $"The first line must be: {string.Join(',', CsvColumns)}");

        var errors = new List<ImportError>();
        var imported = 0;
        var seen = new HashSet<string>();
        foreach (var (line, fields) in rows.Skip(1))
        {
            if (fields.Count != CsvColumns.Length)
            {
                errors.Add(new ImportError(line, $"Expected {CsvColumns.Length} fields, found {fields.Count}."));
                continue;
            }
            var request = new AnswerRequest(fields[1], fields[0], fields[2], NullIfEmpty(fields[3]), NullIfEmpty(fields[4]), NullIfEmpty(fields[5]));
            try
            {
                var now = clock.UtcNowForStorage();
                var answer = new Answer { Id = Guid.CreateVersion7(now), Title = "", Shortcut = "", Body = "", CreatedAt = now };
                await ApplyAsync(answer, request, cancellationToken);
                if (!seen.Add(answer.Shortcut))
                    throw new AnswerProblem(StatusCodes.Status409Conflict, "Shortcut already used", $"{answer.Shortcut} appears twice in the file.");
                db.Answers.Add(answer);
                imported++;
            }
            catch (AnswerProblem problem)
            {
                errors.Add(new ImportError(line, problem.Message));
            }
        }
        await SaveAsync(cancellationToken);
        return new ImportResult(imported, errors);
    }

    /// <summary>Answers for the composer: shortcut prefix first, then full-text matches, placeholders filled for this chat.</summary>
    public async Task<IReadOnlyList<AnswerSuggestion>> SuggestAsync(string operatorId, Guid conversationId, string? query, CancellationToken cancellationToken = default)
    {
        var text = (query ?? "").Trim().TrimStart('#', '/');
        if (text.Length > 100)
            text = text[..100];
        var conversation = await chats.VisibleTo(operatorId).Where(c => c.Id == conversationId)
            .Select(c => new
            {
                c.VisitorName, c.RequestedSkillIds, c.Language,
                OperatorName = db.Users.Where(u => u.Id == operatorId).Select(u => u.DisplayName).First(),
                SiteName = db.Sites.Where(s => s.Id == c.SiteId).Select(s => s.Name).First(),
            })
            .SingleOrDefaultAsync(cancellationToken)
            ?? throw new ChatException("Unknown conversation.");
        var values = new Dictionary<string, string?>
        {
            ["visitor.name"] = conversation.VisitorName,
            ["operator.name"] = conversation.OperatorName,
            ["site.name"] = conversation.SiteName,
        };

        // Small searches, each on its own index, merged: shortcut prefix first, then title matches, then
        // body matches, each by popularity (most used first); with nothing typed, the most used. An OR
        // across them, or scoring every matching body, would scan the whole library.
        await using var command = dataSource.CreateCommand($$"""
            WITH q AS (
                SELECT to_tsquery('english', chatdesk_unaccent($6)) || to_tsquery('french', chatdesk_unaccent($6)) AS query WHERE $6::text IS NOT NULL
            ),
            by_shortcut AS (
                SELECT a.id, 3 AS tier FROM answers a
                WHERE $4 <> '' AND a.shortcut LIKE $5 AND {{Eligible}}
                ORDER BY a.usage_count DESC, a.shortcut LIMIT $7
            ),
            by_title AS (
                SELECT a.id, 2 AS tier FROM answers a, q
                WHERE a.title_search @@ q.query AND {{Eligible}}
                ORDER BY a.usage_count DESC, a.shortcut LIMIT $7
            ),
            -- Bodies only when shortcuts and titles leave room: a short prefix matches thousands of bodies.
            by_body AS (
                SELECT a.id, 1 AS tier FROM answers a, q
                WHERE (SELECT count(*) FROM by_shortcut) + (SELECT count(*) FROM by_title) < $7
                  AND a.search @@ q.query AND {{Eligible}}
                ORDER BY a.usage_count DESC, a.shortcut LIMIT $7 * 2
            ),
            most_used AS (
                SELECT a.id, 0 AS tier FROM answers a
                WHERE $4 = '' AND {{Eligible}}
                ORDER BY a.usage_count DESC, a.shortcut LIMIT $7
            ),
            hits AS (
                SELECT * FROM by_shortcut UNION ALL SELECT * FROM by_title UNION ALL SELECT * FROM by_body UNION ALL SELECT * FROM most_used
            )
            SELECT a.id, a.title, a.shortcut, a.body, a.category
            FROM (SELECT id, max(tier) AS tier FROM hits GROUP BY id) h JOIN answers a ON a.id = h.id
            ORDER BY h.tier DESC, a.usage_count DESC, a.shortcut
            LIMIT $7
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = operatorId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = conversation.RequestedSkillIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)LanguageOf(conversation.Language) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = text, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = "#" + EscapeLike(text.ToLowerInvariant()) + "%", NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)PrefixQuery(text) ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = MaxSuggestions, NpgsqlDbType = NpgsqlDbType.Integer });

        var suggestions = new List<AnswerSuggestion>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            suggestions.Add(new AnswerSuggestion(reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
                Placeholders.Fill(reader.GetString(3), values), reader.IsDBNull(4) ? null : reader.GetString(4)));
        return suggestions;
    }

    public async Task MarkUsedAsync(string operatorId, Guid id, CancellationToken cancellationToken = default)
    {
        var now = clock.UtcNowForStorage();
        var updated = await db.Answers
            .Where(a => a.Id == id && (a.OwnerId == null || a.OwnerId == operatorId))
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.UsageCount, x => x.UsageCount + 1).SetProperty(x => x.LastUsedAt, now), cancellationToken);
        if (updated == 0)
            throw new ChatException("Unknown answer.");
    }

    /// <summary>Answers this operator may use in this conversation: live, shared or theirs, for its skills and language.</summary>
    private const string Eligible =
        "a.retired_at IS NULL AND (a.owner_id IS NULL OR a.owner_id = $1) AND (a.skill_id IS NULL OR a.skill_id = ANY($2)) AND (a.language IS NULL OR a.language = $3)";

    /// <summary>"ref mon" becomes "ref & mon:*": every word, the last one as a prefix (the operator is still typing it).</summary>
    public static string? PrefixQuery(string text)
    {
        var words = Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).Take(8).ToList();
        return words.Count == 0 ? null : string.Join(" & ", words.Select((w, i) => i == words.Count - 1 ? w + ":*" : w));
    }

    private static string? LanguageOf(string? language) => language?.Split('-', '_')[0].ToLowerInvariant() is { Length: > 0 } l ? l : null;

    private static string EscapeLike(string value) => value.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");

    private static string? NullIfEmpty(string value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private async Task<Answer> EditableAsync(string userId, bool isAdmin, Guid id, CancellationToken cancellationToken)
    {
        var answer = await db.Answers.SingleOrDefaultAsync(a => a.Id == id && (a.OwnerId == null || a.OwnerId == userId), cancellationToken)
            ?? throw new AnswerProblem(StatusCodes.Status404NotFound, "Unknown answer", "No such answer.");
        if (answer.OwnerId is null && !isAdmin)
            throw new AnswerProblem(StatusCodes.Status403Forbidden, "Admins only", "Only admins can change shared answers.");
        return answer;
    }

    private async Task ApplyAsync(Answer answer, AnswerRequest request, CancellationToken cancellationToken)
    {
        var title = request.Title?.Trim() ?? "";
        var body = request.Body?.Trim() ?? "";
        var shortcut = (request.Shortcut?.Trim().ToLowerInvariant() ?? "").TrimStart('#', '/');
        shortcut = shortcut.Length == 0 ? "" : "#" + shortcut;
        if (shortcut.Length == 0)
            throw new AnswerProblem(StatusCodes.Status400BadRequest, "Shortcut required", "Give the answer a shortcut, e.g. #refund.");
        if (!ShortcutFormat().IsMatch(shortcut))
            throw new AnswerProblem(StatusCodes.Status400BadRequest, "Invalid shortcut", "A shortcut is # followed by up to 63 letters, digits, - or _.");
        if (title.Length is 0 or > 200)
            throw new AnswerProblem(StatusCodes.Status400BadRequest, "Invalid title", "A title needs 1 to 200 characters.");
        if (body.Length == 0)
            throw new AnswerProblem(StatusCodes.Status400BadRequest, "Body required", "The answer text cannot be empty.");
        if (body.Length > ChatRules.MaxMessageLength)
            throw new AnswerProblem(StatusCodes.Status400BadRequest, "Body too long", $"An answer can be at most {ChatRules.MaxMessageLength} characters.");
        if (request.Category is { Length: > 100 })
            throw new AnswerProblem(StatusCodes.Status400BadRequest, "Invalid category", "A category can be at most 100 characters.");
        if (request.Language is not (null or "en" or "fr"))
            throw new AnswerProblem(StatusCodes.Status400BadRequest, "Invalid language", "Language is en, fr or empty.");
        Guid? skillId = null;
        if (!string.IsNullOrWhiteSpace(request.Skill))
            skillId = await db.Skills.Where(s => s.Key == request.Skill).Select(s => (Guid?)s.Id).SingleOrDefaultAsync(cancellationToken)
                ?? throw new AnswerProblem(StatusCodes.Status400BadRequest, "Unknown skill", $"No such skill: {request.Skill}.");
        var clash = await db.Answers.AnyAsync(a => a.Id != answer.Id && a.Shortcut == shortcut && (a.OwnerId == null || a.OwnerId == answer.OwnerId), cancellationToken)
            || db.Answers.Local.Any(a => a.Id != answer.Id && a.Shortcut == shortcut && a.OwnerId == answer.OwnerId);
        if (clash)
            throw new AnswerProblem(StatusCodes.Status409Conflict, "Shortcut already used", $"Another answer already uses {shortcut}.");

        answer.Title = title;
        answer.Body = body;
        answer.Shortcut = shortcut;
        answer.Category = string.IsNullOrWhiteSpace(request.Category) ? null : request.Category.Trim();
        answer.SkillId = skillId;
        answer.Language = request.Language;
        answer.UpdatedAt = clock.UtcNowForStorage();
    }

    private async Task SaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw new AnswerProblem(StatusCodes.Status409Conflict, "Shortcut already used", "Another answer was just saved with this shortcut.");
        }
    }

    private async Task<IReadOnlyList<AnswerDto>> ToDtosAsync(IReadOnlyList<Answer> answers, string userId, CancellationToken cancellationToken)
    {
        var skills = await db.Skills.AsNoTracking().ToDictionaryAsync(s => s.Id, s => s.Key, cancellationToken);
        return answers.Select(a => new AnswerDto(a.Id, a.Title, a.Shortcut, a.Body, a.Category, a.SkillId is { } s ? skills[s] : null, a.Language,
            a.OwnerId == userId, a.RetiredAt is not null, a.UsageCount, a.LastUsedAt, a.UpdatedAt)).ToList();
    }
}
