using Npgsql;
using YoungCarers.EventStore.Embedded;

namespace YoungCarers.EventStore.Tests;

public sealed class EmbeddedPostgresTests
{
    [Fact]
    public async Task The_embedded_cluster_gives_PostgreSQL_more_shared_buffers_than_its_128_MB_default()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"yc-embedded-test-{Guid.NewGuid():N}");
        await using (var cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions { DataDirectory = directory, Disposable = true }))
        {
            await using var connection = new NpgsqlConnection(cluster.ConnectionString());
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'", connection);

            var bytes = (long)(await command.ExecuteScalarAsync())!;

            Assert.InRange(bytes, (128L * 1024 * 1024) + 1, 1024L * 1024 * 1024);
        }
    }
}
