using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Ingest.Replay;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Ingest.Tests;

public sealed class ReplayTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _database;
    private readonly QuarantineStore _quarantine;
    private readonly ReplayCheckpoints _checkpoints;
    private readonly FileReplay _replay;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"yc-replay-test-{Guid.NewGuid():N}");

    public ReplayTests(DatabaseFixture database)
    {
        _database = database;
        _quarantine = new QuarantineStore(database.DataSource);
        _checkpoints = new ReplayCheckpoints(database.DataSource);
        _replay = new FileReplay(new IngestPipeline(new PostgresEventStore(database.DataSource), _quarantine, TimeProvider.System), _checkpoints);
        Directory.CreateDirectory(_directory);
    }

    [Fact]
    public async Task Every_valid_line_is_stored_once_and_invalid_lines_are_quarantined_with_their_file_and_line()
    {
        var id = Unique();
        var file = await WriteAsync("mixed.ndjson",
            Identified($"{id}-1", Child($"c1-{id}"), Adult($"a1-{id}")),
            Identified($"{id}-2", Child($"c2-{id}", nhs: "9434765918")),
            "",
            "not json at all",
            Identified($"{id}-1", Child($"c1-{id}"), Adult($"a1-{id}")),
            Referral($"{id}-3", Adult($"a1-{id}"), Child($"c3-{id}")));

        var outcome = await _replay.RunAsync(file, new ReplayOptions { BatchSize = 2 });

        Assert.True(outcome.Completed);
        Assert.Equal((5L, 2L, 1L, 2L), (outcome.Events, outcome.Accepted, outcome.Duplicates, outcome.Quarantined));
        Assert.Equal(2L, await StoredCountAsync(id));
        var quarantined = (await _quarantine.ListOpenAsync(0, 1000)).Where(e => e.Origin.GetValueOrDefault("file") == file).ToList();
        Assert.Equal(["2", "4"], quarantined.Select(e => e.Origin["line"]).Order());
        Assert.All(quarantined, e => Assert.Equal(FileReplay.Channel, e.Channel));
        Assert.Equal("not json at all", Encoding.UTF8.GetString(quarantined.Single(e => e.Origin["line"] == "4").Payload));
        var stored = await new PostgresEventStore(_database.DataSource).ReadStreamAsync(await FamilyOfAsync($"{id}-1")).ToListAsync();
        Assert.All(stored, e => Assert.Equal(FileReplay.Channel, e.Metadata.Channel));
    }

    [Fact]
    public async Task A_replay_run_again_resumes_at_the_end_and_from_the_start_finds_only_duplicates()
    {
        var id = Unique();
        var file = await WriteAsync("again.ndjson", [.. Enumerable.Range(0, 5).Select(i => Identified($"{id}-{i}", Child($"c{i}-{id}")))]);
        var first = await _replay.RunAsync(file, new ReplayOptions { BatchSize = 2 });

        var resumed = await _replay.RunAsync(file, new ReplayOptions { BatchSize = 2 });
        var fromStart = await _replay.RunAsync(file, new ReplayOptions { BatchSize = 2, FromStart = true });

        Assert.Equal(5L, first.Accepted);
        Assert.True(resumed.Completed);
        Assert.Equal((0L, new FileInfo(file).Length), (resumed.Events, resumed.StartOffset));
        Assert.Equal((5L, 0L, 5L), (fromStart.Events, fromStart.Accepted, fromStart.Duplicates));
        Assert.Equal(5L, await StoredCountAsync(id));
    }

    [Theory]
    [InlineData(3, 1, 1)]
    [InlineData(1, 3, 1)]
    [InlineData(1, 1, 3)]
    [InlineData(1, 2, 2)]
    public async Task An_interrupted_replay_resumes_from_its_checkpoint_and_ends_as_an_uninterrupted_run_does(int batchSize, int lanes, int readsInFlight)
    {
        var whole = Unique();
        var split = Unique();
        var wholeFile = await WriteAsync("whole.ndjson", [.. LinkedHouseholds(whole)]);
        var splitFile = await WriteAsync("split.ndjson", [.. LinkedHouseholds(split)]);
        var options = new ReplayOptions { BatchSize = batchSize, Lanes = lanes, ReadsInFlight = readsInFlight };

        // Stopped once the first read is stored, the run finishes the reads it had started with it.
        var stored = batchSize * lanes * readsInFlight;

        var uninterrupted = await _replay.RunAsync(wholeFile, options);
        using var stop = new CancellationTokenSource();
        var interrupted = await _replay.RunAsync(splitFile, options, progress =>
        {
            if (progress.Events > 0)
            {
                stop.Cancel();
            }
        }, stop.Token);
        var checkpoint = await _checkpoints.GetAsync(await ReplayCheckpoints.FileKeyAsync(splitFile));
        var resumed = await _replay.RunAsync(splitFile, options);

        Assert.False(interrupted.Completed);
        Assert.Equal((stored, stored), (interrupted.Events, interrupted.Lines));
        Assert.Equal(Encoding.UTF8.GetByteCount(string.Join("", LinkedHouseholds(split).Take(stored).Select(l => l + "\n"))), interrupted.ByteOffset);
        Assert.Equal(new ReplayCheckpoint(interrupted.ByteOffset, stored), checkpoint);
        Assert.True(resumed.Completed);
        Assert.Equal((interrupted.ByteOffset, (long)stored), (resumed.StartOffset, resumed.StartLine));
        Assert.Equal((uninterrupted.Events - stored, uninterrupted.Events - stored, 0L), (resumed.Events, resumed.Accepted, resumed.Duplicates));
        Assert.Equal(await MembersAsync(whole), await MembersAsync(split));
    }

    [Fact]
    public async Task A_replay_in_lanes_ends_with_the_families_a_replay_in_one_lane_ends_with()
    {
        var single = Unique();
        var lanes = Unique();
        var singleFile = await WriteAsync("single.ndjson", [.. LinkedHouseholds(single), "not json"]);
        var lanesFile = await WriteAsync("lanes.ndjson", [.. LinkedHouseholds(lanes), "not json"]);

        var oneLane = await _replay.RunAsync(singleFile, new ReplayOptions { BatchSize = 1, Lanes = 1 });
        var fourLanes = await _replay.RunAsync(lanesFile, new ReplayOptions { BatchSize = 1, Lanes = 4 });

        Assert.Equal((8L, 1L), (oneLane.Accepted, oneLane.Quarantined));
        Assert.Equal(oneLane with { FilePath = lanesFile, Elapsed = fourLanes.Elapsed }, fourLanes);
        Assert.Equal(await MembersAsync(single), await MembersAsync(lanes));
        Assert.Equal(8L, await StoredCountAsync(lanes));
    }

    [Fact]
    public async Task A_read_is_split_into_lanes_knowing_the_families_the_reads_before_it_stored()
    {
        var id = Unique();
        var file = await WriteAsync("family.ndjson",
            Referral($"{id}-1", Adult($"a-{id}"), Child($"c-{id}")),
            Identified($"{id}-2", Child($"z-{id}")),
            Identified($"{id}-3", Child($"c-{id}")),
            Referral($"{id}-4", Adult($"a-{id}")));
        var pipeline = new LaneRecordingPipeline(new IngestPipeline(new PostgresEventStore(_database.DataSource), _quarantine, TimeProvider.System));

        // Read ahead, the second read is prepared before the first is stored.
        await new FileReplay(pipeline, _checkpoints).RunAsync(file, new ReplayOptions { BatchSize = 1, Lanes = 2, ReadAhead = 2 });

        // The child and the adult share no identifier in the second read, only a family.
        Assert.Contains(pipeline.Lanes, lane => lane.SetEquals([$"{id}-3", $"{id}-4"]));
    }

    [Fact]
    public async Task When_a_lane_fails_the_read_is_not_checkpointed_and_the_next_run_stores_what_it_left()
    {
        var id = Unique();
        var file = await WriteAsync("failing.ndjson", [.. Enumerable.Range(0, 4).Select(i => Identified($"{id}-{i}", Child($"c{i}-{id}")))]);
        var pipeline = new IngestPipeline(new PostgresEventStore(_database.DataSource), _quarantine, TimeProvider.System);
        var failing = new FileReplay(new LaneRecordingPipeline(pipeline, $"{id}-3"), _checkpoints);

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.RunAsync(file, new ReplayOptions { BatchSize = 2, Lanes = 2 }));
        var checkpoint = await _checkpoints.GetAsync(await ReplayCheckpoints.FileKeyAsync(file));
        var storedByFailedRun = await StoredCountAsync(id);
        var rerun = await _replay.RunAsync(file, new ReplayOptions { BatchSize = 2, Lanes = 2 });

        Assert.Null(checkpoint);
        Assert.Equal(2L, storedByFailedRun);
        Assert.Equal((0L, 4L, 2L, 2L), (rerun.StartOffset, rerun.Events, rerun.Accepted, rerun.Duplicates));
        Assert.Equal(4L, await StoredCountAsync(id));
    }

    [Fact]
    public async Task A_changed_file_at_the_same_path_does_not_resume_the_old_offset()
    {
        var id = Unique();
        var path = Path.Combine(_directory, "changing.ndjson");
        await WriteAsync("changing.ndjson", [.. Enumerable.Range(0, 4).Select(i => Identified($"{id}-{i}", Child($"c{i}-{id}")))]);
        await _replay.RunAsync(path, new ReplayOptions { BatchSize = 2 });

        // Same size, different content: only the key's hash tells them apart.
        var replaced = await WriteAsync("changing.ndjson", [.. Enumerable.Range(0, 4).Select(i => Identified($"{id}-{i + 4}", Child($"c{i}-{id}")))]);
        var afterReplace = await _replay.RunAsync(replaced, new ReplayOptions { BatchSize = 2 });
        await File.AppendAllTextAsync(path, Identified($"{id}-8", Child($"c8-{id}")) + "\n");
        var afterAppend = await _replay.RunAsync(path, new ReplayOptions { BatchSize = 2 });

        Assert.Equal((0L, 4L, 4L), (afterReplace.StartOffset, afterReplace.Events, afterReplace.Accepted));
        Assert.Equal((0L, 5L, 1L, 4L), (afterAppend.StartOffset, afterAppend.Events, afterAppend.Accepted, afterAppend.Duplicates));
        Assert.Equal(9L, await StoredCountAsync(id));
    }

    [Fact]
    public async Task Crlf_line_endings_and_a_last_line_without_a_line_ending_are_read_with_the_right_line_numbers()
    {
        var id = Unique();
        var path = Path.Combine(_directory, "windows.ndjson");
        var text = string.Join("\r\n",
            Identified($"{id}-1", Child($"c1-{id}")),
            "",
            Envelope($"{id}-2", PartnerSource, "partner.no-such-thing.v1", "{}"),
            Identified($"{id}-3", Child($"c3-{id}")));
        await File.WriteAllTextAsync(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));

        var outcome = await _replay.RunAsync(path, new ReplayOptions());

        Assert.True(outcome.Completed);
        Assert.Equal((3L, 2L, 1L, 4L), (outcome.Events, outcome.Accepted, outcome.Quarantined, outcome.Lines));
        Assert.Equal(2L, await StoredCountAsync(id));
        var entry = (await _quarantine.ListOpenAsync(0, 1000)).Single(e => e.SourceEventId == $"{id}-2");
        Assert.Equal("3", entry.Origin["line"]);
        Assert.EndsWith("}", Encoding.UTF8.GetString(entry.Payload), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_one_lane_each_batch_commits_its_checkpoint_in_the_transaction_that_stores_it()
    {
        var id = Unique();
        var stored = await WriteAsync("stored.ndjson", Identified($"{id}-1", Child($"c1-{id}")), Identified($"{id}-2", Child($"c2-{id}")));
        var quarantined = await WriteAsync("quarantined.ndjson", Identified($"{id}-3", Child($"c3-{id}")), Identified($"{id}-4", Child($"c4-{id}")), "not json either");

        await _replay.RunAsync(stored, new ReplayOptions { BatchSize = 2, Lanes = 1 });
        await _replay.RunAsync(quarantined, new ReplayOptions { BatchSize = 2, Lanes = 1 });

        Assert.Equal(await TransactionAsync("SELECT DISTINCT transaction_id::text::bigint % 4294967296 FROM events WHERE source_event_id IN (@id || '-1', @id || '-2')", id),
            await CheckpointTransactionAsync(stored));
        Assert.Equal(await TransactionAsync("SELECT xmin::text::bigint FROM quarantine WHERE convert_from(payload, 'UTF8') = 'not json either' ORDER BY quarantine_id DESC LIMIT 1", id),
            await CheckpointTransactionAsync(quarantined));
    }

    [Fact]
    public async Task A_missing_file_is_an_error()
    {
        await Assert.ThrowsAsync<FileNotFoundException>(() => _replay.RunAsync(Path.Combine(_directory, "missing.ndjson"), new ReplayOptions()));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    /// <summary>
    /// Households that later events link together across batch boundaries (merging families), so
    /// where a replay stops and resumes could matter if it did anything wrong.
    /// </summary>
    private static IEnumerable<string> LinkedHouseholds(string id)
    {
        for (var h = 0; h < 4; h++)
        {
            yield return Identified($"{id}-i{h}", Child($"c{h}-{id}"), Adult($"a{h}-{id}"));
        }

        yield return Referral($"{id}-r1", Adult($"a0-{id}"), Child($"c1-{id}"));
        yield return Identified($"{id}-i4", Child($"c4-{id}"));
        yield return Referral($"{id}-r2", Adult($"a2-{id}"), Child($"c3-{id}"), Child($"c4-{id}"));
        yield return Referral($"{id}-r3", Adult($"a2-{id}"), Child($"c0-{id}"));
    }

    /// <summary>
    /// The run's persons grouped by live family, as sets of their identifiers without the run's
    /// suffix: which family survives a merge may differ between runs, who is with whom may not.
    /// </summary>
    private async Task<string> MembersAsync(string id)
    {
        await using var command = _database.DataSource.CreateCommand("""
            SELECT string_agg(members, ' | ' ORDER BY members) FROM (
                SELECT string_agg(left(i.value, length(i.value) - length(@id) - 1), ',' ORDER BY i.value) AS members
                FROM person_identifiers i JOIN persons p USING (person_id)
                WHERE i.value LIKE @suffix
                GROUP BY p.family_id) AS families
            """);
        command.Parameters.AddWithValue("suffix", $"%-{id}");
        command.Parameters.AddWithValue("id", id);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> CheckpointTransactionAsync(string file) =>
        await TransactionAsync("SELECT xmin::text::bigint FROM replay_checkpoints WHERE file_key = @id", await ReplayCheckpoints.FileKeyAsync(file));

    /// <summary>The (32-bit) id of the transaction that wrote the rows the query finds; exactly one.</summary>
    private async Task<long> TransactionAsync(string sql, string id)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var transaction = reader.GetInt64(0);
        Assert.False(await reader.ReadAsync());
        return transaction;
    }

    private async Task<long> StoredCountAsync(string id)
    {
        await using var command = _database.DataSource.CreateCommand("SELECT count(*) FROM events WHERE source_event_id LIKE @prefix");
        command.Parameters.AddWithValue("prefix", $"{id}-%");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> FamilyOfAsync(string eventId)
    {
        await using var command = _database.DataSource.CreateCommand("SELECT stream_id FROM events WHERE source_event_id = @id");
        command.Parameters.AddWithValue("id", eventId);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    private async Task<string> WriteAsync(string name, params string[] lines)
    {
        var path = Path.Combine(_directory, name);
        await File.WriteAllTextAsync(path, string.Join("", lines.Select(l => l + "\n")));
        return path;
    }

    private static string Unique() => Guid.NewGuid().ToString("N")[..12];
}

/// <summary>
/// Stores through the real pipeline and records the event ids of each lane it is given; the lane
/// carrying <paramref name="failingEventId"/>, if any, fails instead, after the others are stored.
/// </summary>
internal sealed class LaneRecordingPipeline(IngestPipeline inner, string? failingEventId = null) : IIngestPipeline
{
    public ConcurrentQueue<HashSet<string>> Lanes { get; } = new();

    public Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<InboundPayload> payloads, CancellationToken cancellationToken = default) =>
        inner.IngestAsync(payloads, cancellationToken);

    public PreparedPayloads Prepare(IReadOnlyList<InboundPayload> payloads) => inner.Prepare(payloads);

    public LanePlan Partition(PreparedPayloads prepared, LanePlanner planner) => inner.Partition(prepared, planner);

    public async Task<IReadOnlyList<IngestResult>> IngestPreparedAsync(PreparedPayloads prepared, CancellationToken cancellationToken = default)
    {
        HashSet<string> lane = [.. prepared.Payloads.Select(p => JsonDocument.Parse(p.Payload).RootElement.GetProperty("id").GetString()!)];
        Lanes.Enqueue(lane);
        if (failingEventId is not null && lane.Contains(failingEventId))
        {
            await Task.Delay(200, cancellationToken);
            throw new InvalidOperationException("This lane fails.");
        }

        return await inner.IngestPreparedAsync(prepared, cancellationToken);
    }
}
