using System.Text.Json;
using Npgsql;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Streams;
using YoungCarers.Projections.Daemon;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

public sealed class FamilyReadModelProjectionTests : IClassFixture<DatabaseFixture>
{
    private static readonly long[] FirstVersionKnown = [1];
    private readonly ReadModelHarness _harness;

    public FamilyReadModelProjectionTests(DatabaseFixture database) =>
        _harness = new ReadModelHarness(database, new ManualClock(Envelopes.Now));

    [Fact]
    public async Task The_daemon_projects_ingested_events_into_families_obligations_and_flags()
    {
        var (family, _, _) = await _harness.NewFamilyAsync();
        using var daemon = _harness.Daemon(new FamilyReadModelProjection(_harness.Model));
        await daemon.StartAsync(CancellationToken.None);
        await ReadModelHarness.WaitUntilAsync(async () => await _harness.ScalarAsync<long>(
            "SELECT count(*) FROM read_model.families WHERE family_id = @id", ("id", family)) == 1);
        await daemon.StopAsync(CancellationToken.None);

        var kinds = await _harness.RowsAsync("SELECT kind, owed_by, status FROM read_model.obligations WHERE family_id = @id ORDER BY kind", ("id", family));
        Assert.Contains("young-carer-assessment | childrens-social-care | open", kinds);
        var json = (await _harness.RowsAsync("SELECT document::text FROM read_model.families WHERE family_id = @id", ("id", family)))[0];
        var document = FamilyDocuments.FromJson(json);
        Assert.Equal(family, document.FamilyId);
        Assert.Equal(2, document.Members.Count);
        Assert.Contains(document.Members, member => member.Roles.Contains("young-carer"));
        Assert.Equal(kinds.Count, document.Obligations.Count);
        using var parsed = JsonDocument.Parse(json);
        Assert.True(parsed.RootElement.TryGetProperty("obligations", out _));
        Assert.Equal("open", parsed.RootElement.GetProperty("obligations")[0].GetProperty("status").GetString());
        Assert.Equal(1, await _harness.ScalarAsync<long>("SELECT count(*) FROM read_model.deadlines WHERE family_id = @id", ("id", family)));
    }

    [Fact]
    public async Task An_obligation_is_stored_with_the_ref_lists_have_always_named_it_by()
    {
        var (family, _, _) = await _harness.NewFamilyAsync();
        await _harness.RefreshAllAsync();

        // The hash GET /obligations computed per request before refs were stored, and the migration's backfill.
        var refs = await _harness.RowsAsync("""
            SELECT ref = encode(sha256(convert_to(family_id || '/' || obligation_id, 'UTF8')), 'hex')
            FROM read_model.obligations WHERE family_id = @id
            """, ("id", family));
        Assert.NotEmpty(refs);
        Assert.All(refs, matches => Assert.Equal("True", matches));
    }

    [Fact]
    public async Task A_merged_family_points_at_its_survivor_which_holds_both_histories()
    {
        var first = await _harness.NewFamilyAsync();
        var second = await _harness.NewFamilyAsync();
        using var daemon = _harness.Daemon(new FamilyReadModelProjection(_harness.Model));
        await daemon.StartAsync(CancellationToken.None);

        // One event naming the first family's child and the second family's adult joins them.
        await _harness.IngestAsync(Envelopes.Identified($"link-{ReadModelHarness.Unique()}", first.Child, second.Adult));
        await ReadModelHarness.WaitUntilAsync(async () => await _harness.ScalarAsync<string>(
            "SELECT survivor_id FROM read_model.families WHERE family_id = @id", ("id", second.FamilyId)) == first.FamilyId);
        await daemon.StopAsync(CancellationToken.None);

        Assert.Equal(0, await _harness.ScalarAsync<long>("SELECT count(*) FROM read_model.obligations WHERE family_id = @id", ("id", second.FamilyId)));
        var survivor = FamilyDocuments.FromJson((await _harness.RowsAsync("SELECT document::text FROM read_model.families WHERE family_id = @id", ("id", first.FamilyId)))[0]);
        Assert.Contains(second.FamilyId, survivor.MergedFamilyIds);
        Assert.Null(survivor.SurvivorFamilyId);
        Assert.Equal(4, survivor.Members.Count);
        var absorbed = FamilyDocuments.FromJson((await _harness.RowsAsync("SELECT document::text FROM read_model.families WHERE family_id = @id", ("id", second.FamilyId)))[0]);
        Assert.Equal(first.FamilyId, absorbed.SurvivorFamilyId);
    }

    [Fact]
    public async Task A_merge_committing_while_a_refresh_waits_for_its_families_is_seen_whole()
    {
        var first = await _harness.NewFamilyAsync();
        var second = await _harness.NewFamilyAsync();
        await _harness.RefreshAllAsync();

        // Another writer holds the first family, so the refresh, having found both families live,
        // waits for it; the merge of the second into the first commits meanwhile.
        await using var holder = await _harness.DataSource.OpenConnectionAsync();
        await using var holding = await holder.BeginTransactionAsync();
        await using (var hold = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@space, hashtext(@id))", holder, holding))
        {
            hold.Parameters.AddWithValue("space", ReadModelSchema.FamilyLockSpace);
            hold.Parameters.AddWithValue("id", first.FamilyId);
            await hold.ExecuteNonQueryAsync();
        }

        await using var connection = await _harness.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var refresh = _harness.Model.RefreshAsync(
            [first.FamilyId, second.FamilyId], connection, transaction, ReadModelSchema.Live, skipBusy: false, CancellationToken.None);
        await ReadModelHarness.WaitUntilAsync(async () => await _harness.ScalarAsync<long>(
            "SELECT count(*) FROM pg_locks WHERE pid = @pid AND locktype = 'advisory' AND NOT granted", ("pid", connection.ProcessID)) == 1);
        await _harness.IngestAsync(Envelopes.Identified($"link-{ReadModelHarness.Unique()}", first.Child, second.Adult));
        await holding.CommitAsync();

        Assert.Equal([first.FamilyId], await refresh);
        await transaction.CommitAsync();

        Assert.Equal(first.FamilyId, await _harness.ScalarAsync<string>("SELECT survivor_id FROM read_model.families WHERE family_id = @id", ("id", second.FamilyId)));
        var survivor = FamilyDocuments.FromJson((await _harness.RowsAsync("SELECT document::text FROM read_model.families WHERE family_id = @id", ("id", first.FamilyId)))[0]);
        Assert.Contains(second.FamilyId, survivor.MergedFamilyIds);
        var written = await _harness.SnapshotAsync();
        await _harness.RefreshAllAsync();
        Assert.Equal(await _harness.SnapshotAsync(), written);
    }

    [Fact]
    public async Task A_family_refreshed_again_after_appends_reads_as_a_whole_replay_of_its_stream()
    {
        var (family, child, adult) = await _harness.NewFamilyAsync();
        await _harness.RefreshAllAsync();
        var id = ReadModelHarness.Unique();
        await _harness.IngestAsync(
            ReadModelHarness.ChildrenReferral($"ref-{id}", child, new DateOnly(2025, 3, 5)),
            Envelopes.Referral($"adult-ref-{id}", adult, child));
        await _harness.RefreshAllAsync();
        var incremental = await _harness.SnapshotAsync();

        // A model that remembers nothing reads every family's whole stream.
        await using (var connection = await _harness.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await new FamilyReadModel(_harness.Model.Policy, _harness.Clock).RefreshAsync(
                [family], connection, transaction, ReadModelSchema.Live, skipBusy: false, CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal(3, await _harness.ScalarAsync<int>("SELECT fact_count FROM read_model.families WHERE family_id = @id", ("id", family)));
        Assert.Equal(await _harness.SnapshotAsync(), incremental);
    }

    [Fact]
    public async Task A_refresh_probes_streams_and_events_by_index_even_when_the_planner_would_rather_join_whole_tables()
    {
        var (family, _, _) = await _harness.NewFamilyAsync();
        await using var connection = await _harness.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // A young store's statistics made the planner prefer merge and hash joins over whole tables;
        // with nested loops switched off it prefers them whatever the statistics say.
        await using (var preferJoins = new NpgsqlCommand("SET LOCAL enable_nestloop = off", connection, transaction))
        {
            await preferJoins.ExecuteNonQueryAsync();
        }

        foreach (var (sql, knownVersions) in new[] { (FamilyReadModel.MembersSql, false), (FamilyReadModel.TreesSql, true) })
        {
            await using var explain = new NpgsqlCommand($"EXPLAIN (FORMAT JSON) {sql}", connection, transaction);
            explain.Parameters.AddWithValue("ids", new[] { family });
            if (knownVersions)
            {
                explain.Parameters.AddWithValue("known_ids", new[] { family });
                explain.Parameters.AddWithValue("known_versions", FirstVersionKnown);
            }

            using var plan = JsonDocument.Parse((string)(await explain.ExecuteScalarAsync())!);
            var scans = PlanNodes(plan.RootElement[0].GetProperty("Plan"))
                .Where(node => node.TryGetProperty("Relation Name", out var table) && table.GetString() is "events" or "streams")
                .ToList();
            Assert.NotEmpty(scans);
            Assert.All(scans, scan => Assert.True(
                scan.TryGetProperty("Index Cond", out _) || scan.TryGetProperty("Recheck Cond", out _),
                $"{scan.GetProperty("Node Type")} of {scan.GetProperty("Relation Name")} reads the whole table"));
        }
    }

    [Fact]
    public async Task A_refresh_plans_its_statements_for_its_own_page_so_a_prepared_statement_gets_no_generic_plan()
    {
        var (family, _, _) = await _harness.NewFamilyAsync();
        await using var connection = await _harness.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await _harness.Model.RefreshAsync([family], connection, transaction, ReadModelSchema.Live, skipBusy: false, CancellationToken.None);

        // A prepared statement's generic plan of "family_id = ANY(@ids)" scanned whole tables.
        await using var setting = new NpgsqlCommand("SELECT current_setting('plan_cache_mode')", connection, transaction);
        Assert.Equal("force_custom_plan", await setting.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_crash_in_the_middle_of_a_page_leaves_nothing_half_applied_and_the_page_is_applied_on_retry()
    {
        var (family, _, _) = await _harness.NewFamilyAsync();
        var crashing = new CrashingProjection(new FamilyReadModelProjection(_harness.Model), $"crash-{ReadModelHarness.Unique()}", family);
        var checkpoints = new ProjectionCheckpoints(_harness.DataSource);
        using var daemon = new ProjectionDaemon(
            _harness.DataSource, [crashing], ReadModelHarness.FastDaemon with { RetryDelay = TimeSpan.FromMilliseconds(200) },
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ProjectionDaemon>.Instance);
        var before = await _harness.SnapshotAsync();
        await daemon.StartAsync(CancellationToken.None);

        await crashing.Crashed.Task.WaitAsync(TimeSpan.FromSeconds(30));
        // The page wrote the family's rows before failing: none of them, and no checkpoint, are kept.
        Assert.Equal(0, await _harness.ScalarAsync<long>("SELECT count(*) FROM read_model.families WHERE family_id = @id", ("id", family)));
        Assert.Equal(before, await _harness.SnapshotAsync());
        // Pages before it (earlier tests' events) may have committed; the failed page has not.
        Assert.True(await checkpoints.LoadAsync(crashing.Name) < crashing.CrashedPageStart);

        crashing.RetryAllowed.SetResult();
        await ReadModelHarness.WaitUntilAsync(async () => await _harness.ScalarAsync<long>(
            "SELECT count(*) FROM read_model.families WHERE family_id = @id", ("id", family)) == 1);
        await daemon.StopAsync(CancellationToken.None);
        Assert.True(crashing.Calls >= 2);
        Assert.True(await checkpoints.LoadAsync(crashing.Name) > GlobalPosition.Start);
        Assert.NotEmpty(await _harness.RowsAsync("SELECT kind FROM read_model.obligations WHERE family_id = @id", ("id", family)));
    }

    [Fact]
    public async Task A_dispute_in_the_family_stream_is_projected_with_its_stage_and_deadline()
    {
        var (family, _, _) = await _harness.NewFamilyAsync();
        var disputeId = $"D-{ReadModelHarness.Unique()}";
        var (type, json) = FamilyEventSerializer.Serialize(new DisputeRaised(
            disputeId, Services.AdultSocialCare, DisputeSubject.Funding, [], "Who funds the respite?", Envelopes.Now.AddHours(-1), "alex"));
        await new PostgresEventStore(_harness.DataSource).AppendAsync(family, ExpectedVersion.Any,
            [new NewEvent(type, json, Envelopes.Now.AddHours(-1), "urn:youngcarers:api", disputeId)]);
        await _harness.RefreshAllAsync();

        var rows = await _harness.RowsAsync("SELECT status, subject, stage, stage_name, past_deadline FROM read_model.disputes WHERE family_id = @id", ("id", family));
        Assert.Equal(["open | funding | 1 | practitioners | False"], rows);
        var document = FamilyDocuments.FromJson((await _harness.RowsAsync("SELECT document::text FROM read_model.families WHERE family_id = @id", ("id", family)))[0]);
        var dispute = Assert.Single(document.Disputes);
        Assert.Equal((disputeId, "pending"), (dispute.DisputeId, dispute.InterimLead.Status));
    }

    private static IEnumerable<JsonElement> PlanNodes(JsonElement node)
    {
        yield return node;
        if (node.TryGetProperty("Plans", out var children))
        {
            foreach (var child in children.EnumerateArray().SelectMany(PlanNodes))
            {
                yield return child;
            }
        }
    }

    /// <summary>Writes the page, then fails once when it holds the chosen family's events, as a crash would.</summary>
    private sealed class CrashingProjection(IProjection inner, string name, string family) : IProjection
    {
        private int _crashed;

        public string Name => name;

        public int Calls { get; private set; }

        public TaskCompletionSource Crashed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public GlobalPosition CrashedPageStart { get; private set; }

        /// <summary>Pages after the crash wait for this, so the test sees the state the crash left whatever the machine's speed.</summary>
        public TaskCompletionSource RetryAllowed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task ApplyAsync(IReadOnlyList<EventPointer> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _crashed) == 1)
            {
                await RetryAllowed.Task.WaitAsync(cancellationToken);
            }

            Calls++;
            await inner.ApplyAsync(events, connection, transaction, cancellationToken);
            if (events.Any(e => e.StreamId == family) && Interlocked.Exchange(ref _crashed, 1) == 0)
            {
                CrashedPageStart = events[0].Position;
                Crashed.SetResult();
                throw new InvalidOperationException("Crashed after writing part of the page.");
            }
        }
    }
}
