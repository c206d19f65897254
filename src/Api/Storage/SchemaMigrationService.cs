using YoungCarers.EventStore.Schema;

namespace YoungCarers.Api.Storage;

/// <summary>Brings the schema up to date before the service accepts work.</summary>
internal sealed partial class SchemaMigrationService(SchemaMigrator migrator, ILogger<SchemaMigrationService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var applied = await migrator.MigrateAsync(cancellationToken);
        LogMigrated(applied.Count, migrator.Scripts[^1].Version);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema is current at version {Version} ({Applied} scripts applied now)")]
    private partial void LogMigrated(int applied, int version);
}
