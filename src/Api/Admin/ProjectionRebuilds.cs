using Npgsql;

namespace YoungCarers.Api.Admin;

/// <summary>A requested rebuild of the read model, as <c>GET /admin/projections/rebuilds/{id}</c> shows it.</summary>
/// <param name="Status"><c>queued</c>, <c>running</c>, <c>succeeded</c> or <c>failed</c>.</param>
/// <param name="Phase">The rebuild's current (or last) phase: bulk, indexes, catch-up, swap.</param>
/// <param name="EventsProcessed">Events read so far (when finished: the bulk pass and the catch-up together).</param>
/// <param name="Families">Live families written, once succeeded.</param>
public sealed record ProjectionRebuildStatus(
    long RebuildId,
    string Status,
    DateTimeOffset RequestedAt,
    string RequestedBy,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Phase,
    long EventsProcessed,
    int? Families,
    string? Error);

/// <summary>The <c>projection_rebuilds</c> table: requests, one at a time, and their progress.</summary>
internal sealed class ProjectionRebuilds(NpgsqlDataSource dataSource)
{
    /// <summary>pg_advisory_lock(int, int) key space held by the session running a rebuild ("YCRR").</summary>
    public const int RunnerLockSpace = 0x5943_5252;

    public const string Abandoned = "abandoned: the instance running it stopped before it finished";

    private const string Columns = """
        rebuild_id, status, requested_at, requested_by, started_at, finished_at, phase, events_processed, families, error
        """;

    // Advisory locks are per database; pg_locks shows a two-int key as classid, objid and objsubid 2.
    private const string NobodyRunning = """
        NOT EXISTS (SELECT 1 FROM pg_locks
                    WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid::bigint = @space AND objid::bigint = 0
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))
        """;

    /// <summary>
    /// Queues a rebuild in the caller's transaction. When one is already queued or running, returns
    /// that one instead, with <c>Created</c> false.
    /// </summary>
    public static async Task<(ProjectionRebuildStatus Rebuild, bool Created)> RequestAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string requestedBy, CancellationToken cancellationToken)
    {
        await using (var sweep = Command(connection, transaction, SweepSql))
        {
            await sweep.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var insert = Command(connection, transaction, $"""
            INSERT INTO projection_rebuilds (requested_by) VALUES (@by)
            ON CONFLICT ((true)) WHERE status IN ('queued', 'running') DO NOTHING
            RETURNING {Columns}
            """))
        {
            insert.Parameters.AddWithValue("by", requestedBy);
            if (await ReadOneAsync(insert, cancellationToken) is { } created)
            {
                return (created, true);
            }
        }

        await using var active = Command(connection, transaction, $"SELECT {Columns} FROM projection_rebuilds WHERE status IN ('queued', 'running')");
        return (await ReadOneAsync(active, cancellationToken)
            ?? throw new InvalidOperationException("A rebuild was refused as one is active, but none is."), false);
    }

    /// <summary>The rebuild, with one left running by a stopped instance marked failed first.</summary>
    public async Task<ProjectionRebuildStatus?> GetAsync(long rebuildId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var sweep = Command(connection, null, SweepSql))
        {
            await sweep.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var command = Command(connection, null, $"SELECT {Columns} FROM projection_rebuilds WHERE rebuild_id = @id");
        command.Parameters.AddWithValue("id", rebuildId);
        return await ReadOneAsync(command, cancellationToken);
    }

    private static string SweepSql => $"""
        UPDATE projection_rebuilds SET status = 'failed', finished_at = now(), error = '{Abandoned}'
        WHERE status = 'running' AND {NobodyRunning}
        """;

    private static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        command.Parameters.AddWithValue("space", RunnerLockSpace);
        return command;
    }

    private static async Task<ProjectionRebuildStatus?> ReadOneAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new ProjectionRebuildStatus(
            reader.GetInt64(0),
            reader.GetString(1),
            reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
            reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.GetInt64(7),
            reader.IsDBNull(8) ? null : reader.GetInt32(8),
            reader.IsDBNull(9) ? null : reader.GetString(9));
    }
}
