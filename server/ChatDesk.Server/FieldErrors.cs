namespace ChatDesk.Server;

/// <summary>
/// Validation errors keyed by the request's (camelCase) field names, answered as one 400 problem so the
/// console can show each message next to its field.
/// </summary>
public sealed class FieldErrors
{
    private readonly Dictionary<string, string[]> errors = new(StringComparer.Ordinal);

    public bool Any => errors.Count > 0;

    public FieldErrors Add(string field, string message)
    {
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return this;
    }

    public IResult ToResult(string title = "Some fields need attention") => Results.ValidationProblem(errors, title: title);
}
