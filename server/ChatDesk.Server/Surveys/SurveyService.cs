using ChatDesk.Server.Chats;
using ChatDesk.Server.Data;
using ChatDesk.Server.Events;
using ChatDesk.Server.Identity;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Server.Surveys;

public sealed class SurveyService(ChatDeskDbContext db, ChatService chats, EventLog events, TimeProvider clock, ChatNotifier notifier)
{
    /// <summary>The visitor answers the survey of their latest conversation, once, after an answered chat ended.</summary>
    public async Task SubmitAsync(VisitorIdentity visitor, SurveyRequest? request, CancellationToken cancellationToken = default)
    {
        if (request is null || (request.Csat, request.Nps, request.Ces, request.Resolved) == (null, null, null, null) && string.IsNullOrWhiteSpace(request.Comment))
            throw new ChatException("Answer at least one question.");
        if (request.Csat is < 1 or > 5)
            throw new ChatException("Satisfaction is rated from 1 to 5.");
        if (request.Nps is < 0 or > 10)
            throw new ChatException("Recommendation is rated from 0 to 10.");
        if (request.Ces is < 1 or > 7)
            throw new ChatException("Effort is rated from 1 to 7.");
        var comment = request.Comment?.Trim() is { Length: > 0 } c ? c : null;
        if (comment is { Length: > SurveyQuestions.MaxCommentLength })
            throw new ChatException($"A comment can be at most {SurveyQuestions.MaxCommentLength} characters.");

        Conversation conversation;
        Survey survey;
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            var latest = await db.Conversations.OfVisitorLatestFirst(visitor).FirstOrDefaultAsync(cancellationToken)
                ?? throw new ChatException("There is no conversation to rate.");
            conversation = await db.Conversations.LockAsync(latest.Id, cancellationToken);
            if (conversation.IsOpen)
                throw new ChatException("The survey opens when the chat has ended.");
            if (conversation.OperatorId is null)
                throw new ChatException("There is no survey for a chat no operator answered.");
            if (await db.Surveys.AnyAsync(s => s.ConversationId == conversation.Id, cancellationToken))
                throw new ChatException("You have already answered this survey. Thank you!");
            var asked = await db.Sites.Where(s => s.Id == conversation.SiteId).Select(s => s.SurveyQuestions).SingleAsync(cancellationToken);
            var answered = new (string Question, bool Given)[]
            {
                (SurveyQuestions.Csat, request.Csat is not null), (SurveyQuestions.Nps, request.Nps is not null), (SurveyQuestions.Ces, request.Ces is not null),
                (SurveyQuestions.Resolved, request.Resolved is not null), (SurveyQuestions.Comment, comment is not null),
            };
            if (answered.FirstOrDefault(a => a.Given && !asked.Contains(a.Question)) is { Question: { } notAsked })
                throw new ChatException($"This survey does not ask '{notAsked}'.");

            survey = new Survey
            {
                ConversationId = conversation.Id,
                Csat = (short?)request.Csat, Nps = (short?)request.Nps, Ces = (short?)request.Ces, Resolved = request.Resolved,
                Comment = conversation.RedactedAt is null ? comment : null, // erased visitor: scores only
                SubmittedAt = clock.UtcNowForStorage(),
            };
            db.Surveys.Add(survey);
            events.Append(db, conversation, EventTypes.SurveySubmitted, new
            {
                csat = request.Csat, nps = request.Nps, ces = request.Ces, resolved = request.Resolved, hasComment = comment is not null,
            });
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await notifier.ToOperatorsAsync(await chats.OperatorsOfAsync(conversation.Id, cancellationToken), nameof(IOperatorClient.SurveySubmitted), new SurveySubmittedNotice(conversation.Id, survey.ToDto()));
    }
}

public static class SurveysSetup
{
    public static IServiceCollection AddSurveys(this IServiceCollection services) => services.AddScoped<SurveyService>();
}
