using Npgsql;
using YoungCarers.Projections.Daemon;

namespace YoungCarers.Api.Health;

/// <summary>Where a projection stands against the readable head of the all-events log, as the database says.</summary>
/// <param name="EventsBehind">Readable events after the checkpoint.</param>
/// <param name="Lag">The age of the first of those events (zero when caught up): how stale the projection is.</param>
/// <param name="WithoutProgress">
/// How long events have been waiting while the checkpoint stood still: since the later of the
/// checkpoint's last move and the first waiting event's recording (zero when caught up).
/// </param>
/// <param name="ConsecutiveFailures">Failed pages since the last applied one.</param>
/// <param name="LastError">The last failure's exception type, never its message.</param>
internal sealed record ProjectionStatus(
    string Projection,
    long EventsBehind,
    TimeSpan Lag,
    TimeSpan WithoutProgress,
    DateTimeOffset? CheckpointUpdatedAt,
    int ConsecutiveFailures,
    DateTimeOffset? LastFailureAt,
    TimeSpan? SinceLastFailure,
    string? LastError);

/// <summary>
/// Reads every registered projection's status from the database alone (checkpoint rows, the
/// events after them, the failures the leading daemon records), so a standby instance, or one
/// that runs no daemon, answers the same as the leader.
/// </summary>
internal sealed class ProjectionStatusReader(NpgsqlDataSource dataSource, IEnumerable<IProjection> projections)
{
    // Counting walks the (transaction_id, seq) index from the checkpoint, so it costs in
    // proportion to the lag; the first waiting event is one index probe. Times are the database's,
    // the same clock that stamped the checkpoint and the events.
    private const string Sql = """
        SELECT p.projection,
               behind.events,
               extract(epoch FROM now() - first_waiting.recorded_at)::float8,
               extract(epoch FROM now() - greatest(c.updated_at, first_waiting.recorded_at))::float8,
               c.updated_at,
               f.consecutive_failures,
               f.last_failed_at,
               extract(epoch FROM now() - f.last_failed_at)::float8,
               f.error
        FROM unnest(@projections) AS p (projection)
        LEFT JOIN projection_checkpoints c ON c.projection = p.projection
        LEFT JOIN projection_failures f ON f.projection = p.projection
        CROSS JOIN LATERAL (
            SELECT count(*) AS events
            FROM events e
            WHERE (e.transaction_id, e.seq) > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.seq, 0))
              AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())) behind
        LEFT JOIN LATERAL (
            SELECT e.recorded_at
            FROM events e
            WHERE (e.transaction_id, e.seq) > (coalesce(c.transaction_id, '0'::xid8), coalesce(c.seq, 0))
              AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY e.transaction_id, e.seq
            LIMIT 1) first_waiting ON true
        ORDER BY p.projection
        """;

    private readonly string[] _names = [.. projections.Select(p => p.Name).Distinct(StringComparer.Ordinal)];

    public async Task<IReadOnlyList<ProjectionStatus>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(Sql);
        command.Parameters.AddWithValue("projections", _names);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var statuses = new List<ProjectionStatus>(_names.Length);
        while (await reader.ReadAsync(cancellationToken))
        {
            var behind = reader.GetInt64(1);
            statuses.Add(new ProjectionStatus(
                reader.GetString(0),
                behind,
                behind > 0 ? Seconds(reader, 2) ?? TimeSpan.Zero : TimeSpan.Zero,
                behind > 0 ? Seconds(reader, 3) ?? TimeSpan.Zero : TimeSpan.Zero,
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? 0 : reader.GetInt32(5),
                reader.IsDBNull(6) ? null : reader.GetFieldValue<DateTimeOffset>(6),
                Seconds(reader, 7),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
        }

        return statuses;
    }

    // Never negative, whatever the rounding between the clocks' readings.
    private static TimeSpan? Seconds(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : TimeSpan.FromSeconds(Math.Max(0, reader.GetDouble(ordinal)));
}
