using Npgsql;
using YoungCarers.EventStore.Embedded;

namespace YoungCarers.EventStore.Tests;

public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task The_embedded_cluster_is_sized_for_the_service_not_PostgreSQLs_smallest_defaults()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"yc-embedded-test-{Guid.NewGuid():N}");
        await using (var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = directory, Disposable = true }))
        {
            await using var connection = new NpgsqlConnection(cluster.ConnectionString());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT (SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'),
                       current_setting('wal_compression'),
                       (SELECT setting::bigint FROM pg_settings WHERE name = 'max_wal_size'),
                       current_setting('jit'),
                       current_setting('max_locks_per_transaction')::int
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();

            Assert.InRange(reader.GetInt64(0), (128L * 1024 * 1024) + 1, 1024L * 1024 * 1024);
            Assert.Equal("lz4", reader.GetString(1));
            Assert.True(reader.GetInt64(2) > 1024, "max_wal_size should be above PostgreSQL's 1 GB default");
            Assert.Equal("off", reader.GetString(3));
            Assert.True(reader.GetInt32(4) >= 256, "an ingest batch locks each identifier it names");
        }
    }

    [Fact]
    public async Task The_embedded_cluster_compares_text_in_byte_order_and_still_folds_accented_names()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"yc-embedded-test-{Guid.NewGuid():N}");
        await using (var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = directory, Disposable = true }))
        {
            await using var connection = new NpgsqlConnection(cluster.ConnectionString());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""
                SELECT datcollate, datctype, lower('ÉLODIE ÖZTÜRK'),
                       (SELECT string_agg(word, ' ' ORDER BY word) FROM unnest(ARRAY['b', 'B', 'a', 'é', 'Z', '_']) AS word)
                FROM pg_database WHERE datname = current_database()
                """, connection);
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();

            Assert.Equal("C", reader.GetString(0));
            Assert.Equal("C.UTF-8", reader.GetString(1));
            Assert.Equal("élodie öztürk", reader.GetString(2));
            Assert.Equal("B Z _ a b é", reader.GetString(3));
        }
    }
}
