using Npgsql;
using YoungCarers.Api.Storage;
using YoungCarers.EventStore.Connections;
using YoungCarers.EventStore.Schema;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Api.CommandLine;

/// <summary>
/// The database for a one-off command: configured like the service (appsettings.json, environment,
/// then <c>--key=value</c> arguments), including the embedded PostgreSQL, which it stops again on dispose.
/// </summary>
internal sealed class CommandDatabase : IAsyncDisposable
{
    private readonly DatabaseConnection _database;

    private CommandDatabase(DatabaseConnection database, NpgsqlDataSource dataSource)
    {
        _database = database;
        DataSource = dataSource;
    }

    public NpgsqlDataSource DataSource { get; }

    public SchemaMigrator Migrator => new(DataSource, typeof(IngestPipeline).Assembly, typeof(YoungCarers.Projections.ProjectionsRegistration).Assembly, typeof(CommandDatabase).Assembly);

    public static async Task<CommandDatabase> OpenAsync(string[] configurationArgs, CancellationToken cancellationToken)
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine(configurationArgs)
            .Build();
        var database = await DatabaseConnection.ResolveAsync(configuration, cancellationToken);
        return new CommandDatabase(database, NpgsqlDataSource.Create(DataSourceDefaults.Apply(database.ConnectionString)));
    }

    /// <summary>Opens the database with its schema brought up to date, as the service would at start-up.</summary>
    public static async Task<CommandDatabase> OpenMigratedAsync(string[] configurationArgs, CancellationToken cancellationToken)
    {
        var database = await OpenAsync(configurationArgs, cancellationToken);
        await database.Migrator.MigrateAsync(cancellationToken);
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (_database.Embedded is { } embedded)
        {
            await embedded.StopAsync(CancellationToken.None);
        }
    }
}
