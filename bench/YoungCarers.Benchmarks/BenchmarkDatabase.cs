using System.Reflection;
using Npgsql;
using YoungCarers.EventStore.Embedded;
using YoungCarers.EventStore.Schema;

namespace YoungCarers.Benchmarks;

/// <summary>
/// A migrated, empty database for one run: either a new database on a given server (dropped at the
/// end), or an embedded cluster in a temporary directory (stopped and deleted at the end).
/// </summary>
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _cluster;
    private readonly string? _adminConnectionString;
    private readonly string? _databaseName;

    private BenchmarkDatabase(
        NpgsqlDataSource dataSource, string description, EmbeddedPostgres? cluster, string? adminConnectionString = null, string? databaseName = null)
    {
        DataSource = dataSource;
        Description = description;
        _cluster = cluster;
        _adminConnectionString = adminConnectionString;
        _databaseName = databaseName;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Where the run's data lives, for the report.</summary>
    public string Description { get; }

    /// <summary>A new database on the given server, or an embedded cluster, migrated with the event store and <paramref name="featureAssemblies"/>.</summary>
    public static async Task<BenchmarkDatabase> CreateAsync(string? connectionString, CancellationToken cancellationToken, params Assembly[] featureAssemblies) =>
        await MigratedAsync(
            connectionString is null ? await StartEmbeddedAsync(cancellationToken) : await CreateOnServerAsync(connectionString, cancellationToken),
            featureAssemblies,
            cancellationToken);

    /// <summary>A second migrated, empty database on the server of <paramref name="server"/>, dropped at the end.</summary>
    public static async Task<BenchmarkDatabase> CreateBesideAsync(NpgsqlDataSource server, CancellationToken cancellationToken, params Assembly[] featureAssemblies) =>
        await MigratedAsync(await CreateOnServerAsync(server.ConnectionString, cancellationToken), featureAssemblies, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            DeleteClusterFiles(_cluster.DataDirectory);
        }
        else if (_adminConnectionString is not null)
        {
            await using var connection = new NpgsqlConnection(_adminConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{_databaseName}\" WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }

    private static async Task<BenchmarkDatabase> MigratedAsync(BenchmarkDatabase database, Assembly[] featureAssemblies, CancellationToken cancellationToken)
    {
        try
        {
            await new SchemaMigrator(database.DataSource, featureAssemblies).MigrateAsync(cancellationToken);
            return database;
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }
    }

    private static async Task<BenchmarkDatabase> StartEmbeddedAsync(CancellationToken cancellationToken)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"yc-bench-pg-{Guid.NewGuid():N}");
        EmbeddedPostgres cluster;
        try
        {
            // Not disposable: fsync and synchronous commit stay on, as in the service's default.
            cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = directory, Disposable = false }, cancellationToken);
        }
        catch
        {
            DeleteClusterFiles(directory);
            throw;
        }

        return new BenchmarkDatabase(
            NpgsqlDataSource.Create(cluster.ConnectionString()), $"embedded, durable, {directory}", cluster);
    }

    private static async Task<BenchmarkDatabase> CreateOnServerAsync(string adminConnectionString, CancellationToken cancellationToken)
    {
        var name = $"yc_bench_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0", connection);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var builder = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name };
        return new BenchmarkDatabase(
            NpgsqlDataSource.Create(builder.ConnectionString), $"{builder.Host}:{builder.Port}, database {name}", cluster: null, adminConnectionString, name);
    }

    private static void DeleteClusterFiles(string dataDirectory)
    {
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }
}
