using System.Text;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.Generation;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.Rebuild;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

public sealed class RebuildTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture _database;
    private readonly ReadModelHarness _harness;

    public RebuildTests(DatabaseFixture database)
    {
        _database = database;
        _harness = new ReadModelHarness(database, new ManualClock(Envelopes.Now));
    }

    [Fact]
    public async Task A_rebuild_that_fails_leaves_no_lock_in_its_pooled_connection_and_the_next_one_runs()
    {
        await _harness.NewFamilyAsync();
        var rebuild = new ReadModelRebuild(_harness.DataSource, _harness.Model);
        using var cancel = new CancellationTokenSource();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            rebuild.RunAsync(new RebuildOptions(), new InlineProgress(_ => cancel.Cancel()), cancel.Token));

        Assert.Equal(0, await ReadModelHarness.AdvisoryLocksAsync(_database.ConnectionString, ReadModelSchema.RebuildLockSpace));

        var result = await rebuild.RunAsync(new RebuildOptions());
        Assert.True(result.Families > 0);
    }

    [Fact]
    public async Task A_rebuild_equals_the_incrementally_maintained_read_model_and_reads_keep_working_through_the_swap()
    {
        // Realistic streams: generated storylines through the real pipeline, plus merged families.
        var lines = EventGenerator.Generate(new GenerationOptions(150, Seed: 11)).ToList();
        foreach (var batch in lines.Chunk(500))
        {
            await _harness.Pipeline.IngestAsync([.. batch.Select(line => new InboundPayload(Encoding.UTF8.GetBytes(line.Json), Arrival.Http("test")))]);
        }

        for (var i = 0; i < 5; i++)
        {
            var first = await _harness.NewFamilyAsync();
            var second = await _harness.NewFamilyAsync();
            var third = await _harness.NewFamilyAsync();
            await _harness.IngestAsync(Envelopes.Identified($"link-{ReadModelHarness.Unique()}", second.Child, third.Adult));
            await _harness.IngestAsync(Envelopes.Identified($"link-{ReadModelHarness.Unique()}", first.Child, second.Adult));
        }

        using var daemon = _harness.Daemon(new FamilyReadModelProjection(_harness.Model));
        await daemon.StartAsync(CancellationToken.None);
        var checkpoints = new ProjectionCheckpoints(_harness.DataSource);
        // Caught up means the checkpoint has reached the last event. An empty read after the checkpoint
        // is not enough: another test class's open transaction on this cluster holds the reader back.
        var head = await ReadModelHarness.HeadAsync(_harness.DataSource);
        await ReadModelHarness.WaitUntilAsync(async () =>
            await checkpoints.LoadAsync(FamilyReadModelProjection.ProjectionName) == head, seconds: 120);
        var incremental = await _harness.SnapshotAsync();
        Assert.Contains(incremental, row => row.StartsWith("O |", StringComparison.Ordinal));
        Assert.Contains(incremental, row => row.StartsWith("F |", StringComparison.Ordinal) && !row.Split(" | ")[2].Equals("null", StringComparison.Ordinal));

        // The indexes the migrations gave the live schema, which a rebuild must give its own the same.
        const string Indexes = "SELECT indexdef FROM pg_indexes WHERE schemaname = 'read_model' ORDER BY indexdef";
        var migratedIndexes = await _harness.RowsAsync(Indexes);
        const string Constraints = "SELECT conname || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'read_model'::regnamespace ORDER BY 1";
        var migratedConstraints = await _harness.RowsAsync(Constraints);

        // Likewise their storage settings, which decide whether autovacuum looks after the tables.
        const string Settings = """
            SELECT c.relname || ' ' || coalesce(array_to_string(c.reloptions, ','), '-') || ' ' || coalesce(array_to_string(t.reloptions, ','), '-')
            FROM pg_class c LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
            WHERE c.relnamespace = 'read_model'::regnamespace AND c.relkind = 'r'
            ORDER BY 1
            """;
        var migratedSettings = await _harness.RowsAsync(Settings);

        // And their columns' types, compression and statistics targets, which later migrations change in both places.
        const string Columns = """
            SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || a.attnotnull || ' ' || coalesce(nullif(a.attcompression::text, ''), '-')
                   || ' ' || a.attstattarget
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            WHERE c.relnamespace = 'read_model'::regnamespace AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY 1
            """;
        var migratedColumns = await _harness.RowsAsync(Columns);

        // Readers of the live schema during the rebuild.
        using var stopReading = new CancellationTokenSource();
        var reads = 0;
        long fewest = long.MaxValue;
        var readers = Task.Run(async () =>
        {
            while (!stopReading.IsCancellationRequested)
            {
                fewest = Math.Min(fewest, await _harness.ScalarAsync<long>("SELECT count(*) FROM read_model.families"));
                reads++;
            }
        });

        var result = await new ReadModelRebuild(_harness.DataSource, _harness.Model).RunAsync(new RebuildOptions { FamiliesPerChunk = 37 });
        await stopReading.CancelAsync();
        await readers;

        Assert.Equal(incremental, await _harness.SnapshotAsync());
        Assert.Equal(migratedIndexes, await _harness.RowsAsync(Indexes));
        Assert.Contains("obligations_pkey PRIMARY KEY (family_id, obligation_id)", migratedConstraints);
        Assert.Equal(migratedConstraints, await _harness.RowsAsync(Constraints));
        Assert.Equal(migratedSettings, await _harness.RowsAsync(Settings));
        Assert.Contains("families.document text true l 0", migratedColumns);
        Assert.Contains("families.family_id text true - -1", migratedColumns);
        Assert.Equal(migratedColumns, await _harness.RowsAsync(Columns));
        Assert.True(reads > 0);
        Assert.True(fewest > 0, "Reads during the rebuild found an empty read model.");
        Assert.Equal(await _harness.ScalarAsync<long>("SELECT count(*) FROM events"), result.Events);
        Assert.Equal(0, result.CatchUpEvents);
        Assert.Equal(10, result.AbsorbedFamilies);
        Assert.Equal(result.Checkpoint, await checkpoints.LoadAsync(FamilyReadModelProjection.ProjectionName));
        Assert.Equal(0, await _harness.ScalarAsync<long>(
            "SELECT count(*) FROM pg_namespace WHERE nspname IN ('read_model_rebuild', 'read_model_retired')"));

        // The running daemon carries on into the swapped-in schema.
        var (family, _, _) = await _harness.NewFamilyAsync();
        await ReadModelHarness.WaitUntilAsync(async () => await _harness.ScalarAsync<long>(
            "SELECT count(*) FROM read_model.families WHERE family_id = @id", ("id", family)) == 1);
        await daemon.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Events_appended_while_a_rebuild_runs_are_caught_up_before_the_swap()
    {
        for (var i = 0; i < 30; i++)
        {
            await _harness.NewFamilyAsync();
        }

        var rebuild = new ReadModelRebuild(_harness.DataSource, _harness.Model);
        var appended = new List<string>();
        var progress = new SyncProgress(p =>
        {
            // Between the bulk pass and the catch-up, the service keeps ingesting.
            if (p.Phase == "indexes")
            {
                for (var i = 0; i < 5; i++)
                {
                    appended.Add(_harness.NewFamilyAsync().GetAwaiter().GetResult().FamilyId);
                }

                // Other test classes' transactions on this cluster can briefly hold the all-events
                // reader back; the catch-up is what is under test, so wait until it can see them.
                WaitUntilReadableAsync(appended).GetAwaiter().GetResult();
            }
        });

        var result = await rebuild.RunAsync(new RebuildOptions { FamiliesPerChunk = 7, Parallelism = 2 }, progress);

        Assert.True(result.CatchUpEvents >= 5);
        Assert.Equal(appended.Count, await _harness.ScalarAsync<long>(
            "SELECT count(*) FROM read_model.families WHERE family_id = ANY(@ids)", ("ids", appended.ToArray())));
        var head = await new AllEventsReader(_harness.DataSource).ReadAsync(result.Checkpoint, 1);
        Assert.Empty(head);
    }

    private sealed class SyncProgress(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }

    private async Task WaitUntilReadableAsync(IReadOnlyList<string> familyIds)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (await _harness.ScalarAsync<long>(
            "SELECT count(*) FROM events WHERE stream_id = ANY(@ids) AND transaction_id >= pg_snapshot_xmin(pg_current_snapshot())",
            ("ids", familyIds.ToArray())) > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The appended events never became readable.");
            await Task.Delay(50);
        }
    }

    /// <summary>Reports on the calling thread, so the test acts at a known point of the rebuild.</summary>
    private sealed class InlineProgress(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }
}
