using Npgsql;
using YoungCarers.Api.Storage;
using YoungCarers.EventStore.Schema;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Api.CommandLine;

internal static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        var database = await DatabaseConnection.ResolveAsync(configuration, cancellationToken);
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
            var migrator = new SchemaMigrator(dataSource, typeof(IngestPipeline).Assembly);
            var applied = await migrator.MigrateAsync(cancellationToken);
            await Console.Out.WriteLineAsync(applied.Count == 0
                ? $"Schema already current at version {migrator.Scripts[^1].Version}."
                : $"Applied schema versions {string.Join(", ", applied)}.");
            return 0;
        }
        finally
        {
            if (database.Embedded is { } embedded)
            {
                await embedded.StopAsync(CancellationToken.None);
            }
        }
    }
}
