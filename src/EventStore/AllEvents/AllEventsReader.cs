using System.Runtime.CompilerServices;
using Npgsql;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.EventStore.AllEvents;

/// <summary>
/// Reads every stream's events in one order, for projections, without ever skipping an event.
/// </summary>
/// <remarks>
/// Reading by global sequence alone is unsafe: sequence numbers are taken when a row is inserted,
/// not when its transaction commits, so a reader that has passed sequence 10 can later find 9
/// appear. Guessing (waiting a while, then treating the hole as a rollback) is how projections lose
/// events. Instead each event carries its writer's transaction id, and a read returns only events
/// of transactions older than the oldest transaction still running (the snapshot's xmin): every
/// such transaction has finished, so nothing can appear behind the reader. A rolled-back
/// transaction leaves no rows and stops holding the horizon back the moment it ends.
/// </remarks>
public sealed class AllEventsReader(NpgsqlDataSource dataSource)
{
    public static TimeSpan DefaultPollInterval { get; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The next events after <paramref name="after"/>, at most <paramref name="maxCount"/>.</summary>
    public Task<IReadOnlyList<RecordedEvent>> ReadAsync(GlobalPosition after, int maxCount, CancellationToken cancellationToken = default) =>
        ReadPageAsync(EventReader.SelectColumns, EventReader.Read, after, maxCount, cancellationToken);

    /// <summary>
    /// Where the next events after <paramref name="after"/> are, at most <paramref name="maxCount"/>:
    /// the page <see cref="ReadAsync"/> would return, without the events' data, for a reader that
    /// reads what it needs of them from their streams.
    /// </summary>
    public Task<IReadOnlyList<EventPointer>> ReadPointersAsync(GlobalPosition after, int maxCount, CancellationToken cancellationToken = default) =>
        ReadPageAsync(
            "SELECT seq, transaction_id, stream_id, stream_version",
            reader => new EventPointer(new GlobalPosition(reader.GetFieldValue<ulong>(1), reader.GetInt64(0)), reader.GetString(2), reader.GetInt64(3)),
            after,
            maxCount,
            cancellationToken);

    private async Task<IReadOnlyList<T>> ReadPageAsync<T>(
        string select, Func<NpgsqlDataReader, T> read, GlobalPosition after, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        await using var command = dataSource.CreateCommand($"""
            {select}
            FROM events
            WHERE (transaction_id, seq) > (@transaction_id::xid8, @seq)
              AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY transaction_id, seq
            LIMIT @max
            """);
        command.Parameters.AddWithValue("transaction_id", after.TransactionId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("seq", after.Sequence);
        command.Parameters.AddWithValue("max", maxCount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var events = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(read(reader));
        }

        return events;
    }

    /// <summary>
    /// Every event after <paramref name="after"/>, then each new one as it becomes safe to read,
    /// until cancelled. Polls when caught up.
    /// </summary>
    public async IAsyncEnumerable<RecordedEvent> SubscribeAsync(
        GlobalPosition after,
        int pageSize = 1000,
        TimeSpan? pollInterval = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var position = after;
        while (!cancellationToken.IsCancellationRequested)
        {
            var page = await ReadAsync(position, pageSize, cancellationToken);
            foreach (var recorded in page)
            {
                yield return recorded;
                position = recorded.Position;
            }

            if (page.Count < pageSize)
            {
                await Task.Delay(pollInterval ?? DefaultPollInterval, cancellationToken);
            }
        }
    }

    /// <summary>
    /// What holds the reader back, for operators: the oldest transaction still running, if any.
    /// A long-running writing transaction anywhere on the server delays every projection.
    /// </summary>
    public async Task<OldestRunningTransaction?> GetOldestRunningTransactionAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT pid, xact_start, backend_xid::text::bigint, datname, application_name
            FROM pg_stat_activity
            WHERE backend_xid IS NOT NULL
            ORDER BY xact_start
            LIMIT 1
            """);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new OldestRunningTransaction(
            reader.GetInt32(0),
            reader.GetFieldValue<DateTimeOffset>(1),
            reader.GetInt64(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4));
    }
}

/// <param name="ProcessId">The server process running it.</param>
/// <param name="StartedAt">When the transaction began.</param>
/// <param name="TransactionId">Its (32-bit) transaction id.</param>
public sealed record OldestRunningTransaction(int ProcessId, DateTimeOffset StartedAt, long TransactionId, string? Database, string? ApplicationName);
