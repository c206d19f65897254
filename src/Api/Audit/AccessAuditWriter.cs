using System.Collections.Concurrent;
using System.Data;
using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;

namespace YoungCarers.Api.Audit;

/// <summary>
/// Writes the access records of concurrent requests together. Each request queues its records and
/// waits until they are committed; a single writer takes whatever has queued meanwhile (up to
/// <see cref="MaxBatchFamilies"/> families named) and inserts it in one statement, so concurrent reads share one
/// round trip and one durable commit instead of paying for one each. A request may bring the read it
/// is recorded for (<see cref="AuditedRead"/>): it runs in the same round trip and transaction as the
/// batch's insert (or, in a batch with a page read, whose record names the families the page shows,
/// just before it, the insert then committing while the next batch is read), and its rows come back
/// only once the records are committed. Nothing is
/// acknowledged before it is committed: if a write fails, every request in that batch fails (and
/// returns no data); when the queue is full, requests wait for room rather than drop records; once
/// the writer is disposed (after the web server has stopped taking requests), queueing fails.
/// </summary>
internal sealed partial class AccessAuditWriter : IAsyncDisposable
{
    /// <summary>Requests waiting to be written before further requests wait for room.</summary>
    public const int QueueCapacity = 4_096;

    /// <summary>Families named per insert, a record naming none counting as one: a request with more is written alone.</summary>
    public const int MaxBatchFamilies = 5_000;

    private const int KeptConnections = 2;

    /// <summary>
    /// A kept connection idle for longer is closed, not used: as the pool closes its idle
    /// connections, so that one a firewall dropped while the service was quiet fails no reads.
    /// </summary>
    public static readonly TimeSpan DefaultMaxKeptIdle = TimeSpan.FromSeconds(60);

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<AccessAuditWriter> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    /// <summary>
    /// Connections kept between batches (one reads while another commits) rather than returned to the
    /// pool: a pooled connection is reset when it is next used, a statement the server parses and runs
    /// for every batch. The writer runs nothing that leaves session state behind.
    /// </summary>
    private readonly ConcurrentQueue<(NpgsqlConnection Connection, long KeptAt)> _kept = new();

    private readonly Task _writing;

    private readonly TimeSpan _maxKeptIdle;

    public AccessAuditWriter(NpgsqlDataSource dataSource, ILogger<AccessAuditWriter> logger)
        : this(dataSource, logger, DefaultMaxKeptIdle)
    {
    }

    internal AccessAuditWriter(NpgsqlDataSource dataSource, ILogger<AccessAuditWriter> logger, TimeSpan maxKeptIdle)
    {
        _dataSource = dataSource;
        _logger = logger;
        _maxKeptIdle = maxKeptIdle;
        _writing = Task.Run(WriteQueuedAsync);
    }

    /// <summary>Queues the records (accessed at <paramref name="at"/>) and returns once they are committed.</summary>
    /// <exception cref="ChannelClosedException">The writer has been disposed.</exception>
    public Task WriteAsync(IReadOnlyList<AccessRecord> records, DateTimeOffset at, CancellationToken cancellationToken) =>
        ReadAsync(records, at, null, cancellationToken);

    /// <summary>
    /// Queues the records with the read they are for, and returns the read's rows (each row's values,
    /// null for SQL NULL) once the records are committed.
    /// </summary>
    /// <exception cref="ChannelClosedException">The writer has been disposed.</exception>
    public async Task<IReadOnlyList<object?[]>> ReadAsync(IReadOnlyList<AccessRecord> records, DateTimeOffset at, AuditedRead? read, CancellationToken cancellationToken) =>
        [.. (await QueueAsync(records, at, read, cancellationToken)).Cast<object?[]>()];

    /// <summary>As <see cref="ReadAsync(IReadOnlyList{AccessRecord}, DateTimeOffset, AuditedRead?, CancellationToken)"/>, the rows read as the read reads them.</summary>
    /// <exception cref="ChannelClosedException">The writer has been disposed.</exception>
    public async Task<List<TRow>> ReadAsync<TRow>(IReadOnlyList<AccessRecord> records, DateTimeOffset at, AuditedRead<TRow> read, CancellationToken cancellationToken)
        where TRow : class =>
        [.. (await QueueAsync(records, at, read, cancellationToken)).Cast<TRow>()];

    private async Task<IReadOnlyList<object>> QueueAsync(IReadOnlyList<AccessRecord> records, DateTimeOffset at, AuditedRead? read, CancellationToken cancellationToken)
    {
        var pending = new Pending(records, at, read);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Committed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops taking records and writes those already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writing;
        while (_kept.TryDequeue(out var kept))
        {
            await kept.Connection.DisposeAsync();
        }
    }

    private async Task WriteQueuedAsync()
    {
        // A batch with page reads commits its records while the next batch is read: one such commit
        // in flight at a time, so the writer is not idle for every commit.
        var committing = Task.CompletedTask;
        while (await _queue.Reader.WaitToReadAsync())
        {
            var batch = new List<Pending>();
            var families = 0;
            while (families < MaxBatchFamilies && _queue.Reader.TryPeek(out var next) && (families == 0 || families + next.Families <= MaxBatchFamilies))
            {
                _queue.Reader.TryRead(out _);
                batch.Add(next);
                families += next.Families;
            }

            // Not cancelled with any one request: the others in the batch wait for it.
            NpgsqlConnection? connection = null;
            var failed = false;
            try
            {
                connection = await OpenAsync();
                if (!batch.Any(pending => pending.RecordsShownFamilies))
                {
                    // The insert and the batch's reads in one round trip: sent together, they run in one
                    // implicit transaction, and the reader is finished (the commit acknowledged) before any row is handed out.
                    var rows = RowsOf(batch, []);
                    Complete(batch, await ReadAsync(connection, rows.Count > 0 ? AccessAudit.InsertCommand(rows) : null, batch));
                    continue;
                }

                // Page reads name the families they show, known only once read: the reads, then one insert
                // of every record, the rows handed out once it has committed.
                var results = await ReadAsync(connection, null, batch);
                await committing;
                committing = CommitAsync(connection, batch, results);
                connection = null;
            }
            catch (Exception e)
            {
                failed = true;
                Fail(batch, e);
            }
            finally
            {
                if (connection is not null)
                {
                    await ReleaseAsync(connection, failed);
                }
            }
        }

        await committing;
    }

    private async ValueTask<NpgsqlConnection> OpenAsync()
    {
        while (_kept.TryDequeue(out var kept))
        {
            if (Stopwatch.GetElapsedTime(kept.KeptAt) <= _maxKeptIdle)
            {
                return kept.Connection;
            }

            // Disposed after a clear, the connection is closed instead of going back to the pool,
            // which would hand it straight back; the pool's other idle connections go too.
            _dataSource.Clear();
            await kept.Connection.DisposeAsync();
        }

        return await _dataSource.OpenConnectionAsync(CancellationToken.None);
    }

    /// <summary>Keeps the connection for the next batch, unless something failed on it (it may be broken) or enough are kept.</summary>
    private async ValueTask ReleaseAsync(NpgsqlConnection connection, bool failed)
    {
        if (!failed && connection.FullState == ConnectionState.Open && _kept.Count < KeptConnections)
        {
            _kept.Enqueue((connection, Stopwatch.GetTimestamp()));
            return;
        }

        await connection.DisposeAsync();
    }

    private async Task CommitAsync(NpgsqlConnection connection, List<Pending> batch, IReadOnlyList<object>[] results)
    {
        Exception? failure = null;
        try
        {
            await using var insert = new NpgsqlBatch(connection) { BatchCommands = { AccessAudit.InsertCommand(RowsOf(batch, results)) } };
            await insert.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e)
        {
            failure = e;
        }

        await ReleaseAsync(connection, failed: failure is not null);
        if (failure is null)
        {
            Complete(batch, results);
        }
        else
        {
            Fail(batch, failure);
        }
    }

    private static void Complete(List<Pending> batch, IReadOnlyList<object>[] results)
    {
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Committed.TrySetResult(results[i]);
        }
    }

    /// <summary>Whatever went wrong, the waiting requests fail rather than wait for ever or return unlogged data.</summary>
    private void Fail(List<Pending> batch, Exception e)
    {
        LogWriteFailed(_logger, e, batch.Sum(pending => pending.Records.Count), batch.Count);
        batch.ForEach(pending => pending.Committed.TrySetException(e));
    }

    /// <summary>The batch's records; a page read's (its <paramref name="results"/> known) naming the families of the rows it shows (<see cref="AuditedRead.FamilyOf"/>).</summary>
    private static List<(AccessRecord Record, DateTimeOffset At)> RowsOf(List<Pending> batch, IReadOnlyList<object>[] results)
    {
        var rows = new List<(AccessRecord Record, DateTimeOffset At)>();
        for (var i = 0; i < batch.Count; i++)
        {
            var pending = batch[i];
            if (!pending.RecordsShownFamilies)
            {
                rows.AddRange(pending.Records.Select(record => (record, pending.At)));
                continue;
            }

            // The rows read ahead for the next cursor are not shown.
            var read = pending.Read!;
            string[] shown = [.. results[i].Take(read.ShownRows).Select(read.FamilyOf).Distinct(StringComparer.Ordinal)];
            rows.AddRange(pending.Records.Select(record => (record with { FamilyIds = shown }, pending.At)));
        }

        return rows;
    }

    /// <summary>Runs <paramref name="insert"/> (if any) and the batch's reads in one round trip; each request's rows, in batch order.</summary>
    private static async Task<IReadOnlyList<object>[]> ReadAsync(NpgsqlConnection connection, NpgsqlBatchCommand? insert, List<Pending> batch)
    {
        var results = new IReadOnlyList<object>[batch.Count];
        await using var command = new NpgsqlBatch(connection);
        if (insert is not null)
        {
            command.BatchCommands.Add(insert);
        }

        foreach (var pending in batch)
        {
            if (pending.Read is { } read)
            {
                var query = new NpgsqlBatchCommand(read.Sql);
                foreach (var parameter in read.Parameters())
                {
                    query.Parameters.Add(parameter);
                }

                command.BatchCommands.Add(query);
            }
        }

        if (command.BatchCommands.Count == 0)
        {
            Array.Fill(results, []);
            return results;
        }

        await using (var reader = await command.ExecuteReaderAsync(CancellationToken.None))
        {
            var onFirstRead = insert is null;
            for (var i = 0; i < batch.Count; i++)
            {
                if (batch[i].Read is null)
                {
                    results[i] = [];
                    continue;
                }

                if (!onFirstRead)
                {
                    await reader.NextResultAsync(CancellationToken.None);
                }

                onFirstRead = false;
                var read = batch[i].Read!;
                var found = new List<object>();
                while (await reader.ReadAsync(CancellationToken.None))
                {
                    found.Add(read.ReadRow(reader));
                }

                results[i] = found;
            }
        }

        return results;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Rows} access records for {Requests} requests failed; those requests fail")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int rows, int requests);

    private sealed record Pending(IReadOnlyList<AccessRecord> Records, DateTimeOffset At, AuditedRead? Read)
    {
        public int Families { get; } = Records.Sum(record => Math.Max(1, record.FamilyIds.Count)) + (Read?.ShownRows ?? 0);

        /// <summary>A page read: its records name the families it shows, known once it has run.</summary>
        public bool RecordsShownFamilies => Read is { ShownRows: > 0 };

        // Continuations run on the thread pool, not in the writer's loop.
        public TaskCompletionSource<IReadOnlyList<object>> Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>A query whose result is the data an access record is for; <see cref="Parameters"/> makes fresh parameters each time it is sent.</summary>
/// <param name="ShownRows">
/// For a page read: how many of its leading rows the response shows. Its records are then completed
/// once it has run, naming the families of those rows (<see cref="FamilyOf"/>).
/// </param>
internal record AuditedRead(string Sql, Func<IEnumerable<NpgsqlParameter>> Parameters, int ShownRows = 0)
{
    /// <summary>The current row: each column's value, null for SQL NULL.</summary>
    public virtual object ReadRow(NpgsqlDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var values = new object?[reader.FieldCount];
        for (var field = 0; field < values.Length; field++)
        {
            values[field] = reader.IsDBNull(field) ? null : reader.GetValue(field);
        }

        return values;
    }

    /// <summary>The family a row read by <see cref="ReadRow"/> shows: its first column.</summary>
    public virtual string FamilyOf(object row) => (string)((object?[])row)[0]!;
}

/// <summary>
/// A read whose rows are read straight into <typeparamref name="TRow"/>, each column as its own type
/// rather than boxed into an array: a list page's rows are read while its batch waits.
/// </summary>
internal sealed record AuditedRead<TRow>(
    string Sql, Func<IEnumerable<NpgsqlParameter>> Parameters, int ShownRows, Func<NpgsqlDataReader, TRow> Row, Func<TRow, string> Family)
    : AuditedRead(Sql, Parameters, ShownRows)
    where TRow : class
{
    public override object ReadRow(NpgsqlDataReader reader) => Row(reader);

    public override string FamilyOf(object row) => Family((TRow)row);
}
