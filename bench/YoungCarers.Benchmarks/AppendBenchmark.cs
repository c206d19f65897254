using System.Globalization;

namespace YoungCarers.Benchmarks;

/// <summary>The <c>append</c> command: bulk append against raw COPY, then concurrent single-event appends, then a report.</summary>
internal static class AppendBenchmark
{
    private const double TargetRatio = 0.5;
    private const double TargetPeakMegabytes = 512;

    public static async Task<int> RunAsync(AppendBenchmarkOptions options, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync(options.ConnectionString is null ? "Starting embedded PostgreSQL..." : "Creating the benchmark database...");
        await using var database = await BenchmarkDatabase.CreateAsync(options.ConnectionString, cancellationToken);
        var server = await ServerFacts.ReadAsync(database.DataSource, cancellationToken);

        await Console.Error.WriteLineAsync("Bulk append (raw COPY and store, alternating per batch)...");
        var bulk = await new BulkAppendBenchmark(database.DataSource, options).RunAsync(cancellationToken);
        await Console.Error.WriteLineAsync("Comparing the two tables...");
        var outcome = await BulkOutcome.ReadAsync(database.DataSource, cancellationToken);

        await Console.Error.WriteLineAsync($"Concurrent single-event appends for {options.ConcurrentDuration.TotalSeconds:0} s...");
        var concurrent = await new ConcurrentAppendBenchmark(database.DataSource, options).RunAsync(cancellationToken);
        var peakMegabytes = PeakMemory.ResidentMegabytes();

        var ratio = bulk.Store.EventsPerSecond / bulk.Raw.EventsPerSecond;
        var report = new Report();
        report.Title("Event store append benchmark");
        report.Machine(inProcess: true);
        report.Row("postgresql", $"{server.Version} ({database.Description})");
        report.Row("server settings", $"fsync={server.Fsync} synchronous_commit={server.SynchronousCommit} shared_buffers={server.SharedBuffers} max_wal_size={server.MaxWalSize}");
        report.Row("workload", $"{options.Events:N0} events of ~{EventFactory.PayloadLength} B JSON over {options.Streams:N0} streams, batches of {options.BatchSize:N0}");
        report.Blank();
        report.Title("Bulk append (write time only; raw COPY and store alternate per batch)");
        report.Row("raw COPY into raw_events", $"{bulk.Raw.EventsPerSecond,10:N0} events/s", $"{bulk.Raw.WriteTime.TotalSeconds:N1} s");
        report.Row("PostgresEventStore.AppendAsync", $"{bulk.Store.EventsPerSecond,10:N0} events/s", $"{bulk.Store.WriteTime.TotalSeconds:N1} s");
        report.Row("ratio store / raw", $"{ratio,10:N2}", Verdict(ratio >= TargetRatio, $"target >= {TargetRatio:N2}"));
        report.Row("same rows in both tables", $"{outcome.MatchingRows,10:N0} of {outcome.StoreRows:N0}", outcome.Identical ? "ok" : $"MISMATCH: raw_events has {outcome.RawRows:N0}");
        report.Row("on disk", $"events {Megabytes(outcome.StoreBytes)} + streams {Megabytes(outcome.StreamsBytes)}, raw_events {Megabytes(outcome.RawBytes)}");
        report.Blank();
        report.Title($"Concurrent single-event appends ({concurrent.Writers} writers, {concurrent.Elapsed.TotalSeconds:N1} s)");
        report.Row("appends", $"{concurrent.AppendsPerSecond,10:N0} appends/s", $"{concurrent.Appends:N0} in all");
        report.Row("latency p50", $"{concurrent.P50.TotalMilliseconds,10:N2} ms");
        report.Row("latency p99", $"{concurrent.P99.TotalMilliseconds,10:N2} ms");
        report.Blank();
        report.Row("peak RSS (VmHWM)", peakMegabytes is { } peak ? $"{peak,10:N0} MB" : "n/a", peakMegabytes is { } p ? Verdict(p < TargetPeakMegabytes, $"target < {TargetPeakMegabytes:N0} MB") : "");
        report.WriteTo(Console.Out);
        return outcome.Identical ? 0 : 1;
    }

    private static string Verdict(bool met, string target) => $"{(met ? "PASS" : "FAIL")} ({target})";

    private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:N0} MB");
}
