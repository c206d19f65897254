using Npgsql;
using YoungCarers.EventStore.Embedded;

namespace YoungCarers.Testing;

/// <summary>
/// The PostgreSQL server a test run uses: the one named by the <c>YC_TEST_POSTGRES</c> connection
/// string (a role that may create databases), or else one embedded cluster per test process, in a
/// temporary directory, stopped and deleted when the process exits.
/// </summary>
public static class TestPostgres
{
    public const string ConnectionStringVariable = "YC_TEST_POSTGRES";

    private static readonly Lazy<Task<string>> Server = new(StartAsync);

    /// <summary>A connection string for the server's maintenance database.</summary>
    public static Task<string> AdminConnectionStringAsync() => Server.Value;

    /// <summary>Creates a new, empty database and returns a connection string for it.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix)
    {
        var admin = await AdminConnectionStringAsync();
        var name = $"{prefix.ToLowerInvariant()}_{Guid.NewGuid():N}"[..Math.Min(63, prefix.Length + 33)];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\" TEMPLATE template0", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
    }

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(await AdminConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured;
        }

        var directory = Path.Combine(Path.GetTempPath(), $"yc-test-pg-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = directory,
            Disposable = true,
            Settings = new Dictionary<string, string> { ["max_connections"] = "300" },
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return cluster.ConnectionString();
    }
}
