using System.Net;
using System.Net.Http.Json;
using System.Text;
using ChatDesk.Server.CannedResponses;
using ChatDesk.Server.Chats;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ChatDesk.Tests.CannedResponses;

public sealed class AnswerLibraryTests : ChatTestBase
{
    private static object Answer(string shortcut, string title, string body, bool personal = false, string? category = null, string? language = null) =>
        new { shortcut, title, body, category, skill = (string?)null, language, personal };

    private async Task<AnswerDto> CreateAsync(HttpClient client, object answer)
    {
        var response = await client.PostAsJsonAsync("/api/answers", answer);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AnswerDto>(SignalRDriver.Json))!;
    }

    private async Task<(Guid ConversationId, HttpClient Admin)> ChatWithAnswersAsync()
    {
        var admin = await TestApi.AdminClientAsync(Host);
        await CreateAsync(admin, Answer("#refund", "Refund policy", "Hello {visitor.name}, refunds take 5 days. {operator.name} from {site.name}.", category: "Billing"));
        await CreateAsync(admin, Answer("#remboursement", "Remboursement", "Bonjour {visitor.name}, le remboursement arrive sous 5 jours.", language: "fr"));
        await CreateAsync(admin, Answer("#delivery", "Delivery times", "Parcels are shipped within 24 hours."));
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", name: "Vera");
        return (chat.ConversationId, admin);
    }

    [Fact]
    public async Task A_shortcut_prefix_finds_the_answer_with_its_placeholders_filled_as_text()
    {
        var (conversationId, admin) = await ChatWithAnswersAsync();
        using var _ = admin;

        var suggestions = await Driver.InvokeAsync<List<AnswerSuggestion>>("alice", "SuggestAnswers", conversationId, "#ref");

        var refund = Assert.Single(suggestions);
        Assert.Equal("#refund", refund.Shortcut);
        Assert.Equal("Hello Vera, refunds take 5 days. Alice from Demo Outdoor Shop.", refund.Text);
    }

    [Fact]
    public async Task Full_text_search_is_accent_insensitive_and_stems_french_and_english()
    {
        var (conversationId, admin) = await ChatWithAnswersAsync();
        using var _ = admin;
        await Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == conversationId).ExecuteUpdateAsync(c => c.SetProperty(x => x.Language, "fr")));

        Assert.Contains(await SuggestAsync(conversationId, "REMBOURSÉ"), s => s.Shortcut == "#remboursement");
        Assert.Contains(await SuggestAsync(conversationId, "remboursements"), s => s.Shortcut == "#remboursement");
        Assert.Contains(await SuggestAsync(conversationId, "shipping parcel"), s => s.Shortcut == "#delivery");
        Assert.Contains(await SuggestAsync(conversationId, "deliv"), s => s.Shortcut == "#delivery");
        Assert.Empty(await SuggestAsync(conversationId, "astrology"));
    }

    [Fact]
    public async Task Answers_in_another_language_or_retired_are_not_suggested()
    {
        var (conversationId, admin) = await ChatWithAnswersAsync();
        using var _ = admin;
        Assert.DoesNotContain(await SuggestAsync(conversationId, "rembours"), s => s.Shortcut == "#remboursement"); // the chat is in English

        var delivery = (await admin.GetFromJsonAsync<List<AnswerDto>>("/api/answers", SignalRDriver.Json))!.Single(a => a.Shortcut == "#delivery");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.PostAsync($"/api/answers/{delivery.Id}/retire", null)).StatusCode);
        Assert.Empty(await SuggestAsync(conversationId, "#deliv"));
    }

    [Fact]
    public async Task Using_an_answer_counts_it()
    {
        var (conversationId, admin) = await ChatWithAnswersAsync();
        using var _ = admin;
        var refund = (await SuggestAsync(conversationId, "#refund"))[0];
        await Driver.InvokeAsync("alice", "AnswerUsed", refund.Id);
        await Driver.InvokeAsync("alice", "AnswerUsed", refund.Id);

        var listed = (await admin.GetFromJsonAsync<List<AnswerDto>>("/api/answers", SignalRDriver.Json))!.Single(a => a.Id == refund.Id);
        Assert.Equal(2, listed.UsageCount);
        Assert.Equal(Host.Clock.GetUtcNow(), listed.LastUsedAt);
        Assert.Equal("#refund", (await SuggestAsync(conversationId, ""))[0].Shortcut); // most used first when nothing is typed
    }

    [Fact]
    public async Task Shared_answers_are_for_admins_personal_answers_for_their_owner()
    {
        using var alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        using var bob = await TestApi.SignedInClientAsync(Host, TestApi.BobEmail, TestApi.BobPassword);

        Assert.Equal(HttpStatusCode.Forbidden, (await alice.PostAsJsonAsync("/api/answers", Answer("#hi", "Hi", "Hello!"))).StatusCode);
        var mine = await CreateAsync(alice, Answer("#hi", "Hi", "Hello from Alice!", personal: true));
        Assert.True(mine.Personal);
        Assert.Empty((await bob.GetFromJsonAsync<List<AnswerDto>>("/api/answers", SignalRDriver.Json))!);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.PutAsJsonAsync($"/api/answers/{mine.Id}", Answer("#hi", "Hi", "Hijacked"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync("/api/answers/export.csv")).StatusCode);
    }

    [Theory]
    [InlineData("#refund", "Title", "Body", HttpStatusCode.Conflict, "Shortcut already used")]
    [InlineData("", "Title", "Body", HttpStatusCode.BadRequest, "Shortcut required")]
    [InlineData("#no spaces", "Title", "Body", HttpStatusCode.BadRequest, "Invalid shortcut")]
    [InlineData("#ok", "", "Body", HttpStatusCode.BadRequest, "Invalid title")]
    [InlineData("#ok", "Title", "  ", HttpStatusCode.BadRequest, "Body required")]
    [InlineData("#ok", "Title", "LONG", HttpStatusCode.BadRequest, "Body too long")]
    public async Task Bad_answers_are_refused_with_a_clear_problem_and_nothing_is_stored(string shortcut, string title, string body, HttpStatusCode status, string problem)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        await CreateAsync(admin, Answer("#refund", "Refund policy", "Refunds take 5 days."));

        var response = await admin.PostAsJsonAsync("/api/answers", Answer(shortcut, title, body == "LONG" ? new string('x', 4001) : body));

        Assert.Equal(status, response.StatusCode);
        Assert.Contains(problem, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, await CountAsync(db => db.Answers.CountAsync()));
    }

    [Fact]
    public async Task Shared_answers_round_trip_through_csv_and_bad_lines_are_reported()
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        await CreateAsync(admin, Answer("#refund", "Refund, policy", "Line one\nLine \"two\"", category: "Billing"));
        var csv = await admin.GetStringAsync("/api/answers/export.csv");
        Assert.StartsWith("shortcut,title,body,category,skill,language", csv);

        var import = csv.Replace("#refund", "#refund-copy") + "#broken,only three,fields\r\n#refund-copy,Twice,Body,,,\r\n";
        var response = await admin.PostAsync("/api/answers/import", new StringContent(import, Encoding.UTF8, "text/csv"));
        var result = (await response.Content.ReadFromJsonAsync<ImportResult>(SignalRDriver.Json))!;

        Assert.Equal(1, result.Imported);
        Assert.Equal(2, result.Errors.Count);
        var copy = (await admin.GetFromJsonAsync<List<AnswerDto>>("/api/answers", SignalRDriver.Json))!.Single(a => a.Shortcut == "#refund-copy");
        Assert.Equal(("Refund, policy", "Line one\nLine \"two\"", "Billing"), (copy.Title, copy.Body, copy.Category));
    }

    private Task<List<AnswerSuggestion>> SuggestAsync(Guid conversationId, string query) =>
        Driver.InvokeAsync<List<AnswerSuggestion>>("alice", "SuggestAnswers", conversationId, query);
}
