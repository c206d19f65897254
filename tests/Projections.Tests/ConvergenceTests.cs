using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Xunit.Abstractions;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Policy;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Streams;
using YoungCarers.Generation;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Ingest.Replay;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.Rebuild;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

/// <summary>Heavy tests that would distort, and be distorted by, test classes running beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    public const string Name = "Runs alone";
}

/// <summary>
/// The issue's acceptance test: for a generated dataset of at least 100,000 events, the read model
/// the projection daemon maintains incrementally (in a process of its own, killed with SIGKILL at
/// random points and restarted) equals a rebuild from the event store.
/// </summary>
/// <remarks>
/// The read model is evaluated at "now" (obligations fall overdue, children age), and stores that
/// instant (<c>evaluated_at</c>, the document's <c>evaluatedAt</c>). So that the two sides can be
/// compared whole, the daemon's process and the rebuild are given the same fixed clock (the
/// registration takes the <see cref="TimeProvider"/> registered before it); only
/// <c>updated_at</c>, the wall-clock time a row was written, is left out.
/// </remarks>
[Collection(RunsAlone.Name)]
public sealed class ConvergenceTests(DatabaseFixture database, ITestOutputHelper output) : IClassFixture<DatabaseFixture>
{
    /// <summary>About 7.1 lines a family: 14,600 families store a little over 100,000 events.</summary>
    private const int Families = 14_600;
    private const int MinimumEvents = 100_000;
    private const int Seed = 20_251_202;
    private const int Kills = 4;
    private const string AppliedLog = "convergence_applied";

    /// <summary>After every generated event (they end on 2026-10-31).</summary>
    private static readonly DateTimeOffset EvaluatedAt = new(2026, 11, 16, 12, 0, 0, TimeSpan.Zero);

    private NpgsqlDataSource DataSource => database.DataSource;

    [Fact]
    public async Task The_read_model_kept_by_a_daemon_killed_and_restarted_during_ingestion_equals_a_rebuild()
    {
        var total = Stopwatch.StartNew();
        await ExecuteAsync($"CREATE TABLE {AppliedLog} (seq bigint NOT NULL)");
        var file = Path.Combine(Path.GetTempPath(), $"yc-convergence-{Guid.NewGuid():N}.ndjson");
        HostProcess? host = null;
        using var stopWatching = new CancellationTokenSource();
        try
        {
            await using (var stream = File.Create(file))
            {
                await EventGenerator.WriteNdjsonAsync(stream, new GenerationOptions(Families, Seed));
            }

            // The real pipeline, by file replay: validation, quarantine, identity (with merges), durable appends.
            var pipeline = new IngestPipeline(new PostgresEventStore(DataSource), new QuarantineStore(DataSource), TimeProvider.System);
            var replay = new FileReplay(pipeline, new ReplayCheckpoints(DataSource));
            var ingestion = Task.Run(() => replay.RunAsync(file, new ReplayOptions { BatchSize = 500 }));
            var checkpointWatch = Task.Run(() => WatchCheckpointAsync(stopWatching.Token));

            var random = new Random(Seed);
            var kills = new List<Kill>();
            host = HostProcess.Start(database.ConnectionString, EvaluatedAt, AppliedLog);
            for (var i = 0; i < Kills; i++)
            {
                // Each host leads and commits pages before it is killed at a random point of its work.
                var appliedAtStart = await CountAsync($"SELECT count(*) FROM {AppliedLog}");
                await host.WaitUntilLeadingAsync(TimeSpan.FromSeconds(60));
                var working = Stopwatch.StartNew();
                while (await CountAsync($"SELECT count(*) FROM {AppliedLog}") == appliedAtStart)
                {
                    Assert.True(working.Elapsed < TimeSpan.FromSeconds(60), $"The projection host committed nothing in 60 s. It wrote:\n{host.Output}");
                    Assert.False(host.HasExited, $"The projection host exited by itself. It wrote:\n{host.Output}");
                    await Task.Delay(20);
                }

                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(0, 3_000)));
                Assert.False(host.HasExited, $"The projection host exited by itself. It wrote:\n{host.Output}");
                host.Kill();
                kills.Add(new Kill(total.Elapsed, !ingestion.IsCompleted, await CountAsync("SELECT count(*) FROM events"), await CountAsync($"SELECT count(*) FROM {AppliedLog}")));
                host.Dispose();
                host = HostProcess.Start(database.ConnectionString, EvaluatedAt, AppliedLog);
            }

            var ingested = await ingestion;
            var ingestedAt = total.Elapsed;
            Assert.True(ingested.Completed);

            // Caught up: the checkpoint is the last event in the all-events order.
            var head = await ReadModelHarness.HeadAsync(DataSource);
            var checkpoints = new ProjectionCheckpoints(DataSource);
            var deadline = Stopwatch.StartNew();
            GlobalPosition reached;
            while ((reached = await checkpoints.LoadAsync(FamilyReadModelProjection.ProjectionName)) != head)
            {
                Assert.True(reached < head, $"The checkpoint {reached} is past the head {head}.");
                Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(3), $"The daemon reached {reached} of {head} in 3 minutes. It wrote:\n{host.Output}");
                Assert.False(host.HasExited, $"The projection host exited by itself. It wrote:\n{host.Output}");
                await Task.Delay(50);
            }

            var caughtUpAt = total.Elapsed;
            host.Kill();
            await stopWatching.CancelAsync();
            var backwards = await checkpointWatch;

            var events = await CountAsync("SELECT count(*) FROM events");
            var mergedAway = await CountAsync("SELECT count(*) FROM streams WHERE successor_id IS NOT NULL");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{ingested.Events:N0} lines replayed: {ingested.Accepted:N0} accepted, {ingested.Duplicates:N0} duplicates, {ingested.Quarantined:N0} quarantined; {events:N0} events stored, {mergedAway:N0} families merged away"));
            foreach (var kill in kills)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"kill -9 at {kill.At.TotalSeconds,5:F1} s: {kill.StoredEvents,7:N0} events stored, {kill.AppliedEvents,7:N0} applied, ingestion {(kill.DuringIngestion ? "running" : "done")}"));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingestion done at {ingestedAt.TotalSeconds:F1} s, projection caught up at {caughtUpAt.TotalSeconds:F1} s"));
            Assert.True(events >= MinimumEvents, $"Only {events:N0} events were stored.");
            Assert.Contains(kills, kill => kill.DuringIngestion);
            Assert.Contains(kills, kill => kill.AppliedEvents < kill.StoredEvents);
            Assert.Empty(backwards);

            // Exactly once: every event was applied by a committed page, none twice, across all the kills.
            Assert.Equal(events, await CountAsync($"SELECT count(*) FROM {AppliedLog}"));
            Assert.Equal(events, await CountAsync($"SELECT count(DISTINCT seq) FROM {AppliedLog}"));
            Assert.Equal(0, await CountAsync($"SELECT count(*) FROM {AppliedLog} a WHERE NOT EXISTS (SELECT FROM events e WHERE e.seq = a.seq)"));

            // Every stream has its row at the stream's version; a live family counts every event of
            // its own stream and of the streams merged into it (less their own family.absorbed).
            Assert.Equal(0, await CountAsync("""
                SELECT count(*) FROM streams s LEFT JOIN read_model.families f ON f.family_id = s.stream_id
                WHERE f.family_id IS NULL OR f.stream_version <> s.version OR (f.survivor_id IS NULL) <> (s.successor_id IS NULL)
                """));
            Assert.Equal(await CountAsync("SELECT count(*) FROM streams"), await CountAsync("SELECT count(*) FROM read_model.families"));
            await using (var command = DataSource.CreateCommand("""
                WITH RECURSIVE tree(root, stream_id) AS (
                    SELECT stream_id, stream_id FROM streams WHERE successor_id IS NULL
                    UNION ALL
                    SELECT t.root, s.stream_id FROM streams s JOIN tree t ON s.successor_id = t.stream_id
                ),
                facts AS (
                    SELECT t.root, count(*) FILTER (WHERE e.stream_id = t.root OR e.type <> @absorbed) AS n
                    FROM tree t JOIN events e ON e.stream_id = t.stream_id
                    GROUP BY t.root
                )
                SELECT count(*) FROM facts JOIN read_model.families f ON f.family_id = facts.root WHERE f.fact_count <> facts.n
                """))
            {
                command.Parameters.AddWithValue("absorbed", FamilyAbsorbed.TypeName);
                Assert.Equal(0L, await command.ExecuteScalarAsync());
            }

            var incremental = await SnapshotAsync();
            Assert.True(incremental.Count > events / 5, $"The read model has only {incremental.Count} rows.");

            var rebuild = new ReadModelRebuild(DataSource, new FamilyReadModel(LocalPolicy.Default, new ManualClock(EvaluatedAt)));
            var rebuilt = await rebuild.RunAsync(new RebuildOptions());
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rebuild: {rebuilt.Events:N0} events, {rebuilt.Families:N0} families and {rebuilt.AbsorbedFamilies:N0} merged away, {rebuilt.EventsPerSecond:N0} events/s, {rebuilt.Elapsed.TotalSeconds:F1} s"));
            Assert.Equal(events, rebuilt.Events);
            Assert.Equal(0, rebuilt.CatchUpEvents);
            Assert.Equal(head, rebuilt.Checkpoint);

            AssertSameRows(incremental, await SnapshotAsync());
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{incremental.Count:N0} read model rows equal; test took {total.Elapsed.TotalSeconds:F1} s"));
        }
        finally
        {
            await stopWatching.CancelAsync();
            host?.Dispose();
            File.Delete(file);
        }
    }

    private static void AssertSameRows(List<string> expected, List<string> actual)
    {
        if (expected.SequenceEqual(actual, StringComparer.Ordinal))
        {
            return;
        }

        var missing = expected.Except(actual, StringComparer.Ordinal).Take(5).ToList();
        var extra = actual.Except(expected, StringComparer.Ordinal).Take(5).ToList();
        Assert.Fail($"""
            The rebuilt read model differs from the incrementally maintained one ({expected.Count:N0} rows against {actual.Count:N0}).
            Only incremental (first 5):
            {string.Join("\n", missing)}
            Only rebuilt (first 5):
            {string.Join("\n", extra)}
            """);
    }

    /// <summary>
    /// Every row of the read model tables as text, sorted (so independent of physical order), all
    /// columns but <c>updated_at</c>. Documents are compared as written: one serializer writes both sides.
    /// </summary>
    private async Task<List<string>> SnapshotAsync()
    {
        const string s = ReadModelSchema.Live;
        var rows = new List<string>();
        foreach (var sql in new[]
        {
            $"SELECT 'families' || (family_id, survivor_id, stream_version, fact_count, last_recorded_at, policy_version, evaluated_at, next_change_at, document)::text FROM {s}.families",
            $"SELECT 'obligations' || o::text FROM {s}.obligations o",
            $"SELECT 'flags' || l::text FROM {s}.flags l",
            $"SELECT 'disputes' || d::text FROM {s}.disputes d",
            $"SELECT 'deadlines' || d::text FROM {s}.deadlines d",
            $"SELECT 'young_carers' || y::text FROM {s}.young_carers y",
        })
        {
            await using var command = DataSource.CreateCommand(sql);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                rows.Add(reader.GetString(0));
            }
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>Polls the checkpoint until cancelled; returns every move backwards it saw.</summary>
    private async Task<List<string>> WatchCheckpointAsync(CancellationToken stop)
    {
        var checkpoints = new ProjectionCheckpoints(DataSource);
        var backwards = new List<string>();
        var last = GlobalPosition.Start;
        while (!stop.IsCancellationRequested)
        {
            var position = await checkpoints.LoadAsync(FamilyReadModelProjection.ProjectionName, CancellationToken.None);
            if (position.CompareTo(last) < 0)
            {
                backwards.Add($"{last} -> {position}");
            }

            last = position;
            try
            {
                await Task.Delay(20, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return backwards;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private sealed record Kill(TimeSpan At, bool DuringIngestion, long StoredEvents, long AppliedEvents);

    /// <summary>tests/ProjectionHost in a process of its own, killed with SIGKILL when disposed if it is still running.</summary>
    private sealed class HostProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();
        private readonly TaskCompletionSource _leading = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private HostProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Keep(e.Data);
            _process.ErrorDataReceived += (_, e) => Keep(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public bool HasExited => _process.HasExited;

        public string Output => string.Join('\n', _output);

        public static HostProcess Start(string connectionString, DateTimeOffset fixedClock, string appliedLog)
        {
            // Run from its own build output: its dependencies differ from this test project's.
            var separator = Path.DirectorySeparatorChar;
            var host = Path.Combine(
                AppContext.BaseDirectory.Replace($"{separator}Projections.Tests{separator}", $"{separator}ProjectionHost{separator}", StringComparison.Ordinal),
                "YoungCarers.ProjectionHost.dll");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            string[] arguments =
            [
                host,
                $"--ConnectionStrings:EventStore={connectionString}",
                $"--ProjectionHost:FixedClock={fixedClock.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}",
                $"--ProjectionHost:AppliedLog={appliedLog}",
                "--Logging:LogLevel:Default=Warning",
                "--Logging:LogLevel:YoungCarers=Information",
            ];
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            return new HostProcess(Process.Start(start)!);
        }

        /// <summary>Until the daemon in the process says it leads the projection.</summary>
        public async Task WaitUntilLeadingAsync(TimeSpan timeout)
        {
            var finished = await Task.WhenAny(_leading.Task, Task.Delay(timeout));
            Assert.True(finished == _leading.Task, $"The projection host did not take the lead within {timeout.TotalSeconds} s. It wrote:\n{Output}");
        }

        /// <summary>SIGKILL: no chance to finish the page in flight or let go of the leadership lock.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.WaitForExit();
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }

        private void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            if (line.Contains("Leading projection", StringComparison.Ordinal))
            {
                _leading.TrySetResult();
            }

            _output.Enqueue(line);
            while (_output.Count > 200)
            {
                _output.TryDequeue(out _);
            }
        }
    }
}
