using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.Chats;
using ChatDesk.Server.Events;
using ChatDesk.Server.Files;
using ChatDesk.Server.Privacy;
using ChatDesk.Server.Surveys;
using ChatDesk.Tests.Files;
using ChatDesk.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ChatDesk.Tests.Privacy;

/// <summary>Two visitors' full chats (messages, a file in a folder store, pages, survey, wrap-up); one is erased.</summary>
public sealed class PrivacyTests : ChatTestBase
{
    private readonly string fileFolder = Path.Combine(Path.GetTempPath(), $"chatdesk-privacy-{Guid.NewGuid():N}");

    protected override ChatDeskTestHost CreateHost() => new() { Settings = new Dictionary<string, string?> { ["ChatDesk:Files:Folder"] = fileFolder } };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(fileFolder))
            Directory.Delete(fileFolder, recursive: true);
    }

    private string Today => Host.Clock.GetUtcNow().ToString("yyyy-MM-dd");

    /// <summary>A whole chat: messages both ways, a page change, a file, the end, a survey with a comment and a wrap-up with notes.</summary>
    private async Task<(Guid VisitorId, Guid ConversationId)> FullChatAsync(string visitor, string name, string email)
    {
        var session = await TestApi.CreateVisitorAsync(Host);
        await Driver.ConnectVisitorAsync(visitor, Host.BaseUrl, session.VisitorToken);
        var chat = await Driver.InvokeAsync<ConversationView>(visitor, "StartChat",
            new StartChatRequest(name, email, "billing", $"https://shop.example/orders/{name}", "My orders", "en", "Europe/Paris"));
        Host.Clock.Advance(TimeSpan.FromSeconds(20));
        await Driver.InvokeAsync(visitor, "SendMessage", TestApi.Message($"I am {name}, my card ends 4242"));
        await Driver.InvokeAsync("alice", "SendMessage", chat.ConversationId, TestApi.Message($"Hello {name}"));
        await Driver.InvokeAsync(visitor, "PageChanged", new PageChangedRequest($"https://shop.example/account/{name}", "Account"));
        using (var upload = TestApi.CreateClient(Host))
        {
            upload.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", session.VisitorToken);
            upload.DefaultRequestHeaders.Add("Origin", Host.ChatDeskOrigin);
            (await upload.PostAsync($"/api/files/visitor?name={name}-passport.pdf", new ByteArrayContent(SampleFiles.Pdf(name)))).EnsureSuccessStatusCode();
        }
        Host.Clock.Advance(TimeSpan.FromMinutes(3));
        await Driver.InvokeAsync(visitor, "EndChat");
        await Driver.InvokeAsync(visitor, "SubmitSurvey", new SurveyRequest(4, 9, 2, true, $"{name} was happy"));
        await Driver.InvokeAsync("alice", "CompleteWrapUp", chat.ConversationId, new WrapUpRequest("resolved", $"{name} lives at 1 Main St", ["refund"]));
        return (session.VisitorId, chat.ConversationId);
    }

    private async Task<string> KpisAsync(HttpClient manager)
    {
        var report = await manager.GetStringAsync($"/api/kpis?from={Today}&to={Today}");
        var conversations = JsonSerializer.Deserialize<List<JsonElement>>(await manager.GetStringAsync($"/api/kpis/conversations?from={Today}&to={Today}&kpi=frt"))!;
        // The figures, and which conversations stand behind them (their names are personal data and go).
        return report + string.Join(",", conversations.Select(c => c.GetProperty("conversationId").GetString() + c.GetProperty("frt")));
    }

    private Task<string> PersonalDataOfAsync(Guid conversationId) => Host.WithDbAsync(async db => JsonSerializer.Serialize(new
    {
        messages = await db.Messages.CountAsync(m => m.ConversationId == conversationId),
        files = await db.SharedFiles.CountAsync(f => f.ConversationId == conversationId),
        pages = await db.PageViews.CountAsync(p => p.ConversationId == conversationId),
        comments = await db.Surveys.CountAsync(s => s.ConversationId == conversationId && s.Comment != null),
        conversation = await db.Conversations.Where(c => c.Id == conversationId)
            .Select(c => new { c.VisitorName, c.VisitorEmail, c.PageUrl, c.PageTitle, c.UserAgent, c.WrapUpNotes }).SingleAsync(),
        events = await db.Events.Where(e => e.ConversationId == conversationId).OrderBy(e => e.Sequence).Select(e => e.Data).ToListAsync(),
    }));

    [Fact]
    public async Task Erasing_a_visitor_removes_their_personal_data_everywhere_and_leaves_the_KPIs_unchanged()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (vera, veraChat) = await FullChatAsync("vera", "Vera", "vera@example.com");
        var (_, otherChat) = await FullChatAsync("otto", "Otto", "otto@example.com");
        using var admin = await TestApi.AdminClientAsync(Host);
        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        var kpisBefore = await KpisAsync(manager);
        var otherBefore = await PersonalDataOfAsync(otherChat);
        var veraFile = await Host.WithDbAsync(db => db.SharedFiles.Where(f => f.ConversationId == veraChat).Select(f => f.Id).SingleAsync());
        Assert.True(File.Exists(new FolderFileStore(fileFolder).PathOf(veraFile)));

        var found = (await admin.GetFromJsonAsync<List<VisitorMatch>>("/api/admin/privacy/visitors?email=VERA@example.com", SignalRDriver.Json))!;
        Assert.Equal((vera, "demo", "Vera", 1), (Assert.Single(found).VisitorId, found[0].SiteKey, found[0].Names.Single(), found[0].Conversations));
        var export = await admin.GetAsync($"/api/admin/privacy/visitors/{vera}/export");
        Assert.Equal("application/json", export.Content.Headers.ContentType!.MediaType);
        var exported = await export.Content.ReadAsStringAsync();
        Assert.Contains("my card ends 4242", exported);
        Assert.Contains("Vera-passport.pdf", exported);
        Assert.Contains("Vera was happy", exported);
        Assert.DoesNotContain("Otto", exported);

        var erased = await admin.PostAsync($"/api/admin/privacy/visitors/{vera}/erase", null);
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(new ErasureCounts(1, 3, 1, 0), await erased.Content.ReadFromJsonAsync<ErasureCounts>(SignalRDriver.Json));

        var after = await PersonalDataOfAsync(veraChat);
        Assert.DoesNotContain("Vera", after);
        Assert.DoesNotContain("vera@", after);
        Assert.DoesNotContain("shop.example", after);
        Assert.DoesNotContain("Main St", after);
        Assert.Contains("\"messages\":0,\"files\":0,\"pages\":0,\"comments\":0", after);
        Assert.False(File.Exists(new FolderFileStore(fileFolder).PathOf(veraFile)));
        Assert.Equal(otherBefore, await PersonalDataOfAsync(otherChat));
        Assert.Equal(kpisBefore, await KpisAsync(manager));
        using (var scope = Host.CreateScope())
            await scope.ServiceProvider.GetRequiredService<ChatDesk.Server.Kpis.KpiProjection>().RebuildAsync();
        Assert.Equal(kpisBefore, await KpisAsync(manager));

        var afterExport = await admin.GetStringAsync($"/api/admin/privacy/visitors/{vera}/export");
        Assert.DoesNotContain("4242", afterExport);
        var audit = await Host.WithDbAsync(db => db.Events.Where(e => e.Type.StartsWith("admin.visitor")).OrderBy(e => e.Id).Select(e => e.Type).ToListAsync());
        Assert.Equal([AdminEventTypes.VisitorExported, AdminEventTypes.VisitorErased, AdminEventTypes.VisitorExported], audit);
    }

    [Fact]
    public async Task Retention_erases_what_ended_before_the_sites_period_and_keeps_the_rest_and_the_KPIs()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, oldChat) = await FullChatAsync("vera", "Vera", "vera@example.com");
        var day = Today;
        await Host.WithDbAsync(db => db.Sites.Where(s => s.Key == "demo").ExecuteUpdateAsync(s => s.SetProperty(x => x.RetentionDays, 30)));
        Host.Clock.Advance(TimeSpan.FromDays(29));
        var (_, recentChat) = await FullChatAsync("otto", "Otto", "otto@example.com");

        Assert.Equal(0, await Host.WithServiceAsync<RetentionService, int>(r => r.ApplyAsync()));
        Host.Clock.Advance(TimeSpan.FromDays(2));
        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        var kpisBefore = await manager.GetStringAsync($"/api/kpis?from={day}&to={day}");
        Assert.Equal(1, await Host.WithServiceAsync<RetentionService, int>(r => r.ApplyAsync()));
        Assert.Equal(0, await Host.WithServiceAsync<RetentionService, int>(r => r.ApplyAsync()));

        Assert.DoesNotContain("Vera", await PersonalDataOfAsync(oldChat));
        Assert.Contains("Otto", await PersonalDataOfAsync(recentChat));
        Assert.Equal(kpisBefore, await manager.GetStringAsync($"/api/kpis?from={day}&to={day}"));
        var applied = await Host.WithDbAsync(db => db.Events.SingleAsync(e => e.Type == AdminEventTypes.RetentionApplied));
        Assert.Null(applied.OperatorId);
    }

    [Fact]
    public async Task Privacy_requests_are_refused_to_non_admins_for_unknown_visitors_and_while_a_chat_is_open()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (session, chat) = await StartVisitorChatAsync("visitor");
        using var admin = await TestApi.AdminClientAsync(Host);
        using var manager = await TestApi.SignedInClientAsync(Host, "manager@chatdesk.local", "manager-demo-pass");
        using var alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);

        Assert.Equal(HttpStatusCode.Forbidden, (await manager.PostAsync($"/api/admin/privacy/visitors/{session.VisitorId}/erase", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.GetAsync($"/api/admin/privacy/visitors/{session.VisitorId}/export")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/api/admin/privacy/visitors/{Guid.NewGuid()}/erase", null)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("/api/admin/privacy/visitors?email=nope")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync($"/api/admin/privacy/visitors/{session.VisitorId}/erase", null)).StatusCode);

        Assert.Equal("Vera Visitor", await Host.WithDbAsync(db => db.Conversations.Where(c => c.Id == chat.ConversationId).Select(c => c.VisitorName).SingleAsync()));
        Assert.Equal(0, await CountAsync(db => db.Events.CountAsync(e => e.Type.StartsWith("admin.visitor"))));
    }
}
