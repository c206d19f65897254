using Npgsql;
using Xunit;
using YoungCarers.EventStore.Schema;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Testing;

/// <summary>A fresh database with the whole product schema, for one test class, dropped afterwards.</summary>
public sealed class DatabaseFixture : IAsyncLifetime
{
    private NpgsqlDataSource? _dataSource;

    public string ConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("The fixture has not been initialised.");

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateDatabaseAsync("yc_test");
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        await new SchemaMigrator(_dataSource, typeof(IngestPipeline).Assembly, typeof(YoungCarers.Projections.ProjectionsRegistration).Assembly).MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        await TestPostgres.DropDatabaseAsync(ConnectionString);
    }
}
