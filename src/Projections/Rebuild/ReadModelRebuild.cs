using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Npgsql;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Connections;
using YoungCarers.EventStore.Streams;
using YoungCarers.Projections.ReadModel;

namespace YoungCarers.Projections.Rebuild;

public sealed record RebuildOptions
{
    /// <summary>Chunks evaluated at once, each on its own connection.</summary>
    public int Parallelism { get; init; } = 2;

    /// <summary>
    /// Live families read, evaluated and written per chunk. A chunk's events are read in stream order,
    /// which PostgreSQL gives by walking the stream index for a couple of thousand streams; for many
    /// more it may plan a scan and a sort instead (5,000 cost it three times the CPU).
    /// </summary>
    public int FamiliesPerChunk { get; init; } = 2_000;

    /// <summary>Events per catch-up page.</summary>
    public int CatchUpPageSize { get; init; } = 5_000;
}

/// <summary>What a rebuild did.</summary>
/// <param name="Events">Events read by the bulk pass.</param>
/// <param name="CatchUpEvents">Events applied afterwards, up to the head, before the swap.</param>
/// <param name="Families">Live families written.</param>
/// <param name="AbsorbedFamilies">Merged-away families written as pointers to their survivor.</param>
/// <param name="Elapsed">From the start until the rebuilt read model was swapped in and serving.</param>
/// <param name="Checkpoint">Where the projection's checkpoint was set at the swap.</param>
public sealed record RebuildResult(
    long Events,
    long CatchUpEvents,
    int Families,
    int AbsorbedFamilies,
    TimeSpan BulkElapsed,
    TimeSpan Elapsed,
    GlobalPosition Checkpoint)
{
    /// <summary>Time the bulk pass spent reading events, evaluating families (encoding their rows included) and sending the rows, summed over its workers.</summary>
    public (TimeSpan Read, TimeSpan Evaluate, TimeSpan Write) BulkBreakdown { get; init; }

    /// <summary>
    /// Dropping the read model it replaced, after the swap: the daemon is already projecting into the
    /// new one by then, but the drop waits for any autovacuum worker on the old tables to be
    /// cancelled (PostgreSQL's <c>deadlock_timeout</c>, a second by default).
    /// </summary>
    public TimeSpan RetiredDropped { get; init; }

    /// <summary>The bulk pass's rate.</summary>
    public double EventsPerSecond => BulkElapsed > TimeSpan.Zero ? Events / BulkElapsed.TotalSeconds : 0;

    /// <summary>The whole rebuild's rate: the bulk pass, the indexes, the catch-up and the swap (not the old read model's drop after it).</summary>
    public double WholeEventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>Progress of the bulk pass.</summary>
public sealed record RebuildProgress(string Phase, long Events, int Families, int TotalFamilies, TimeSpan Elapsed);

/// <summary>
/// Rebuilds the family read model from the event store into a fresh schema while the live one
/// keeps serving, then swaps it in:
/// <list type="number">
/// <item>notes the head of the all-events order, creates <c>read_model_rebuild</c> without indexes;</item>
/// <item>reads every family's streams (with those merged into it) in large chunks, in parallel,
/// evaluates them in memory and binary-COPYs the rows; then creates the indexes;</item>
/// <item>catches up from the noted head with the projection's own code, page by page;</item>
/// <item>takes the projection's pause lock (the running daemon and deadline worker wait at their
/// next transaction), catches up the last events, and in one transaction renames
/// <c>read_model</c> away and <c>read_model_rebuild</c> into its place and sets the checkpoint;
/// the daemon finds its checkpoint moved, reloads it and carries on from there;</item>
/// <item>drops the old schema.</item>
/// </list>
/// </summary>
public sealed class ReadModelRebuild(NpgsqlDataSource dataSource, FamilyReadModel model)
{
    private static readonly string Target = ReadModelSchema.Quote(ReadModelSchema.Rebuilding);
    private long _readTicks;
    private long _evaluateTicks;
    private long _writeTicks;

    public async Task<RebuildResult> RunAsync(RebuildOptions options, IProgress<RebuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var watch = Stopwatch.StartNew();
        await using var control = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await SessionLocks.TryAcquireAsync(control, ReadModelSchema.RebuildLockSpace, 0, cancellationToken))
        {
            throw new InvalidOperationException("Another rebuild of the read model is running.");
        }

        // Released however the rebuild ends: left in the connection returned to the pool, the lock
        // would refuse this process's next rebuild until that connection is reused.
        try
        {
            return await RunLockedAsync(control, options, progress, watch, cancellationToken);
        }
        finally
        {
            await SessionLocks.ReleaseAsync(control, ReadModelSchema.RebuildLockSpace, 0);
        }
    }

    private async Task<RebuildResult> RunLockedAsync(
        NpgsqlConnection control, RebuildOptions options, IProgress<RebuildProgress>? progress, Stopwatch watch, CancellationToken cancellationToken)
    {
        await ExecuteAsync(control, null, $"""
            DROP SCHEMA IF EXISTS {Target} CASCADE;
            SELECT read_model_create_tables(@schema);
            """, cancellationToken, ("schema", ReadModelSchema.Rebuilding));
        await SetAutovacuumAsync(control, enabled: false, cancellationToken);

        // Everything up to here is in the bulk read; anything after it is caught up.
        var head = await HeadAsync(control, cancellationToken);
        var trees = await ReadTreesAsync(control, cancellationToken);

        progress?.Report(new("bulk", 0, 0, trees.Count, watch.Elapsed));
        var (events, families, absorbed) = await BulkAsync(trees, options, progress, watch, cancellationToken);
        var bulkElapsed = watch.Elapsed;

        progress?.Report(new("indexes", events, families, trees.Count, watch.Elapsed));
        await IndexAsync(control, options, cancellationToken);
        await SetAutovacuumAsync(control, enabled: true, cancellationToken);

        progress?.Report(new("catch-up", events, families, trees.Count, watch.Elapsed));
        var (position, caughtUp) = await CatchUpAsync(control, head, options, cancellationToken);

        progress?.Report(new("swap", events, families, trees.Count, watch.Elapsed));
        await using (var pause = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var key = SessionLocks.KeyOf(FamilyReadModelProjection.ProjectionName);
            await ExecuteAsync(pause, null, "SELECT pg_advisory_lock(@space, @key)", cancellationToken,
                ("space", ReadModelSchema.PauseLockSpace), ("key", key));
            try
            {
                var (final, more) = await CatchUpAsync(control, position, options, cancellationToken);
                position = final;
                caughtUp += more;
                await SwapAsync(control, position, cancellationToken);
            }
            finally
            {
                await SessionLocks.ReleaseAsync(pause, ReadModelSchema.PauseLockSpace, key);
            }
        }

        var swapped = watch.Elapsed;
        await ExecuteAsync(control, null, $"DROP SCHEMA IF EXISTS {ReadModelSchema.Quote(ReadModelSchema.Retired)} CASCADE", cancellationToken);
        return new RebuildResult(events, caughtUp, families, absorbed, bulkElapsed, swapped, position)
        {
            BulkBreakdown = (Stopwatch.GetElapsedTime(0, _readTicks), Stopwatch.GetElapsedTime(0, _evaluateTicks), Stopwatch.GetElapsedTime(0, _writeTicks)),
            RetiredDropped = watch.Elapsed - swapped,
        };
    }

    private async Task<(long Events, int Families, int Absorbed)> BulkAsync(
        List<FamilyTree> trees, RebuildOptions options, IProgress<RebuildProgress>? progress, Stopwatch watch, CancellationToken cancellationToken)
    {
        var chunks = Channel.CreateBounded<List<FamilyTree>>(Math.Max(1, options.Parallelism));
        long events = 0;
        var families = 0;
        var absorbed = 0;
        var now = model.Clock.GetUtcNow();

        // A failing worker stops the others and the producer, and its error is the one reported.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        async Task WorkAsync()
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(failed.Token);

                // Each COPY commits on its own; none need wait for its WAL to reach the disk, since
                // the fresh schema serves nothing until the swap, whose own commit is durable and
                // so makes everything written before it durable too. A crash before then means
                // rebuilding again, which starts from an empty schema.
                await ExecuteAsync(connection, null, "SET synchronous_commit = off", failed.Token);
                var rows = new ReadModelRows(ReadModelSchema.Rebuilding);
                await foreach (var chunk in chunks.Reader.ReadAllAsync(failed.Token))
                {
                    var (read, pointers) = await EvaluateChunkAsync(connection, chunk, rows, now, failed.Token);
                    var writing = Stopwatch.GetTimestamp();
                    await rows.CopyAsync(connection, failed.Token);
                    Interlocked.Add(ref _writeTicks, Stopwatch.GetTimestamp() - writing);
                    var total = Interlocked.Add(ref events, read);
                    var done = Interlocked.Add(ref families, chunk.Count);
                    Interlocked.Add(ref absorbed, pointers);
                    progress?.Report(new("bulk", total, done, trees.Count, watch.Elapsed));
                }
            }
            catch
            {
                await failed.CancelAsync();
                throw;
            }
        }

        var workers = Enumerable.Range(0, Math.Max(1, options.Parallelism)).Select(_ => Task.Run(WorkAsync, CancellationToken.None)).ToList();
        try
        {
            foreach (var chunk in trees.Chunk(Math.Max(1, options.FamiliesPerChunk)))
            {
                await chunks.Writer.WriteAsync([.. chunk], failed.Token);
            }
        }
        catch (OperationCanceledException) when (failed.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            // A worker failed: its exception is thrown below.
        }
        finally
        {
            chunks.Writer.Complete();
        }

        await Task.WhenAll(workers);
        return (events, families, absorbed);
    }

    /// <summary>
    /// Creates the fresh schema's indexes, makes its primary keys of the unique ones built for them,
    /// then analyzes its tables, a statement at a time on each of <see cref="RebuildOptions.Parallelism"/>
    /// connections, so that no connection sits idle while another works through the largest table's
    /// indexes alone.
    /// </summary>
    private async Task IndexAsync(NpgsqlConnection control, RebuildOptions options, CancellationToken cancellationToken)
    {
        var statements = new List<(string Table, string Statement, long Size)>();
        await using (var command = new NpgsqlCommand("""
            SELECT s.table_name, s.statement, pg_relation_size(format('%I.%I', @schema, s.table_name)::regclass)
            FROM read_model_index_statements(@schema) WITH ORDINALITY AS s(table_name, statement, n)
            ORDER BY s.n
            """, control))
        {
            command.Parameters.AddWithValue("schema", ReadModelSchema.Rebuilding);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                statements.Add((reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
            }
        }

        // Index builds share their table's lock, so the largest table's go first, side by side. Turning
        // a unique index into the key (ALTER TABLE) locks its table exclusively, and ANALYZE waits for
        // a table's builds: both come after every build.
        var builds = statements.Where(row => !IsAlterTable(row.Statement)).OrderByDescending(row => row.Size);
        var keys = statements.Where(row => IsAlterTable(row.Statement));
        var analyses = statements.DistinctBy(row => row.Table).OrderByDescending(row => row.Size)
            .Select(row => $"ANALYZE {Target}.{ReadModelSchema.Quote(row.Table)}");
        await RunSharedAsync(builds.Select(row => row.Statement), options, cancellationToken);
        await RunSharedAsync(keys.Select(row => row.Statement).Concat(analyses), options, cancellationToken);
    }

    private static bool IsAlterTable(string statement) => statement.StartsWith("ALTER TABLE ", StringComparison.Ordinal);

    /// <summary>Runs the statements in order, each on the first of the connections to be free.</summary>
    private async Task RunSharedAsync(IEnumerable<string> statements, RebuildOptions options, CancellationToken cancellationToken)
    {
        var queue = new ConcurrentQueue<string>(statements);
        async Task WorkAsync()
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            // Sorting each index in memory rather than in temporary files, and in this backend only:
            // the connections already keep every core busy, and parallel workers would only add
            // their own start-up and merging to that.
            await ExecuteAsync(connection, null, "SET maintenance_work_mem = '256MB'; SET max_parallel_maintenance_workers = 0", cancellationToken);
            while (queue.TryDequeue(out var statement))
            {
                await ExecuteAsync(connection, null, statement, cancellationToken);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, Math.Max(1, options.Parallelism)).Select(_ => Task.Run(WorkAsync, CancellationToken.None)));
    }

    /// <summary>
    /// Keeps autovacuum off the fresh tables while they are filled: it would otherwise vacuum and
    /// analyze them again and again as they grow, on the cores the rebuild is using, for statistics
    /// the index phase's own ANALYZE replaces. The settings are reset before the swap, so the live
    /// tables are vacuumed as the migrations made them.
    /// </summary>
    private static async Task SetAutovacuumAsync(NpgsqlConnection connection, bool enabled, CancellationToken cancellationToken)
    {
        var change = enabled
            ? "RESET (autovacuum_enabled, toast.autovacuum_enabled)"
            : "SET (autovacuum_enabled = false, toast.autovacuum_enabled = false)";
        var statements = new List<string>();
        await using (var command = new NpgsqlCommand("""
            SELECT format('ALTER TABLE %I.%I ', n.nspname, c.relname)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @schema AND c.relkind = 'r'
            ORDER BY c.relname
            """, connection))
        {
            command.Parameters.AddWithValue("schema", ReadModelSchema.Rebuilding);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                statements.Add(reader.GetString(0) + change);
            }
        }

        await ExecuteAsync(connection, null, string.Join(";\n", statements), cancellationToken);
    }

    /// <summary>
    /// Reads a chunk's events in stream order and evaluates each family whose only stream is its own
    /// as soon as its last event is read, encoding its rows straight away, so that its events and
    /// its record are garbage before the next family's are read; families with streams merged into
    /// them are evaluated once the chunk is read, followed by the pointers of the families merged away.
    /// </summary>
    private async Task<(long Events, int Absorbed)> EvaluateChunkAsync(
        NpgsqlConnection connection, List<FamilyTree> chunk, ReadModelRows rows, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var treeOf = new Dictionary<string, FamilyTree>(StringComparer.Ordinal);
        foreach (var tree in chunk)
        {
            foreach (var stream in tree.Streams)
            {
                treeOf[stream] = tree;
            }
        }

        var merged = new Dictionary<string, List<StoredFact>>(StringComparer.Ordinal);
        var evaluated = new HashSet<string>(chunk.Count, StringComparer.Ordinal);
        long read = 0;
        long evaluating = 0;
        var reading = Stopwatch.GetTimestamp();
        List<StoredFact> current = [];
        FamilyTree? currentTree = null;
        void Evaluate()
        {
            if (currentTree is null)
            {
                return;
            }

            var started = Stopwatch.GetTimestamp();
            rows.Add(FamilyEvaluator.Evaluate(currentTree.Root, currentTree.Version, current, now, model.Policy));
            evaluated.Add(currentTree.Root);
            evaluating += Stopwatch.GetTimestamp() - started;
            current = [];
            currentTree = null;
        }

        await using (var command = new NpgsqlCommand($"""
            SELECT {StoredFact.Columns}
            FROM events e
            WHERE e.stream_id = ANY(@ids)
            ORDER BY e.stream_id, e.stream_version
            """, connection))
        {
            command.Parameters.AddWithValue("ids", treeOf.Keys.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var fact = StoredFact.Read(reader, 0);
                read++;
                var tree = treeOf[fact.StreamId];
                if (tree.Streams.Count > 1)
                {
                    if (!merged.TryGetValue(tree.Root, out var facts))
                    {
                        merged[tree.Root] = facts = [];
                    }

                    facts.Add(fact);
                    continue;
                }

                if (!ReferenceEquals(tree, currentTree))
                {
                    Evaluate();
                    currentTree = tree;
                }

                current.Add(fact);
            }

            Evaluate();
        }

        var absorbed = 0;
        var rest = Stopwatch.GetTimestamp();
        foreach (var tree in chunk)
        {
            if (evaluated.Contains(tree.Root))
            {
                continue;
            }

            rows.Add(FamilyEvaluator.Evaluate(tree.Root, tree.Version, merged.GetValueOrDefault(tree.Root) ?? [], now, model.Policy));
            foreach (var (stream, version) in tree.Absorbed)
            {
                rows.Add(FamilyEvaluator.Absorbed(stream, tree.Root, version, now, model.Policy));
                absorbed++;
            }
        }

        var finished = Stopwatch.GetTimestamp();
        Interlocked.Add(ref _readTicks, rest - reading - evaluating);
        Interlocked.Add(ref _evaluateTicks, evaluating + (finished - rest));
        return (read, absorbed);
    }

    private async Task<(GlobalPosition Position, long Events)> CatchUpAsync(NpgsqlConnection connection, GlobalPosition from, RebuildOptions options, CancellationToken cancellationToken)
    {
        var reader = new AllEventsReader(dataSource);
        var position = from;
        long events = 0;
        while (true)
        {
            var page = await reader.ReadPointersAsync(position, options.CatchUpPageSize, cancellationToken);
            if (page.Count == 0)
            {
                return (position, events);
            }

            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await model.RefreshAsync(page.Select(e => e.StreamId), connection, transaction, ReadModelSchema.Rebuilding, skipBusy: false, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            position = page[^1].Position;
            events += page.Count;
        }
    }

    private static async Task SwapAsync(NpgsqlConnection connection, GlobalPosition position, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, $"""
            DROP SCHEMA IF EXISTS {ReadModelSchema.Quote(ReadModelSchema.Retired)} CASCADE;
            ALTER SCHEMA {ReadModelSchema.Quote(ReadModelSchema.Live)} RENAME TO {ReadModelSchema.Quote(ReadModelSchema.Retired)};
            ALTER SCHEMA {Target} RENAME TO {ReadModelSchema.Quote(ReadModelSchema.Live)};
            INSERT INTO projection_checkpoints (projection, transaction_id, seq, updated_at)
            VALUES (@projection, @transaction_id::xid8, @seq, now())
            ON CONFLICT (projection) DO UPDATE
            SET transaction_id = excluded.transaction_id, seq = excluded.seq, updated_at = excluded.updated_at;
            {ReadModelRules.RecordRebuiltSql}
            """, cancellationToken,
            ("projection", FamilyReadModelProjection.ProjectionName),
            ("rules_version", ReadModelRules.Current),
            ("transaction_id", position.TransactionId.ToString(CultureInfo.InvariantCulture)),
            ("seq", position.Sequence));
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The last event the all-events reader can deliver now (ordered as xid8, not as the text it is read as).</summary>
    private static async Task<GlobalPosition> HeadAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT e.transaction_id::text AS position_transaction, e.seq
            FROM events e
            WHERE e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
            ORDER BY e.transaction_id DESC, e.seq DESC
            LIMIT 1
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new GlobalPosition(ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetInt64(1))
            : GlobalPosition.Start;
    }

    private sealed record FamilyTree(string Root, long Version, List<string> Streams, List<(string Stream, long Version)> Absorbed);

    /// <summary>Every live family with the streams merged into it, from the streams table.</summary>
    private static async Task<List<FamilyTree>> ReadTreesAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var successors = new Dictionary<string, (string? Successor, long Version)>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT stream_id, successor_id, version FROM streams", connection))
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                successors[reader.GetString(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt64(2));
            }
        }

        var trees = new Dictionary<string, FamilyTree>(StringComparer.Ordinal);
        foreach (var (stream, (successor, version)) in successors)
        {
            if (successor is null)
            {
                trees[stream] = new FamilyTree(stream, version, [stream], []);
            }
        }

        foreach (var (stream, (successor, version)) in successors)
        {
            if (successor is null)
            {
                continue;
            }

            var root = successor;
            for (var depth = 0; successors.TryGetValue(root, out var next) && next.Successor is { } further && depth < 1000; depth++)
            {
                root = further;
            }

            if (trees.TryGetValue(root, out var tree))
            {
                tree.Streams.Add(stream);
                tree.Absorbed.Add((stream, version));
            }
        }

        return [.. trees.Values.OrderBy(tree => tree.Root, StringComparer.Ordinal)];
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
