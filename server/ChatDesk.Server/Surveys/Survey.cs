namespace ChatDesk.Server.Surveys;

/// <summary>The visitor's answers at the end of a conversation; every question is optional.</summary>
public sealed class Survey
{
    public Guid ConversationId { get; set; }
    public short? Csat { get; set; }
    public short? Nps { get; set; }
    public short? Ces { get; set; }
    public bool? Resolved { get; set; }
    public string? Comment { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
}

public static class SurveyQuestions
{
    public const string Csat = "csat";
    public const string Nps = "nps";
    public const string Ces = "ces";
    public const string Resolved = "resolved";
    public const string Comment = "comment";
    public static readonly string[] All = [Csat, Nps, Ces, Resolved, Comment];
    public const int MaxCommentLength = 2000;
}

public sealed record SurveyRequest(int? Csat, int? Nps, int? Ces, bool? Resolved, string? Comment);

public sealed record SurveyDto(int? Csat, int? Nps, int? Ces, bool? Resolved, string? Comment, DateTimeOffset SubmittedAt);

public sealed record SurveyOffer(IReadOnlyList<string> Questions, bool Submitted);

public sealed record SurveySubmittedNotice(Guid ConversationId, SurveyDto Survey);

public static class SurveyMappings
{
    public static SurveyDto ToDto(this Survey survey) =>
        new(survey.Csat, survey.Nps, survey.Ces, survey.Resolved, survey.Comment, survey.SubmittedAt);
}
