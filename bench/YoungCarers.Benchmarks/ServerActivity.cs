using Npgsql;

namespace YoungCarers.Benchmarks;

/// <summary>
/// The server's write activity counters at one moment: the difference of two shows whether a
/// checkpoint (and so a burst of full-page images in the WAL) fell inside a measured phase.
/// </summary>
internal sealed record ServerActivity(long Checkpoints, long WalBytes, long BuffersWrittenByBackends)
{
    public static async Task<ServerActivity> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT checkpoints_timed + checkpoints_req, pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint, buffers_backend
            FROM pg_stat_bgwriter
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new ServerActivity(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }

    public static ServerActivity operator -(ServerActivity after, ServerActivity before) =>
        new(after.Checkpoints - before.Checkpoints, after.WalBytes - before.WalBytes, after.BuffersWrittenByBackends - before.BuffersWrittenByBackends);
}
