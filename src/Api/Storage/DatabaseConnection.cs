using Npgsql;
using YoungCarers.EventStore.Embedded;

namespace YoungCarers.Api.Storage;

/// <summary>
/// The database the service uses: the configured <c>ConnectionStrings:EventStore</c>, or else an
/// embedded PostgreSQL cluster started from the machine's binaries.
/// </summary>
internal sealed class DatabaseConnection(string connectionString, EmbeddedPostgres? embedded)
{
    public string ConnectionString { get; } = connectionString;

    public EmbeddedPostgres? Embedded { get; } = embedded;

    /// <summary>Whether this configuration runs on the embedded PostgreSQL (no connection string given).</summary>
    public static bool IsEmbedded(IConfiguration configuration) => string.IsNullOrWhiteSpace(configuration.GetConnectionString("EventStore"));

    public static async Task<DatabaseConnection> ResolveAsync(IConfiguration configuration, CancellationToken cancellationToken)
    {
        if (!IsEmbedded(configuration))
        {
            return new DatabaseConnection(configuration.GetConnectionString("EventStore")!, null);
        }

        var section = configuration.GetSection("EmbeddedPostgres");
        var embedded = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = section["DataDirectory"] ?? ".data/postgres",
            Port = section.GetValue("Port", 0),
            BinDirectory = section["BinDirectory"],
        }, cancellationToken);
        var database = section["Database"] ?? "youngcarers";
        await CreateDatabaseIfMissingAsync(embedded, database, cancellationToken);
        return new DatabaseConnection(embedded.ConnectionString(database), embedded);
    }

    private static async Task CreateDatabaseIfMissingAsync(EmbeddedPostgres embedded, string database, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(embedded.ConnectionString());
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", database);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
