using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Surveys;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.Surveys;

public sealed class SurveyTests : ChatTestBase
{
    private Guid conversationId;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        conversationId = (await StartVisitorChatAsync("visitor")).Conversation.ConversationId;
        await Driver.InvokeAsync("alice", "SendMessage", conversationId, TestApi.Message("Hello!"));
    }

    [Fact]
    public async Task A_visitor_answers_the_survey_once_after_the_chat_and_the_operator_sees_it()
    {
        Assert.Contains("when the chat has ended", await Driver.InvokeExpectingErrorAsync("visitor", "SubmitSurvey", new SurveyRequest(5, null, null, null, null)));
        await Driver.InvokeAsync("alice", "EndChat", conversationId);
        var view = await Driver.InvokeAsync<ConversationView>("visitor", "GetConversation");
        Assert.Equal(SurveyQuestions.All, view.Survey!.Questions);
        Assert.False(view.Survey.Submitted);

        await Driver.InvokeAsync("visitor", "SubmitSurvey", new SurveyRequest(4, 9, null, true, "  Quick and kind  "));

        var pushed = (await Driver.WaitForEventsAsync("alice", "SurveySubmitted"))[0].Args[0]!["survey"].Deserialize<SurveyDto>(SignalRDriver.Json)!;
        Assert.Equal((4, 9, (int?)null, (bool?)true, "Quick and kind"), (pushed.Csat, pushed.Nps, pushed.Ces, pushed.Resolved, pushed.Comment));
        Assert.Equal(4, (await Driver.InvokeAsync<ChatDetail>("alice", "GetChat", conversationId)).Survey!.Csat);
        Assert.True((await Driver.InvokeAsync<ConversationView>("visitor", "GetConversation")).Survey!.Submitted);
        Assert.Contains("already answered", await Driver.InvokeExpectingErrorAsync("visitor", "SubmitSurvey", new SurveyRequest(1, null, null, null, null)));
        var submitted = (await EventsOfAsync(conversationId)).Single(e => e.Type == EventTypes.SurveySubmitted);
        Assert.Equal(9, JsonDocument.Parse(submitted.Data).RootElement.GetProperty("nps").GetInt32());
    }

    [Theory]
    [InlineData(0, null, null, "from 1 to 5")]
    [InlineData(6, null, null, "from 1 to 5")]
    [InlineData(null, 11, null, "from 0 to 10")]
    [InlineData(null, -1, null, "from 0 to 10")]
    [InlineData(null, null, 8, "from 1 to 7")]
    [InlineData(null, null, null, "at least one question")]
    public async Task Answers_outside_their_scales_are_refused_and_nothing_is_stored(int? csat, int? nps, int? ces, string error)
    {
        await Driver.InvokeAsync("alice", "EndChat", conversationId);
        Assert.Contains(error, await Driver.InvokeExpectingErrorAsync("visitor", "SubmitSurvey", new SurveyRequest(csat, nps, ces, null, null)));
        Assert.Equal(0, await CountAsync(db => db.Surveys.CountAsync()));
    }

    [Fact]
    public async Task Only_the_questions_the_site_asks_are_accepted()
    {
        await Host.WithDbAsync(db => db.Sites.ExecuteUpdateAsync(s => s.SetProperty(x => x.SurveyQuestions, new List<string> { "csat" })));
        await Driver.InvokeAsync("alice", "EndChat", conversationId);
        Assert.Equal(["csat"], (await Driver.InvokeAsync<ConversationView>("visitor", "GetConversation")).Survey!.Questions);
        Assert.Contains("does not ask 'nps'", await Driver.InvokeExpectingErrorAsync("visitor", "SubmitSurvey", new SurveyRequest(5, 10, null, null, null)));
        Assert.Equal(0, await CountAsync(db => db.Surveys.CountAsync()));
    }

    [Fact]
    public async Task Another_visitor_cannot_answer_for_this_conversation()
    {
        await Driver.InvokeAsync("alice", "EndChat", conversationId);
        var stranger = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync("stranger", Host.BaseUrl, stranger.VisitorToken);
        Assert.Contains("no conversation to rate", await Driver.InvokeExpectingErrorAsync("stranger", "SubmitSurvey", new SurveyRequest(1, 0, 1, false, "spam")));
        Assert.Equal(0, await CountAsync(db => db.Surveys.CountAsync()));
    }
}
