using System.Reflection;
using Npgsql;
using YoungCarers.EventStore.Connections;
using YoungCarers.EventStore.Embedded;
using YoungCarers.EventStore.Schema;

namespace YoungCarers.Benchmarks;

/// <summary>
/// A migrated database for one run: a new database on a given server (dropped at the end), an
/// embedded cluster in a temporary directory (stopped and deleted at the end), or an embedded cluster
/// kept between runs. Its data source has the service's settings (prepared statements, write
/// buffer), as the commands measured have them.
/// </summary>
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _cluster;
    private readonly string? _adminConnectionString;
    private readonly string? _databaseName;
    private readonly bool _keepFiles;

    private BenchmarkDatabase(
        NpgsqlDataSource dataSource, string description, EmbeddedPostgres? cluster, string? adminConnectionString = null, string? databaseName = null, bool keepFiles = false)
    {
        _keepFiles = keepFiles;
        DataSource = dataSource;
        Description = description;
        _cluster = cluster;
        _adminConnectionString = adminConnectionString;
        _databaseName = databaseName;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>Where the run's data lives, for the report.</summary>
    public string Description { get; }

    /// <summary>The embedded cluster's data directory (to read its CPU time), or null on a given server.</summary>
    public string? ClusterDirectory => _cluster?.DataDirectory;

    /// <summary>A new database on the given server, or an embedded cluster, migrated with the event store and <paramref name="featureAssemblies"/>.</summary>
    public static async Task<BenchmarkDatabase> CreateAsync(string? connectionString, CancellationToken cancellationToken, params Assembly[] featureAssemblies) =>
        await MigratedAsync(
            connectionString is null ? await StartEmbeddedAsync(cancellationToken) : await CreateOnServerAsync(connectionString, cancellationToken),
            featureAssemblies,
            cancellationToken);

    /// <summary>
    /// A durable embedded cluster in <paramref name="dataDirectory"/> that outlives the run (stopped at
    /// the end, its files kept, so the next run can reuse the data), with database <paramref name="database"/>
    /// created if missing. Migrated with <paramref name="migrateWith"/> when given; left as it is when
    /// null (the service, which knows scripts of its own, migrates it when it starts).
    /// </summary>
    public static async Task<BenchmarkDatabase> OpenKeptAsync(string dataDirectory, string database, Assembly[]? migrateWith, CancellationToken cancellationToken)
    {
        var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = dataDirectory, Disposable = false }, cancellationToken);
        try
        {
            await using (var connection = new NpgsqlConnection(cluster.ConnectionString()))
            {
                await connection.OpenAsync(cancellationToken);
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
                exists.Parameters.AddWithValue("name", database);
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\" TEMPLATE template0", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken);
                }
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        var kept = new BenchmarkDatabase(
            NpgsqlDataSource.Create(DataSourceDefaults.Apply(cluster.ConnectionString(database))), $"embedded, durable, kept in {cluster.DataDirectory}", cluster, keepFiles: true);
        return migrateWith is null ? kept : await MigratedAsync(kept, migrateWith, cancellationToken);
    }

    /// <summary>A second migrated, empty database on the server of <paramref name="server"/>, dropped at the end.</summary>
    public static async Task<BenchmarkDatabase> CreateBesideAsync(NpgsqlDataSource server, CancellationToken cancellationToken, params Assembly[] featureAssemblies) =>
        await MigratedAsync(await CreateOnServerAsync(server.ConnectionString, cancellationToken), featureAssemblies, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            if (!_keepFiles)
            {
                EmbeddedPostgres.DeleteFiles(_cluster.DataDirectory);
            }
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
            EmbeddedPostgres.DeleteFiles(directory);
            throw;
        }

        return new BenchmarkDatabase(
            NpgsqlDataSource.Create(DataSourceDefaults.Apply(cluster.ConnectionString())), $"embedded, durable, {directory}", cluster);
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
            NpgsqlDataSource.Create(DataSourceDefaults.Apply(builder.ConnectionString)), $"{builder.Host}:{builder.Port}, database {name}", cluster: null, adminConnectionString, name);
    }
}
