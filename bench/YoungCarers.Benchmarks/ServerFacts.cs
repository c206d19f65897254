using Npgsql;

namespace YoungCarers.Benchmarks;

/// <summary>The server settings that most affect write throughput, for the report.</summary>
internal sealed record ServerFacts(string Version, string Fsync, string SynchronousCommit, string SharedBuffers, string MaxWalSize)
{
    public static async Task<ServerFacts> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT current_setting('server_version'), current_setting('fsync'), current_setting('synchronous_commit'),
                   current_setting('shared_buffers'), current_setting('max_wal_size')
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ServerFacts(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4));
    }
}
