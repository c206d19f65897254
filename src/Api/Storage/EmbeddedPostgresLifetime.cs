namespace YoungCarers.Api.Storage;

/// <summary>Reports the embedded PostgreSQL in use and stops it when the service stops.</summary>
internal sealed partial class EmbeddedPostgresLifetime(DatabaseConnection database, ILogger<EmbeddedPostgresLifetime> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (database.Embedded is { } embedded)
        {
            LogEmbedded(embedded.DataDirectory, embedded.Port);
        }

        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (database.Embedded is { } embedded)
        {
            await embedded.StopAsync(cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No connection string is configured: using the embedded PostgreSQL in {DataDirectory} on 127.0.0.1:{Port}")]
    private partial void LogEmbedded(string dataDirectory, int port);
}
