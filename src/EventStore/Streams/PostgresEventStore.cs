using System.Runtime.CompilerServices;
using Npgsql;

namespace YoungCarers.EventStore.Streams;

/// <summary>
/// The event store: streams of events in PostgreSQL, appended under optimistic concurrency,
/// idempotent on (source, source event id). How an append works is on <see cref="EventStoreTransaction"/>.
/// </summary>
public sealed class PostgresEventStore(NpgsqlDataSource dataSource)
{
    public const int MaxStreamIdLength = 200;
    private const int MaxAttempts = 5;

    public async Task<StreamAppendResult> AppendAsync(
        string streamId,
        ExpectedVersion expectedVersion,
        IReadOnlyList<NewEvent> events,
        CancellationToken cancellationToken = default)
    {
        var result = await AppendAsync([new StreamAppend(streamId, expectedVersion, events)], cancellationToken);
        return result.Streams[0];
    }

    /// <summary>
    /// Appends to several streams in one transaction: all of it is stored, or none of it. An event
    /// already stored (same source and source event id) is reported as a duplicate and not stored
    /// again. A stream whose submitted events are all duplicates is not version-checked, so a
    /// client retrying an append that did succeed learns that, rather than getting a conflict.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">A stream is not at the expected version.</exception>
    /// <exception cref="StreamArchivedException">A stream was archived.</exception>
    public Task<AppendResult> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default)
    {
        EventStoreTransaction.Validate(appends);
        return ExecuteAsync((transaction, token) => transaction.AppendAsync(appends, token), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it. When the transaction meets a
    /// concurrent change (a deadlock, a duplicate committed meanwhile, a
    /// <see cref="TransactionConflictException"/>), it is rolled back and run again from the start,
    /// so the work must decide everything from what it reads inside the transaction. A transaction
    /// that runs the server out of lock table is run again once with
    /// <see cref="EventStoreTransaction.LockTableWasFull"/> set.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(Func<EventStoreTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var checkStoredDuplicates = false;
        var lockTableWasFull = false;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                var result = await work(new EventStoreTransaction(connection, transaction, checkStoredDuplicates, lockTableWasFull), cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return result;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation
                                              && e.ConstraintName == "events_source_event_key"
                                              && attempt < MaxAttempts)
            {
                // Some events were stored before (or concurrently, and committed first): look them up this time.
                checkStoredDuplicates = true;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.OutOfMemory && !lockTableWasFull && attempt < MaxAttempts)
            {
                // Shared memory runs out when concurrent transactions hold more locks than the
                // server's lock table (max_locks_per_transaction) has room for.
                lockTableWasFull = true;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                                              && attempt < MaxAttempts)
            {
            }
            catch (TransactionConflictException) when (attempt < MaxAttempts)
            {
            }
        }
    }

    /// <summary>Reads a slice of one stream in version order.</summary>
    public async IAsyncEnumerable<RecordedEvent> ReadStreamAsync(
        string streamId,
        StreamSlice? slice = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        slice ??= StreamSlice.All;
        await using var command = dataSource.CreateCommand();
        var sql = $"{EventReader.SelectColumns} FROM events WHERE stream_id = @stream_id AND stream_version >= @from";
        command.Parameters.AddWithValue("stream_id", streamId);
        command.Parameters.AddWithValue("from", slice.FromVersion);
        if (slice.ToVersion is { } to)
        {
            sql += " AND stream_version <= @to";
            command.Parameters.AddWithValue("to", to);
        }

        if (slice.OccurredBy is { } occurredBy)
        {
            sql += " AND occurred_at <= @occurred_by";
            command.Parameters.AddWithValue("occurred_by", occurredBy.ToUniversalTime());
        }

        if (slice.RecordedBy is { } recordedBy)
        {
            sql += " AND recorded_at <= @recorded_by";
            command.Parameters.AddWithValue("recorded_by", recordedBy.ToUniversalTime());
        }

        command.CommandText = sql + " ORDER BY stream_version";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return EventReader.Read(reader);
        }
    }

    /// <summary>
    /// Folds a slice of a stream into a state: the stream as at a version, or as at an instant
    /// (events that occurred by then, optionally only those recorded by a second instant).
    /// </summary>
    public async Task<TState> AggregateStreamAsync<TState>(
        string streamId,
        TState initial,
        Func<TState, RecordedEvent, TState> evolve,
        StreamSlice? slice = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(evolve);
        var state = initial;
        await foreach (var recorded in ReadStreamAsync(streamId, slice, cancellationToken))
        {
            state = evolve(state, recorded);
        }

        return state;
    }

    public async Task<StreamInfo?> GetStreamAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT stream_id, version, created_at, archived_at, successor_id FROM streams WHERE stream_id = @id");
        command.Parameters.AddWithValue("id", streamId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return new StreamInfo(
            reader.GetString(0),
            reader.GetInt64(1),
            reader.GetFieldValue<DateTimeOffset>(2),
            reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
            reader.IsDBNull(4) ? null : reader.GetString(4));
    }

    /// <summary>
    /// Follows successor pointers from an archived stream to the live stream that absorbed it.
    /// Returns the id itself for a live stream and null for an unknown one.
    /// </summary>
    public async Task<string?> ResolveLiveStreamIdAsync(string streamId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            WITH RECURSIVE chain(stream_id, successor_id, depth) AS (
                SELECT stream_id, successor_id, 0 FROM streams WHERE stream_id = @id
                UNION ALL
                SELECT s.stream_id, s.successor_id, c.depth + 1
                FROM streams s JOIN chain c ON s.stream_id = c.successor_id
            )
            SELECT stream_id FROM chain WHERE successor_id IS NULL
            """);
        command.Parameters.AddWithValue("id", streamId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>
    /// Archives a stream whose family was merged into another: it keeps its events for audit but
    /// accepts no more, and points at its successor. Archiving again with the same successor is a no-op.
    /// </summary>
    /// <exception cref="StreamNotFoundException">Either stream does not exist.</exception>
    /// <exception cref="StreamArchivedException">The stream was archived with another successor, or the successor is itself archived.</exception>
    public Task ArchiveStreamAsync(string streamId, string successorId, CancellationToken cancellationToken = default) =>
        ExecuteAsync(async (transaction, token) =>
        {
            await transaction.ArchiveStreamAsync(streamId, successorId, token);
            return true;
        }, cancellationToken);
}
