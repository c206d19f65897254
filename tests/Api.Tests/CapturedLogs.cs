using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace YoungCarers.Api.Tests;

/// <summary>One log entry as a line: its message, exception and every scope value it was written in.</summary>
/// <param name="Scopes">The scopes' values by name, among them the activity's <c>TraceId</c>.</param>
internal sealed record LogLine(string Category, LogLevel Level, string Message, string? Exception, IReadOnlyDictionary<string, string?> Scopes)
{
    /// <summary>All the line says, as a log sink would get it.</summary>
    public string Text => string.Join(' ', [Category, Message, Exception, .. Scopes.Select(scope => $"{scope.Key}={scope.Value}")]);
}

/// <summary>
/// A logger provider that keeps what the service logs. It takes the factory's scopes
/// (<see cref="ISupportExternalScope"/>), as the console logger does, so the activity's trace id
/// that <c>ActivityTrackingOptions</c> adds reaches it.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogLine> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyCollection<LogLine> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => logs._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            var scopes = new Dictionary<string, string?>(StringComparer.Ordinal);
            logs._scopes.ForEachScope((scope, values) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                {
                    foreach (var (key, value) in pairs)
                    {
                        values[key] = value?.ToString();
                    }
                }
                else
                {
                    values[$"scope{values.Count}"] = scope?.ToString();
                }
            }, scopes);
            logs._lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception), exception?.ToString(), scopes));
        }
    }
}
