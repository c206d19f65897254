using System.Diagnostics;
using System.Globalization;
using YoungCarers.Domain.Policy;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.Rebuild;

namespace YoungCarers.Benchmarks;

/// <summary>
/// The <c>rebuild</c> command: generates a synthetic NDJSON file, loads it through the real ingest
/// pipeline by file replay (validation, identity with merges, durable appends; not timed), vacuums
/// and analyzes it (not timed), then runs <see cref="ReadModelRebuild"/> as <c>rebuild</c> does and reports its rate, where the bulk
/// pass spent its time, and the process's peak memory during the rebuild.
/// </summary>
internal static class ProjectionRebuildBenchmark
{
    private const double TargetEventsPerSecond = 50_000;
    private const double TargetPeakMegabytes = 1_024;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(ProjectionRebuildBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetTempPath(), $"yc-bench-rebuild-{Guid.NewGuid():N}.ndjson");
        try
        {
            var families = ProjectionBenchmarkData.FamiliesFor(options.Events, options.Seed);
            var generated = await ProjectionBenchmarkData.GenerateFileAsync(file, families, options.Seed, cancellationToken);
            await using var database = await ProjectionBenchmarkData.CreateDatabaseAsync(options.ConnectionString, cancellationToken);
            var server = await ServerFacts.ReadAsync(database.DataSource, cancellationToken);

            var loaded = await ProjectionBenchmarkData.LoadAsync(database.DataSource, file, options.BatchSize, cancellationToken);
            var loadPeak = PeakMemory.ResidentMegabytes();
            var settled = await ProjectionBenchmarkData.SettleAsync(database.DataSource, cancellationToken);
            var before = await ProjectionBenchmarkData.ReadStoreFactsAsync(database.DataSource, cancellationToken);

            // The rebuild's own peak: collect what loading left behind, then restart the high-water mark.
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            var peakReset = PeakMemory.ResetPeak();
            var residentBefore = PeakMemory.CurrentMegabytes();

            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Rebuilding the read model from {before.Events:N0} events ({options.Parallelism} in parallel, {options.FamiliesPerChunk:N0} families per chunk)..."));
            var loadBefore = MachineLoad.Average();
            var cpuBefore = ProjectionBenchmarkData.Cpu(database);
            var allocatedBefore = GC.GetTotalAllocatedBytes();
            var collectionsBefore = GC.CollectionCount(0);
            var pausedBefore = GC.GetTotalPauseDuration();
            var compiledBefore = System.Runtime.JitInfo.GetCompiledMethodCount();
            var compilingBefore = System.Runtime.JitInfo.GetCompilationTime();
            var rebuild = new ReadModelRebuild(database.DataSource, new FamilyReadModel(LocalPolicy.Default, TimeProvider.System));
            var (result, cpuAtIndexes) = await RebuildAsync(rebuild, database, options, cancellationToken);
            var cpuAfter = ProjectionBenchmarkData.Cpu(database);
            var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;
            var collections = GC.CollectionCount(0) - collectionsBefore;
            var paused = GC.GetTotalPauseDuration() - pausedBefore;
            var compiled = System.Runtime.JitInfo.GetCompiledMethodCount() - compiledBefore;
            var compiling = System.Runtime.JitInfo.GetCompilationTime() - compilingBefore;
            var loadAfter = MachineLoad.Average();
            var rebuildPeak = PeakMemory.ResidentMegabytes();
            var after = await ProjectionBenchmarkData.ReadStoreFactsAsync(database.DataSource, cancellationToken);

            var overall = result.WholeEventsPerSecond;
            var (read, evaluate, write) = result.BulkBreakdown;
            var report = new Report();
            report.Title("Read model rebuild benchmark: ReadModelRebuild over a store loaded by the ingest pipeline");
            report.Machine(inProcess: true);
            report.Row("postgresql", $"{server.Version} ({database.Description})");
            report.Row("server settings", $"fsync={server.Fsync} synchronous_commit={server.SynchronousCommit} shared_buffers={server.SharedBuffers} max_wal_size={server.MaxWalSize}");
            report.Row("data", string.Create(CultureInfo.InvariantCulture, $"{loaded.Events:N0} lines"),
                string.Create(CultureInfo.InvariantCulture, $"{families:N0} families, seed {options.Seed}, generated in {ProjectionBenchmarkData.Seconds(generated)}"));
            report.Row("load (file replay, not timed)", string.Create(CultureInfo.InvariantCulture, $"{loaded.EventsPerSecond,10:N0} events/s"),
                string.Create(CultureInfo.InvariantCulture, $"{ProjectionBenchmarkData.Seconds(loaded.Elapsed)}; {loaded.Accepted:N0} accepted, {loaded.Duplicates:N0} duplicates, {loaded.Quarantined:N0} quarantined"));
            report.Row("settle (not timed)", "VACUUM (ANALYZE), CHECKPOINT", $"{ProjectionBenchmarkData.Seconds(settled)}; what autovacuum and the checkpointer have done by the time a store in use is rebuilt");
            report.Row("store", string.Create(CultureInfo.InvariantCulture, $"{before.Events:N0} events"),
                string.Create(CultureInfo.InvariantCulture, $"{before.LiveStreams:N0} live families, {before.ArchivedStreams:N0} merged away"));
            report.Row("rebuild options", $"parallelism {options.Parallelism}", string.Create(CultureInfo.InvariantCulture, $"{options.FamiliesPerChunk:N0} families per chunk"));
            report.Blank();
            report.Title("Rebuild (read every family's events, evaluate at now, COPY into a fresh schema, index, catch up, swap)");
            report.Row("throughput (whole rebuild)", string.Create(CultureInfo.InvariantCulture, $"{overall,10:N0} events/s"),
                ProjectionBenchmarkData.Verdict(overall >= TargetEventsPerSecond, string.Create(CultureInfo.InvariantCulture, $"target >= {TargetEventsPerSecond:N0}")));
            report.Row("throughput (bulk pass)", string.Create(CultureInfo.InvariantCulture, $"{result.EventsPerSecond,10:N0} events/s"), $"bulk pass {ProjectionBenchmarkData.Seconds(result.BulkElapsed)}");
            report.Row("elapsed", string.Create(CultureInfo.InvariantCulture, $"{result.Elapsed.TotalSeconds,10:N1} s"),
                $"indexes, catch-up and swap {ProjectionBenchmarkData.Seconds(result.Elapsed - result.BulkElapsed)}");
            report.Row("old read model dropped", string.Create(CultureInfo.InvariantCulture, $"{result.RetiredDropped.TotalSeconds,10:N1} s"),
                "after the swap (the daemon already projecting into the new one), not in the rates above");
            report.Row("bulk breakdown (summed over workers)",
                $"read {ProjectionBenchmarkData.Seconds(read)}", $"evaluate {ProjectionBenchmarkData.Seconds(evaluate)}, write {ProjectionBenchmarkData.Seconds(write)}");
            report.Row("events", string.Create(CultureInfo.InvariantCulture, $"{result.Events,10:N0}"), string.Create(CultureInfo.InvariantCulture, $"{result.CatchUpEvents:N0} caught up after the bulk pass"));
            ProjectionBenchmarkData.CpuRow(report, "CPU (whole rebuild)", cpuBefore, cpuAfter, result.Events, loadBefore, loadAfter);
            ProjectionBenchmarkData.CpuRow(report, "CPU (bulk pass)", cpuBefore, cpuAtIndexes, result.Events, loadBefore, loadAfter);
            // Steadier than the CPU figures between runs on a machine whose speed drifts, and what most of the process's time follows.
            report.Row("allocated (whole rebuild)", string.Create(CultureInfo.InvariantCulture, $"{allocated / 1024.0 / Math.Max(1, result.Events),10:N2} kB/event"),
                string.Create(CultureInfo.InvariantCulture, $"{allocated / 1024.0 / 1024 / 1024:N1} GB in this process; {collections:N0} garbage collections, paused {ProjectionBenchmarkData.Seconds(paused)}"));
            // The compiler's time is CPU the rebuild's threads and PostgreSQL do not get on a machine this small.
            report.Row("compiled (whole rebuild)", string.Create(CultureInfo.InvariantCulture, $"{compiled,10:N0} methods"),
                $"{ProjectionBenchmarkData.Seconds(compiling)} in the JIT compiler, on any thread (its first and its optimised compilations)");
            report.Row("families", string.Create(CultureInfo.InvariantCulture, $"{result.Families,10:N0}"), string.Create(CultureInfo.InvariantCulture, $"and {result.AbsorbedFamilies:N0} merged into others"));
            report.Row("read model", string.Create(CultureInfo.InvariantCulture, $"{after.ReadModelFamilies,10:N0} family rows"), string.Create(CultureInfo.InvariantCulture, $"{after.ReadModelObligations:N0} obligations"));
            report.Row("checkpoint", result.Checkpoint.ToString());
            report.Row(peakReset ? "peak RSS during the rebuild (VmHWM)" : "peak RSS of the process (VmHWM)",
                rebuildPeak is { } peak ? string.Create(CultureInfo.InvariantCulture, $"{peak,10:N0} MB") : "n/a",
                rebuildPeak is { } p
                    ? ProjectionBenchmarkData.Verdict(p < TargetPeakMegabytes, string.Create(CultureInfo.InvariantCulture,
                        $"target < {TargetPeakMegabytes:N0} MB; {residentBefore ?? 0:N0} MB resident when it started, {loadPeak ?? 0:N0} MB peak while loading"))
                    : "");
            if (options.Rounds > 1)
            {
                report.Blank();
                report.Title("Further rounds (the same store rebuilt again: the machine's drift between rounds, without loading again)");
                for (var round = 2; round <= options.Rounds; round++)
                {
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                    var cpuFrom = ProjectionBenchmarkData.Cpu(database);
                    var allocatedFrom = GC.GetTotalAllocatedBytes();
                    var pausedFrom = GC.GetTotalPauseDuration();
                    var (again, cpuBulk) = await RebuildAsync(rebuild, database, options, cancellationToken);
                    var cpuTo = ProjectionBenchmarkData.Cpu(database);
                    var perEvent = Math.Max(1, again.Events);
                    report.Row(string.Create(CultureInfo.InvariantCulture, $"round {round}"),
                        string.Create(CultureInfo.InvariantCulture, $"{again.WholeEventsPerSecond,10:N0} events/s"),
                        string.Create(CultureInfo.InvariantCulture,
                            $"bulk {again.EventsPerSecond:N0}/s; CPU {Microseconds(cpuTo.Process - cpuFrom.Process, perEvent)} / {Microseconds(cpuTo.Postgres - cpuFrom.Postgres, perEvent)} µs/event (bulk {Microseconds(cpuBulk.Process - cpuFrom.Process, perEvent)} / {Microseconds(cpuBulk.Postgres - cpuFrom.Postgres, perEvent)}); {(GC.GetTotalAllocatedBytes() - allocatedFrom) / 1024.0 / perEvent:N2} kB/event, GC paused {ProjectionBenchmarkData.Seconds(GC.GetTotalPauseDuration() - pausedFrom)}; old read model dropped in {ProjectionBenchmarkData.Seconds(again.RetiredDropped)} after the swap"));
                }
            }

            report.WriteTo(Console.Out);
            return 0;
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs the rebuild with progress on standard error; also returns the CPU used by the time the bulk pass ended.</summary>
    private static async Task<(RebuildResult Result, CpuUse AtIndexes)> RebuildAsync(
        ReadModelRebuild rebuild, BenchmarkDatabase database, ProjectionRebuildBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var lastReport = Stopwatch.GetTimestamp();
        CpuUse? atIndexes = null;
        var result = await rebuild.RunAsync(
            new RebuildOptions { Parallelism = options.Parallelism, FamiliesPerChunk = options.FamiliesPerChunk },
            new InlineProgress(p =>
            {
                if (p.Phase == "indexes")
                {
                    atIndexes = ProjectionBenchmarkData.Cpu(database);
                }

                if (p.Phase != "bulk" || Stopwatch.GetElapsedTime(lastReport) >= ProgressInterval)
                {
                    lastReport = Stopwatch.GetTimestamp();
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {p.Phase,-9} {p.Families,9:N0} of {p.TotalFamilies:N0} families {p.Events,11:N0} events {p.Elapsed.TotalSeconds,7:F1} s   RSS {PeakMemory.CurrentMegabytes() ?? 0,5:N0} MB"));
                }
            }),
            cancellationToken);
        return (result, atIndexes ?? ProjectionBenchmarkData.Cpu(database));
    }

    private static string Microseconds(TimeSpan? cpu, long events) =>
        cpu is { } used ? (used.TotalMicroseconds / events).ToString("N1", CultureInfo.InvariantCulture) : "n/a";

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool, out of order).</summary>
    private sealed class InlineProgress(Action<RebuildProgress> report) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => report(value);
    }
}
