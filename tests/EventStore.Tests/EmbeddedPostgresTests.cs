using Npgsql;
using YoungCarers.EventStore.Embedded;

namespace YoungCarers.EventStore.Tests;

public sealed class EmbeddedPostgresTests
{
    [Fact]
    public Task The_embedded_cluster_is_sized_for_the_service_not_PostgreSQLs_smallest_defaults() => OnFreshClusterAsync(
        """
        SELECT (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'),
               current_setting('wal_compression'),
               (SELECT setting::bigint FROM pg_settings WHERE name = 'max_wal_size'),
               current_setting('jit'),
               current_setting('max_locks_per_transaction')::int
        """,
        row =>
        {
            Assert.InRange(row.GetInt64(0), (128L * 1024 * 1024) + 1, 256L * 1024 * 1024);
            Assert.Equal("lz4", row.GetString(1));
            Assert.True(row.GetInt64(2) > 1024, "max_wal_size should be above PostgreSQL's 1 GB default");
            Assert.Equal("off", row.GetString(3));
            Assert.True(row.GetInt32(4) >= 256, "an ingest batch locks each identifier it names");
        });

    [Fact]
    public Task The_embedded_cluster_compares_text_in_byte_order_and_still_folds_accented_names() => OnFreshClusterAsync(
        """
        SELECT datcollate, datctype, lower('ÉLODIE ÖZTÜRK'),
               (SELECT string_agg(word, ' ' ORDER BY word) FROM unnest(ARRAY['b', 'B', 'a', 'é', 'Z', '_']) AS word)
        FROM pg_database WHERE datname = current_database()
        """,
        row =>
        {
            Assert.Equal("C", row.GetString(0));
            Assert.Equal("C.UTF-8", row.GetString(1));
            Assert.Equal("élodie öztürk", row.GetString(2));
            Assert.Equal("B Z _ a b é", row.GetString(3));
        });

    [Fact]
    public async Task The_embedded_clusters_backends_keep_the_heap_memory_they_have_touched()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"yc-embedded-test-{Guid.NewGuid():N}");
        await using var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = directory, Disposable = true });
        await using var connection = new NpgsqlConnection(cluster.ConnectionString());
        await connection.OpenAsync();
        await using var pid = new NpgsqlCommand("SELECT pg_backend_pid()", connection);
        var backend = (int)(await pid.ExecuteScalarAsync())!;
        var before = AnonymousResidentKilobytes(backend);

        // A 24 MB value: with glibc's defaults the block is mapped for the statement and unmapped
        // when it ends, so the next statement that needs as much faults it in again.
        await using var large = new NpgsqlCommand("SELECT length(repeat('x', 24000000))", connection);
        Assert.Equal(24_000_000, (int)(await large.ExecuteScalarAsync())!);

        Assert.True(AnonymousResidentKilobytes(backend) - before >= 20_000, "the backend should keep the pages of the block it freed");
    }

    private static long AnonymousResidentKilobytes(int processId) =>
        long.Parse(
            File.ReadLines($"/proc/{processId}/status").Single(line => line.StartsWith("RssAnon:", StringComparison.Ordinal))["RssAnon:".Length..].Trim().Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_process_starting_while_another_initialises_the_directory_reuses_the_server_that_one_starts()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"yc-embedded-test-{Guid.NewGuid():N}");
        var options = new EmbeddedPostgresOptions { DataDirectory = directory, Disposable = true };
        var first = EmbeddedPostgres.StartAsync(options);

        // initdb writes PG_VERSION early, then runs a single-user server that writes its own postmaster.pid.
        while (!File.Exists(Path.Combine(directory, "PG_VERSION")) && !first.IsCompleted)
        {
            await Task.Delay(10);
        }

        await using var second = await EmbeddedPostgres.StartAsync(options with { Disposable = false });
        await using var started = await first;
        Assert.Equal(started.Port, second.Port);
        await using var connection = new NpgsqlConnection(second.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT current_setting('data_directory')", connection);
        Assert.Equal(directory, (string?)await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_durable_clusters_files_are_deleted_with_the_lock_file_beside_them_once_it_has_stopped()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"yc-embedded-test-{Guid.NewGuid():N}");
        await (await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = directory, Disposable = false })).DisposeAsync();
        var beside = Directory.GetFiles(Path.GetTempPath(), Path.GetFileName(directory) + "*");

        EmbeddedPostgres.DeleteFiles(directory);

        Assert.NotEmpty(beside);
        Assert.False(Directory.Exists(directory));
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetTempPath(), Path.GetFileName(directory) + "*"));
    }

    /// <summary>Starts a cluster of its own, as the service does with no connection string, and checks the one row <paramref name="sql"/> returns.</summary>
    private static async Task OnFreshClusterAsync(string sql, Action<NpgsqlDataReader> check)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"yc-embedded-test-{Guid.NewGuid():N}");
        await using var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = directory, Disposable = true });
        await using var connection = new NpgsqlConnection(cluster.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        check(reader);
    }
}
