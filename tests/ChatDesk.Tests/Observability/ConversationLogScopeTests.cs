using System.Diagnostics;
using System.Text.Json;
using ChatDesk.Server.Observability;
using ChatDesk.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace ChatDesk.Tests.Observability;

public sealed class ConversationLogScopeTests : ChatTestBase
{
    /// <summary>EF Core logs each command it runs: lines logged inside the hub calls (and the background sweeps).</summary>
    private const string DatabaseCommands = "Microsoft.EntityFrameworkCore.Database.Command";

    private readonly CapturedLogs logs = new();

    protected override ChatDeskTestHost CreateHost() => new()
    {
        Settings = new Dictionary<string, string?> { [$"Logging:LogLevel:{DatabaseCommands}"] = "Information" },
        ConfigureServices = services => services.AddSingleton<ILoggerProvider>(logs),
    };

    [Fact]
    public async Task Lines_logged_during_a_hub_call_on_a_conversation_carry_its_id_and_background_work_carries_none()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (session, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        var (_, other) = await StartVisitorChatAsync("other", topic: "billing");

        logs.Clear();
        await Driver.InvokeAsync("alice", "GetChat", chat.ConversationId);
        var operatorCall = logs.Lines.Where(l => l.Category == DatabaseCommands && l.Scopes.ContainsKey(ConversationScope.ConversationId)).ToList();
        Assert.NotEmpty(operatorCall);
        Assert.All(operatorCall, l => Assert.Equal(chat.ConversationId, l.Scopes[ConversationScope.ConversationId]));
        Assert.Contains(operatorCall, l => l.Message.Contains("FROM conversations", StringComparison.Ordinal));

        await Driver.InvokeAsync("alice", "GetChat", other.ConversationId);
        Assert.Contains(logs.Lines, l => l.Category == DatabaseCommands && Equals(l.Scopes.GetValueOrDefault(ConversationScope.ConversationId), other.ConversationId));

        // A visitor acts on their own conversation: their calls carry the visitor.
        logs.Clear();
        await Driver.InvokeAsync("visitor", "GetConversation");
        Assert.Contains(logs.Lines, l => l.Category == DatabaseCommands && $"{l.Scopes.GetValueOrDefault(ConversationScope.VisitorId)}" == $"{session.VisitorId}");

        // The routing sweep (every second, started with the node) runs outside any call: no conversation leaks into it.
        var waited = Stopwatch.StartNew();
        List<CapturedLogs.Line> sweep;
        while ((sweep = logs.Lines.Where(l => l.Category == DatabaseCommands && l.Message.Contains("offer_expires_at <=", StringComparison.Ordinal)).ToList()).Count == 0
               && waited.Elapsed < TimeSpan.FromSeconds(10))
            await Task.Delay(100);
        Assert.NotEmpty(sweep);
        Assert.All(sweep, l => Assert.False(l.Scopes.ContainsKey(ConversationScope.ConversationId) || l.Scopes.ContainsKey(ConversationScope.VisitorId)));
    }

    [Fact]
    public async Task A_routing_dispatch_asked_for_by_a_call_on_a_conversation_logs_outside_its_scope()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");

        // Ending the chat frees a slot: the call waits for a dispatch, which serves every caller that joined it.
        logs.Clear();
        await Driver.InvokeAsync("alice", "EndChat", chat.ConversationId);
        var dispatch = logs.Lines.Where(l => l.Category == DatabaseCommands && l.Message.Contains("SELECT pg_advisory_xact_lock(", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(dispatch);
        Assert.All(dispatch, l => Assert.False(l.Scopes.ContainsKey(ConversationScope.ConversationId)));
        Assert.Contains(logs.Lines, l => Equals(l.Scopes.GetValueOrDefault(ConversationScope.ConversationId), chat.ConversationId));
    }

    [Fact]
    public async Task Lines_logged_during_a_request_whose_route_names_a_conversation_carry_its_id()
    {
        await OperatorOnlineAsync("alice", TestApi.AliceEmail, TestApi.AlicePassword);
        var (_, chat) = await StartVisitorChatAsync("visitor", topic: "billing");
        using var alice = await TestApi.SignedInClientAsync(Host, TestApi.AliceEmail, TestApi.AlicePassword);

        logs.Clear();
        using var upload = await alice.PostAsync($"/api/files/conversations/{chat.ConversationId}?name=screenshot.png",
            Files.SampleFiles.Content(Files.SampleFiles.Png, "image/png"));
        Assert.True(upload.IsSuccessStatusCode, await upload.Content.ReadAsStringAsync());
        Assert.Contains(logs.Lines, l => l.Category == DatabaseCommands && Equals(l.Scopes.GetValueOrDefault(ConversationScope.ConversationId), chat.ConversationId));
    }

    [Fact]
    public void The_console_writes_json_with_the_scopes_outside_development()
    {
        var conversationId = Guid.NewGuid();
        var (formatterName, line) = FormatWith("appsettings.json", conversationId);
        Assert.Equal(ConsoleFormatterNames.Json, formatterName);
        using var json = JsonDocument.Parse(line);
        Assert.Equal("Something failed", json.RootElement.GetProperty("Message").GetString());
        Assert.Contains(json.RootElement.GetProperty("Scopes").EnumerateArray(),
            scope => scope.ValueKind == JsonValueKind.Object && scope.TryGetProperty(ConversationScope.ConversationId, out var id) && id.GetString() == $"{conversationId}");

        // A developer reads plain text.
        Assert.Equal(ConsoleFormatterNames.Simple, FormatWith("appsettings.Development.json", conversationId).FormatterName);
    }

    /// <summary>The server's console settings, as the server reads them, and a line written by the formatter they name.</summary>
    private static (string? FormatterName, string Line) FormatWith(string environmentFile, Guid conversationId)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoPaths.ServerProject, "appsettings.json"))
            .AddJsonFile(Path.Combine(RepoPaths.ServerProject, environmentFile))
            .Build();
        using var services = new ServiceCollection()
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddConsole())
            .BuildServiceProvider();
        var options = services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue;
        var formatter = services.GetServices<ConsoleFormatter>().Single(f => f.Name == options.FormatterName);
        var scopes = new LoggerExternalScopeProvider();
        using var scope = ConversationScope.Begin(new ScopeLogger(scopes), conversationId);
        using var writer = new StringWriter();
        formatter.Write(new LogEntry<string>(LogLevel.Error, "ChatDesk.Server.Chats.ChatErrorFilter", new EventId(1), "Something failed", null, (s, _) => s),
            scopes, writer);
        return (options.FormatterName, writer.ToString());
    }

    /// <summary>Begins scopes on the provider the formatter reads, as the logging infrastructure does.</summary>
    private sealed class ScopeLogger(IExternalScopeProvider scopes) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => false;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
