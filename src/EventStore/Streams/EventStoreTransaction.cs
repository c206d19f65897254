using System.Runtime.InteropServices;
using Npgsql;
using NpgsqlTypes;

namespace YoungCarers.EventStore.Streams;

/// <summary>
/// One transaction on the event store, for work that must commit or fail together with its
/// appends (the person index is written this way). Obtained from
/// <see cref="PostgresEventStore.ExecuteAsync{T}"/>, which commits it and retries it on conflicts.
/// </summary>
/// <remarks>
/// An append locks its streams' rows (in a fixed order, so concurrent batches cannot deadlock on
/// them), checks expected versions, COPYs the events and moves the stream versions on. It also
/// checks that its transaction id is newer than the one that last wrote each stream: the
/// all-events reader orders by transaction id, so this keeps every stream's events in version
/// order for projections. A transaction that loses that (rare) race is run again.
/// </remarks>
public sealed class EventStoreTransaction
{
    private readonly bool _checkStoredDuplicates;

    internal EventStoreTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, bool checkStoredDuplicates, bool lockTableWasFull = false)
    {
        Connection = connection;
        Transaction = transaction;
        _checkStoredDuplicates = checkStoredDuplicates;
        LockTableWasFull = lockTableWasFull;
    }

    public NpgsqlConnection Connection { get; }

    public NpgsqlTransaction Transaction { get; }

    /// <summary>
    /// True once an earlier attempt of this work failed on an event stored already (before, or by a
    /// transaction that committed meanwhile). Until then an append takes its events to be new and
    /// leaves the unique key to catch any that are not, which saves an index probe per event and
    /// costs a second attempt only for batches that do hold stored events.
    /// </summary>
    public bool ExpectsStoredEvents => _checkStoredDuplicates;

    /// <summary>
    /// True once an earlier attempt of this work ran the server out of lock table (SQLSTATE 53200,
    /// "out of shared memory"): work that takes many fine-grained locks should take one coarse
    /// lock instead this time.
    /// </summary>
    public bool LockTableWasFull { get; }

    /// <summary>Appends within this transaction; see <see cref="PostgresEventStore.AppendAsync(IReadOnlyList{StreamAppend}, CancellationToken)"/>.</summary>
    public Task<AppendResult> AppendAsync(IReadOnlyList<StreamAppend> appends, CancellationToken cancellationToken = default) =>
        AppendAsync(appends, withLocks: [], withUpdates: [], cancellationToken);

    /// <summary>
    /// As <see cref="AppendAsync(IReadOnlyList{StreamAppend}, CancellationToken)"/>, with further
    /// commands of this transaction (whose results are not read) sent in the round trips the append
    /// makes anyway: <paramref name="withLocks"/> run just after the streams are locked, before the
    /// events are written; <paramref name="withUpdates"/> run last, with the stream versions' update.
    /// </summary>
    public async Task<AppendResult> AppendAsync(
        IReadOnlyList<StreamAppend> appends,
        IReadOnlyList<NpgsqlBatchCommand> withLocks,
        IReadOnlyList<NpgsqlBatchCommand> withUpdates,
        CancellationToken cancellationToken = default)
    {
        Validate(appends);
        ArgumentNullException.ThrowIfNull(withLocks);
        ArgumentNullException.ThrowIfNull(withUpdates);
        var (connection, transaction) = (Connection, Transaction);
        var (streams, transactionId) = await LockStreamsAsync(connection, transaction, appends, withLocks, cancellationToken);
        var stored = _checkStoredDuplicates
            ? await FindStoredAsync(connection, transaction, Keys(appends), cancellationToken)
            : [];

        AppendPlan plan;
        try
        {
            plan = Plan(appends, streams, stored, transactionId);
        }
        catch (EventStoreException) when (!_checkStoredDuplicates)
        {
            // Perhaps a client retrying an append that did succeed: its events are stored already.
            plan = Plan(appends, streams, await FindStoredAsync(connection, transaction, Keys(appends), cancellationToken), transactionId);
        }

        if (plan.Rows.Count > 0)
        {
            await CopyEventsAsync(connection, plan.Rows, cancellationToken);
        }

        await UpdateStreamsAsync(connection, transaction, plan, withUpdates, cancellationToken);
        return new AppendResult(plan.Results, plan.Rows.Count > 0 ? transactionId : null);
    }

    /// <summary>Where each of these events is stored, for those already stored.</summary>
    public async Task<IReadOnlyDictionary<(string Source, string Id), (string StreamId, long Version)>> FindStoredAsync(
        IEnumerable<(string Source, string SourceEventId)> events, CancellationToken cancellationToken = default) =>
        await FindStoredAsync(Connection, Transaction, events, cancellationToken);

    /// <summary>
    /// As <see cref="FindStoredAsync(IEnumerable{ValueTuple{string, string}}, CancellationToken)"/>,
    /// with further commands of this transaction sent in the same round trip, to run once the
    /// look-up is done; <paramref name="readThen"/> reads their results, from the first of them.
    /// </summary>
    public async Task<(IReadOnlyDictionary<(string Source, string Id), (string StreamId, long Version)> Stored, T Then)> FindStoredAsync<T>(
        IEnumerable<(string Source, string SourceEventId)> events,
        IReadOnlyList<NpgsqlBatchCommand> then,
        Func<NpgsqlDataReader, CancellationToken, Task<T>> readThen,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(then);
        ArgumentNullException.ThrowIfNull(readThen);
        await using var batch = new NpgsqlBatch(Connection, Transaction) { BatchCommands = { FindStoredCommand(events) } };
        foreach (var command in then)
        {
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var stored = await ReadStoredAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        return (stored, await readThen(reader, cancellationToken));
    }

    /// <summary>
    /// Archives a stream whose family was merged into another: it keeps its events for audit but
    /// accepts no more, and points at its successor. Archiving again with the same successor is a no-op.
    /// </summary>
    /// <exception cref="StreamNotFoundException">Either stream does not exist.</exception>
    /// <exception cref="StreamArchivedException">The stream was archived with another successor, or the successor is itself archived.</exception>
    public async Task ArchiveStreamAsync(string streamId, string successorId, CancellationToken cancellationToken = default)
    {
        if (string.Equals(streamId, successorId, StringComparison.Ordinal))
        {
            throw new ArgumentException("A stream cannot be its own successor.", nameof(successorId));
        }

        var (connection, transaction) = (Connection, Transaction);
        var rows = new Dictionary<string, string?>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""
            SELECT stream_id, successor_id FROM streams WHERE stream_id = ANY(@ids)
            ORDER BY stream_id COLLATE "C" FOR UPDATE
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("ids", new[] { streamId, successorId });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }

        if (!rows.TryGetValue(streamId, out var existingSuccessor))
        {
            throw new StreamNotFoundException(streamId);
        }

        if (!rows.TryGetValue(successorId, out var successorsSuccessor))
        {
            throw new StreamNotFoundException(successorId);
        }

        if (successorsSuccessor is not null)
        {
            throw new StreamArchivedException(successorId, successorsSuccessor);
        }

        if (existingSuccessor is not null)
        {
            if (existingSuccessor != successorId)
            {
                throw new StreamArchivedException(streamId, existingSuccessor);
            }

            return;
        }

        await using (var command = new NpgsqlCommand(
            "UPDATE streams SET archived_at = now(), successor_id = @successor WHERE stream_id = @id", connection, transaction))
        {
            command.Parameters.AddWithValue("id", streamId);
            command.Parameters.AddWithValue("successor", successorId);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task<(Dictionary<string, LockedStream> Streams, ulong TransactionId)> LockStreamsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        IReadOnlyList<StreamAppend> appends,
        IReadOnlyList<NpgsqlBatchCommand> withLocks,
        CancellationToken cancellationToken)
    {
        var ids = appends.Select(append => append.StreamId).Order(StringComparer.Ordinal).ToArray();
        // The no-op update takes the row lock on existing streams; rows are locked in id order.
        var command = new NpgsqlBatchCommand("""
            INSERT INTO streams (stream_id)
            SELECT id FROM unnest(@ids::text[]) AS t(id) ORDER BY id COLLATE "C"
            ON CONFLICT (stream_id) DO UPDATE SET version = streams.version
            RETURNING stream_id, version, last_transaction_id, successor_id, xmax = 0 AS created, pg_current_xact_id()
            """);
        command.Parameters.AddWithValue("ids", ids);
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { command } };
        foreach (var then in withLocks)
        {
            batch.BatchCommands.Add(then);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var streams = new Dictionary<string, LockedStream>(StringComparer.Ordinal);
        ulong transactionId = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            streams[reader.GetString(0)] = new LockedStream(
                reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<ulong>(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetBoolean(4));
            transactionId = reader.GetFieldValue<ulong>(5);
        }

        // Runs the rest of the batch here, so that its errors surface from this call.
        while (await reader.NextResultAsync(cancellationToken))
        {
        }

        return (streams, transactionId);
    }

    private static async Task<Dictionary<(string Source, string Id), (string StreamId, long Version)>> FindStoredAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IEnumerable<(string Source, string SourceEventId)> events, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { FindStoredCommand(events) } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await ReadStoredAsync(reader, cancellationToken);
    }

    private static NpgsqlBatchCommand FindStoredCommand(IEnumerable<(string Source, string SourceEventId)> events)
    {
        var keys = events.Distinct().ToArray();
        // One index probe per key: as a plain join the planner may hash the whole events table
        // instead (it does while the table is young and its statistics lag), which costs a scan
        // per batch. The lateral subquery, fenced by OFFSET 0, keeps it a probe.
        return new NpgsqlBatchCommand("""
            SELECT k.source, k.source_event_id, e.stream_id, e.stream_version
            FROM unnest(@sources::text[], @ids::text[]) AS k(source, source_event_id)
            CROSS JOIN LATERAL (
                SELECT e.stream_id, e.stream_version FROM events e
                WHERE e.source = k.source AND e.source_event_id = k.source_event_id
                OFFSET 0
            ) AS e
            """)
        {
            Parameters =
            {
                new NpgsqlParameter("sources", keys.Select(key => key.Source).ToArray()),
                new NpgsqlParameter("ids", keys.Select(key => key.SourceEventId).ToArray()),
            },
        };
    }

    private static async Task<Dictionary<(string Source, string Id), (string StreamId, long Version)>> ReadStoredAsync(
        NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<(string, string), (string, long)>();
        while (await reader.ReadAsync(cancellationToken))
        {
            stored[(reader.GetString(0), reader.GetString(1))] = (reader.GetString(2), reader.GetInt64(3));
        }

        return stored;
    }

    private static AppendPlan Plan(
        IReadOnlyList<StreamAppend> appends,
        Dictionary<string, LockedStream> streams,
        Dictionary<(string Source, string Id), (string StreamId, long Version)> stored,
        ulong transactionId)
    {
        var rows = new List<EventRow>();
        var results = new List<StreamAppendResult>(appends.Count);
        var newVersions = new Dictionary<string, long>(StringComparer.Ordinal);
        var seen = new Dictionary<(string, string), (string, long)>(stored);

        foreach (var append in appends)
        {
            var stream = streams[append.StreamId];
            if (append.Events.Any(e => !seen.ContainsKey((e.Source, e.SourceEventId))))
            {
                if (stream.SuccessorId is not null)
                {
                    throw new StreamArchivedException(append.StreamId, stream.SuccessorId);
                }

                if (!append.ExpectedVersion.Accepts(stream.Version))
                {
                    throw new WrongExpectedVersionException(append.StreamId, append.ExpectedVersion, stream.Version);
                }

                if (stream.LastTransactionId > transactionId)
                {
                    throw new TransactionConflictException($"Stream '{append.StreamId}' was last written by a newer transaction.");
                }
            }

            var version = stream.Version;
            var outcomes = new List<EventAppendResult>(append.Events.Count);
            foreach (var e in append.Events)
            {
                ref var earlier = ref CollectionsMarshal.GetValueRefOrAddDefault(seen, (e.Source, e.SourceEventId), out var exists);
                if (exists)
                {
                    outcomes.Add(new EventAppendResult(AppendOutcome.Duplicate, earlier.Item1, earlier.Item2));
                    continue;
                }

                version++;
                earlier = (append.StreamId, version);
                rows.Add(new EventRow(append.StreamId, version, e));
                outcomes.Add(new EventAppendResult(AppendOutcome.Appended, append.StreamId, version));
            }

            if (version != stream.Version)
            {
                newVersions[append.StreamId] = version;
            }

            results.Add(new StreamAppendResult(append.StreamId, version, outcomes));
        }

        var createdButEmpty = streams.Where(s => s.Value.Created && !newVersions.ContainsKey(s.Key)).Select(s => s.Key).ToArray();
        return new AppendPlan(rows, results, newVersions, createdButEmpty);
    }

    private static async Task CopyEventsAsync(NpgsqlConnection connection, List<EventRow> rows, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            "COPY events (stream_id, stream_version, type, data, metadata, source, source_event_id, occurred_at) FROM STDIN (FORMAT BINARY)",
            cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(row.StreamId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(row.Version, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(row.Event.Type, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(row.Event.Data, NpgsqlDbType.Json, cancellationToken);
            await importer.WriteAsync(MetadataJson.Serialize(row.Event.Metadata), NpgsqlDbType.Json, cancellationToken);
            await importer.WriteAsync(row.Event.Source, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(row.Event.SourceEventId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(row.Event.OccurredAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    private static async Task UpdateStreamsAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, AppendPlan plan, IReadOnlyList<NpgsqlBatchCommand> withUpdates, CancellationToken cancellationToken)
    {
        if (plan.NewVersions.Count == 0 && plan.CreatedButEmpty.Length == 0 && withUpdates.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(connection, transaction);
        // An upsert, not UPDATE ... FROM unnest: ON CONFLICT probes the primary key row by row, where
        // the planner may hash-join a scan of the whole streams table for a large batch. It never
        // inserts: every row exists and is locked by this transaction (LockStreamsAsync).
        var update = new NpgsqlBatchCommand("""
            INSERT INTO streams (stream_id, version)
            SELECT id, version FROM unnest(@ids::text[], @versions::bigint[]) AS u(id, version)
            ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, last_transaction_id = pg_current_xact_id()
            """);
        update.Parameters.AddWithValue("ids", plan.NewVersions.Keys.ToArray());
        update.Parameters.AddWithValue("versions", plan.NewVersions.Values.ToArray());
        if (plan.NewVersions.Count > 0)
        {
            batch.BatchCommands.Add(update);
        }

        if (plan.CreatedButEmpty.Length > 0)
        {
            var delete = new NpgsqlBatchCommand("DELETE FROM streams WHERE stream_id = ANY(@ids)");
            delete.Parameters.AddWithValue("ids", plan.CreatedButEmpty);
            batch.BatchCommands.Add(delete);
        }

        foreach (var command in withUpdates)
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static IEnumerable<(string Source, string SourceEventId)> Keys(IReadOnlyList<StreamAppend> appends) =>
        appends.SelectMany(append => append.Events).Select(e => (e.Source, e.SourceEventId));

    internal static void Validate(IReadOnlyList<StreamAppend> appends)
    {
        ArgumentNullException.ThrowIfNull(appends);
        if (appends.Count == 0)
        {
            throw new ArgumentException("An append needs at least one stream.", nameof(appends));
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var append in appends)
        {
            if (string.IsNullOrWhiteSpace(append.StreamId) || append.StreamId.Length > PostgresEventStore.MaxStreamIdLength)
            {
                throw new ArgumentException($"A stream id is 1 to {PostgresEventStore.MaxStreamIdLength} characters, not blank.", nameof(appends));
            }

            if (!ids.Add(append.StreamId))
            {
                throw new ArgumentException($"Stream '{append.StreamId}' appears twice in one append; submit its events together.", nameof(appends));
            }

            if (append.Events is null || append.Events.Count == 0)
            {
                throw new ArgumentException($"The append to stream '{append.StreamId}' has no events.", nameof(appends));
            }

            foreach (var e in append.Events)
            {
                if (string.IsNullOrWhiteSpace(e.Type) || string.IsNullOrWhiteSpace(e.Data)
                    || string.IsNullOrWhiteSpace(e.Source) || string.IsNullOrWhiteSpace(e.SourceEventId))
                {
                    throw new ArgumentException(
                        $"An event for stream '{append.StreamId}' lacks a type, data, source or source event id.", nameof(appends));
                }
            }
        }
    }

    private sealed record LockedStream(long Version, ulong? LastTransactionId, string? SuccessorId, bool Created);

    private sealed record EventRow(string StreamId, long Version, NewEvent Event);

    private sealed record AppendPlan(
        List<EventRow> Rows,
        List<StreamAppendResult> Results,
        Dictionary<string, long> NewVersions,
        string[] CreatedButEmpty);
}
