using Npgsql;
using YoungCarers.EventStore.Embedded;

namespace YoungCarers.Testing;

/// <summary>
/// The PostgreSQL server a test run uses: the one named by the <c>YC_TEST_POSTGRES</c> connection
/// string (a role that may create databases), or else one embedded cluster per test process, in a
/// temporary directory, stopped and deleted when the process exits (or, when the test host was ended
/// before it could delete it, by the next test process).
/// </summary>
public static class TestPostgres
{
    public const string ConnectionStringVariable = "YC_TEST_POSTGRES";

    private const string ClusterPrefix = "yc-test-pg-";

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

        await DeleteAbandonedClustersAsync(Path.GetTempPath());
        var directory = Path.Combine(Path.GetTempPath(), $"{ClusterPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
        var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = directory,
            Disposable = true,
            Settings = new Dictionary<string, string> { ["max_connections"] = "300" },
        });
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return cluster.ConnectionString();
    }

    /// <summary>
    /// Deletes the embedded clusters under <paramref name="parent"/> left by test processes that have
    /// ended: the test host can be stopped before its exit handler has deleted its cluster, and each
    /// holds up to 2 GB of WAL. A cluster whose process or server still runs is left alone.
    /// </summary>
    public static async Task DeleteAbandonedClustersAsync(string parent)
    {
        foreach (var directory in Directory.EnumerateDirectories(parent, ClusterPrefix + "*"))
        {
            var owner = Path.GetFileName(directory)[ClusterPrefix.Length..].Split('-')[0];
            if (!int.TryParse(owner, out var pid) || IsRunning(pid) || await EmbeddedPostgres.IsRunningAsync(directory))
            {
                continue;
            }

            try
            {
                Directory.Delete(directory, recursive: true);
                File.Delete(directory + ".lock");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Another test process sweeping at the same moment, or not ours to delete: left for later.
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
