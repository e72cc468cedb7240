using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace ChatDesk.Tests.Infrastructure;

/// <summary>A logger provider that keeps every line it is given, with the scopes it was logged in (keys and values).</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    /// <param name="Text">Everything the entry carried (message, exception, structured values, scopes), for "never logged" checks.</param>
    public sealed record Line(string Category, string Message, IReadOnlyDictionary<string, object?> Scopes, string Text);

    private readonly ConcurrentQueue<Line> lines = new();
    private IExternalScopeProvider scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<Line> Lines => [.. lines];

    public void Clear() => lines.Clear();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner.scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            var text = new StringBuilder($"{logLevel} {category}: {message} {exception}");
            if (state is IEnumerable<KeyValuePair<string, object?>> structured)
                foreach (var (key, value) in structured)
                    text.Append($" [{key}={value}]");
            var values = new Dictionary<string, object?>();
            owner.scopes.ForEachScope((scope, into) =>
            {
                text.Append($" <{scope}>");
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs)
                        into[key] = value;
                }
            }, values);
            owner.lines.Enqueue(new Line(category, message, values, text.ToString()));
        }
    }
}
