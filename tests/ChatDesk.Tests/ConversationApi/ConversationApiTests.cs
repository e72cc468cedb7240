using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ChatDesk.Server.ApiTokens;
using ChatDesk.Server.Chats;
using ChatDesk.Server.ConversationApi;
using ChatDesk.Server.Events;
using ChatDesk.Tests.ApiTokens;
using ChatDesk.Tests.Infrastructure;
using Npgsql;

namespace ChatDesk.Tests.ConversationApi;

/// <summary>The conversation API over real chats: filters, text search, keyset pages, one conversation's messages and events, who sees what.</summary>
public sealed class ConversationApiTests : ChatTestBase
{
    private const string ManagerEmail = "manager@chatdesk.local";
    private const string ManagerPassword = "manager-demo-pass";

    /// <summary>Three ended chats handled by Alice, a minute apart, each with its own words.</summary>
    private async Task<List<Guid>> ThreeChatsAsync()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var ids = new List<Guid>();
        foreach (var (visitor, words) in new[] { ("v1", "My parcel never arrived"), ("v2", "Le café était froid"), ("v3", "Refund for my parcel please") })
        {
            var (_, chat) = await StartVisitorChatAsync(visitor, name: $"Visitor {visitor}");
            await Driver.InvokeAsync(visitor, "SendMessage", TestApi.Message(words));
            await Driver.InvokeAsync("alice", "SendMessage", chat.ConversationId, TestApi.Message("Let me check."));
            await Driver.InvokeAsync(visitor, "EndChat");
            ids.Add(chat.ConversationId);
            Host.Clock.Advance(TimeSpan.FromMinutes(1));
        }
        return ids;
    }

    private async Task<HttpClient> TokenClientAsync(params string[] scopes)
    {
        using var admin = await TestApi.AdminClientAsync(Host);
        return ApiTokenTests.BearerClient(Host, (await ApiTokenTests.CreateAsync(admin, "Integrator", scopes)).Token);
    }

    private static async Task<ConversationPage> PageAsync(HttpClient client, string query)
    {
        var response = await client.GetAsync($"/api/conversations{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<ConversationPage>(SignalRDriver.Json))!;
    }

    [Fact]
    public async Task Pages_by_cursor_go_through_every_conversation_latest_first_once_each()
    {
        var ids = await ThreeChatsAsync();
        using var client = await TokenClientAsync(ApiScopes.ConversationsRead);

        var first = await PageAsync(client, "?limit=2");
        var second = await PageAsync(client, $"?limit=2&cursor={first.Next}");

        Assert.Equal([ids[2], ids[1]], first.Conversations.Select(c => c.Id));
        Assert.NotNull(first.Next);
        Assert.Equal([ids[0]], second.Conversations.Select(c => c.Id));
        Assert.Null(second.Next);
        var latest = first.Conversations[0];
        Assert.Equal(("demo", ConversationStatus.Ended, "Alice", "Visitor v3", 2), (latest.Site, latest.Status, latest.OperatorName, latest.VisitorName, latest.MessageCount));
    }

    [Fact]
    public async Task Filters_and_text_search_narrow_the_list()
    {
        var ids = await ThreeChatsAsync();
        using var client = await TokenClientAsync(ApiScopes.ConversationsRead);
        var alice = (await PageAsync(client, "")).Conversations[0].OperatorId;
        var today = Host.Clock.GetUtcNow().ToString("yyyy-MM-dd");

        Assert.Equal([ids[2], ids[0]], (await PageAsync(client, "?q=parcel")).Conversations.Select(c => c.Id));
        Assert.Equal([ids[1]], (await PageAsync(client, "?q=CAFE")).Conversations.Select(c => c.Id)); // accents and case ignored
        Assert.Equal([ids[2]], (await PageAsync(client, "?q=refund%20parcel")).Conversations.Select(c => c.Id)); // every word
        Assert.Empty((await PageAsync(client, "?q=%25")).Conversations);
        // SQL never sees the text as code: at most websearch's own "or" applies, and nothing widens to the third chat.
        Assert.Equal([ids[2], ids[0]], (await PageAsync(client, "?q=parcel%27%29%20OR%201%3D1%20--")).Conversations.Select(c => c.Id));
        Assert.Equal(3, (await PageAsync(client, $"?site=demo&status=ended&operator={alice}&from={today}&to={today}")).Conversations.Count);
        Assert.Empty((await PageAsync(client, "?status=queued")).Conversations);
        Assert.Empty((await PageAsync(client, $"?from={Host.Clock.GetUtcNow().AddDays(1):yyyy-MM-dd}")).Conversations);
    }

    [Theory]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?to=2026-13-45", "to")]
    [InlineData("?from=2026-12-05&to=2026-12-01", "to")]
    [InlineData("?limit=0", "limit")]
    [InlineData("?limit=201", "limit")]
    [InlineData("?cursor=not-a-cursor", "cursor")]
    [InlineData("?status=open", "status")]
    [InlineData("?site=nowhere", "site")]
    [InlineData("?skill=%25", "skill")]
    [InlineData("?operator=someone", "operator")]
    [InlineData("?q=%20%20", "q")]
    public async Task A_bad_filter_is_refused_by_field(string query, string field)
    {
        using var client = await TokenClientAsync(ApiScopes.ConversationsRead);

        var response = await client.GetAsync($"/api/conversations{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors").TryGetProperty(field, out _));
    }

    [Fact]
    public async Task A_search_longer_than_the_bound_is_refused()
    {
        using var client = await TokenClientAsync(ApiScopes.ConversationsRead);

        var response = await client.GetAsync($"/api/conversations?q={new string('a', ConversationApiEndpoints.MaxSearchLength + 1)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task One_conversation_gives_its_messages_and_its_events_in_sequence_pages()
    {
        var ids = await ThreeChatsAsync();
        using var client = await TokenClientAsync(ApiScopes.ConversationsRead);

        var detail = (await client.GetFromJsonAsync<ConversationDetail>($"/api/conversations/{ids[0]}", SignalRDriver.Json))!;
        var messages = (await client.GetFromJsonAsync<SequencePage<ConversationMessage>>($"/api/conversations/{ids[0]}/messages?limit=1", SignalRDriver.Json))!;
        var rest = (await client.GetFromJsonAsync<SequencePage<ConversationMessage>>($"/api/conversations/{ids[0]}/messages?after={messages.Next}", SignalRDriver.Json))!;
        var events = new List<ConversationEvent>();
        string? next = "0";
        while (next is not null)
        {
            var page = (await client.GetFromJsonAsync<SequencePage<ConversationEvent>>($"/api/conversations/{ids[0]}/events?limit=2&after={next}", SignalRDriver.Json))!;
            events.AddRange(page.Items);
            next = page.Next;
        }

        Assert.Equal("https://shop.example/cart", detail.PageUrl);
        Assert.Equal(["My parcel never arrived"], messages.Items.Select(m => m.Text));
        Assert.Contains(rest.Items, m => m.Text == "Let me check." && m.AuthorKind == AuthorKind.Operator);
        Assert.Equal(messages.Items.Concat(rest.Items).Select(m => m.Sequence), Enumerable.Range(1, messages.Items.Count + rest.Items.Count));
        var stored = await EventsOfAsync(ids[0]);
        Assert.Equal(stored.Select(e => (e.Sequence, e.Type)), events.Select(e => ((int?)e.Sequence, e.Type)));
        Assert.Contains(events, e => e.Type == EventTypes.ChatRequested);
        Assert.Contains(events, e => e.Type == EventTypes.ChatEnded);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/conversations/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/conversations/{ids[0]}/events?after=-1")).StatusCode);
    }

    [Fact]
    public async Task An_operator_sees_only_the_chats_they_handled_while_managers_see_all()
    {
        var ids = await ThreeChatsAsync();
        using var alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);
        using var bob = await TestApi.SignedInClientAsync(Host, TestApi.BobEmail, TestApi.BobPassword);
        using var manager = await TestApi.SignedInClientAsync(Host, ManagerEmail, ManagerPassword);

        Assert.Equal(3, (await PageAsync(alice, "")).Conversations.Count);
        Assert.Empty((await PageAsync(bob, "")).Conversations);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/conversations/{ids[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/conversations/{ids[0]}/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/conversations/{ids[0]}/events")).StatusCode);
        Assert.Equal(3, (await PageAsync(manager, "")).Conversations.Count);
        using var anonymous = TestApi.CreateClient(Host);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/conversations")).StatusCode);
    }

    [Fact]
    public async Task An_erased_conversation_answers_blank_without_messages()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (session, chat) = await StartVisitorChatAsync("vera", name: "Vera Secret");
        await Driver.InvokeAsync("vera", "SendMessage", TestApi.Message("My card ends 4242"));
        await Driver.InvokeAsync("vera", "EndChat");
        using var admin = await TestApi.AdminClientAsync(Host);
        (await admin.PostAsync($"/api/admin/privacy/visitors/{session.VisitorId}/erase", null)).EnsureSuccessStatusCode();
        using var client = await TokenClientAsync(ApiScopes.ConversationsRead);

        var detail = await client.GetStringAsync($"/api/conversations/{chat.ConversationId}");
        var messages = (await client.GetFromJsonAsync<SequencePage<ConversationMessage>>($"/api/conversations/{chat.ConversationId}/messages", SignalRDriver.Json))!;
        var events = await client.GetStringAsync($"/api/conversations/{chat.ConversationId}/events");

        Assert.Contains("\"redacted\":true", detail);
        Assert.DoesNotContain("Vera Secret", detail + events);
        Assert.DoesNotContain("4242", detail + events);
        Assert.Empty(messages.Items);
        Assert.Empty((await PageAsync(client, "?q=4242")).Conversations);
    }

    [Fact]
    public async Task The_conversation_and_token_endpoints_are_described_in_OpenAPI()
    {
        using var anonymous = TestApi.CreateClient(Host);

        var document = await anonymous.GetStringAsync("/openapi/v1.json");

        foreach (var path in new[] { "/api/conversations", "/api/conversations/{id}", "/api/conversations/{id}/messages", "/api/conversations/{id}/events", "/api/admin/tokens", "/api/admin/tokens/{id}/revoke" })
            Assert.Contains($"\"{path}\"", document);
        var json = JsonDocument.Parse(document).RootElement;
        Assert.Equal("bearer", json.GetProperty("components").GetProperty("securitySchemes").GetProperty("apiToken").GetProperty("scheme").GetString());
        var list = json.GetProperty("paths").GetProperty("/api/conversations").GetProperty("get");
        Assert.Equal(ApiScopes.ConversationsRead, list.GetProperty("security")[0].GetProperty("apiToken")[0].GetString());
        var setTargets = json.GetProperty("paths").GetProperty("/api/kpis/targets").GetProperty("put");
        Assert.False(setTargets.TryGetProperty("security", out _)); // no scope sets targets
    }

    [Fact]
    public async Task The_text_search_and_the_list_order_can_use_their_indexes()
    {
        await using var connection = new NpgsqlConnection(Host.ConnectionString);
        await connection.OpenAsync();
        async Task<string> PlanAsync(string sql)
        {
            // Tables this small are read whole whatever the indexes: forbid that to see whether an index serves the query.
            await using (var off = new NpgsqlCommand("SET enable_seqscan = off; SET enable_sort = off", connection))
                await off.ExecuteNonQueryAsync();
            await using var explain = new NpgsqlCommand($"EXPLAIN {sql}", connection);
            var lines = new List<string>();
            await using var reader = await explain.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                lines.Add(reader.GetString(0));
            return string.Join("\n", lines);
        }

        var search = await PlanAsync(
            "SELECT conversation_id FROM messages WHERE to_tsvector('simple', chatdesk_unaccent(text)) @@ websearch_to_tsquery('simple', chatdesk_unaccent('parcel'))");
        var page = await PlanAsync(
            "SELECT id FROM conversations WHERE requested_at < now() OR (requested_at = now() AND id < gen_random_uuid()) ORDER BY requested_at DESC, id DESC LIMIT 51");

        Assert.Contains("ix_messages_text_search", search);
        Assert.Contains("ix_conversations_requested_at_id", page);
    }

    [Fact]
    public void A_cursor_survives_its_round_trip_and_anything_else_is_not_one()
    {
        var cursor = new ConversationCursor(new DateTimeOffset(2026, 12, 3, 15, 4, 54, 123, TimeSpan.Zero).AddTicks(4560), Guid.NewGuid());

        Assert.Equal(cursor, ConversationCursor.Decode(cursor.Encode()));
        Assert.Null(ConversationCursor.Decode("abc"));
        Assert.Null(ConversationCursor.Decode(cursor.Encode() + "AA"));
        Assert.Null(ConversationCursor.Decode("!!!!"));
        Assert.Null(ConversationCursor.Decode(new string('A', 500)));
    }
}
