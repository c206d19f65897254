using System.Diagnostics;
using System.Globalization;
using Npgsql;
using YoungCarers.EventStore.Streams;
using YoungCarers.Generation;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Ingest.Replay;
using SyntheticEvents = YoungCarers.Generation.EventGenerator;

namespace YoungCarers.Benchmarks;

/// <summary>
/// The <c>ingest</c> command: generates a synthetic NDJSON file (not timed), replays it end to end
/// through the real pipeline into an empty database, and reports the rate, the outcome and the
/// process's peak memory; then POSTs part of the same file to /events in batches, and sends part
/// of it through Kafka.
/// </summary>
internal static class IngestBenchmark
{
    private const double TargetEventsPerSecond = 20_000;
    private const double TargetPeakMegabytes = 512;
    private const int CalibrationFamilies = 2_000;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    public static async Task<int> RunAsync(IngestBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var file = Path.Combine(Path.GetTempPath(), $"yc-bench-ingest-{Guid.NewGuid():N}.ndjson");
        try
        {
            var generation = await GenerateAsync(file, options, cancellationToken);

            await Console.Error.WriteLineAsync(options.ConnectionString is null ? "Starting embedded PostgreSQL..." : "Creating the benchmark database...");
            await using var database = await BenchmarkDatabase.CreateAsync(options.ConnectionString, cancellationToken, typeof(IngestPipeline).Assembly);
            var server = await ServerFacts.ReadAsync(database.DataSource, cancellationToken);

            await Console.Error.WriteLineAsync($"Replaying {generation.Lines:N0} lines in batches of {options.BatchSize:N0}...");
            var loadBefore = MachineLoad.Average();
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var serverCpuBefore = database.ClusterDirectory is { } directory ? CpuTime.OfPostgres(directory) : null;
            var activityBefore = await ServerActivity.ReadAsync(database.DataSource, cancellationToken);
            // The database's data source stays open until the server's CPU is read: a backend that
            // is exiting shows none.
            var outcome = await ReplayAsync(database.DataSource, file, options, cancellationToken);
            var activity = await ServerActivity.ReadAsync(database.DataSource, cancellationToken) - activityBefore;
            var replayCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
            var serverCpu = database.ClusterDirectory is { } clusterDirectory ? CpuTime.OfPostgres(clusterDirectory) - serverCpuBefore : null;
            var loadAfter = MachineLoad.Average();
            var peakMegabytes = PeakMemory.ResidentMegabytes();
            var stored = await StoredFacts.ReadAsync(database.DataSource, cancellationToken);

            HttpIngestResult? http = null;
            if (options.HttpEvents > 0)
            {
                await Console.Error.WriteLineAsync($"POSTing {options.HttpEvents:N0} events to /events into a second empty database...");
                http = await HttpIngestBenchmark.RunAsync(database.DataSource, file, options, cancellationToken);
            }

            KafkaIngestResult? kafka = null;
            if (options.KafkaEvents > 0)
            {
                await Console.Error.WriteLineAsync($"Producing {options.KafkaEvents:N0} events to a mock Kafka cluster and consuming them into a third empty database...");
                kafka = await KafkaIngestBenchmark.RunAsync(database.DataSource, file, options.KafkaEvents, cancellationToken);
            }

            var expectedMatches = (outcome.Accepted, outcome.Duplicates, outcome.Quarantined) == (generation.Valid, generation.Duplicates, generation.Invalid);
            var report = new Report();
            report.Title("Ingest benchmark: NDJSON file replay through the pipeline");
            report.Machine(inProcess: true);
            report.Row("postgresql", $"{server.Version} ({database.Description})");
            report.Row("server settings", $"fsync={server.Fsync} synchronous_commit={server.SynchronousCommit} shared_buffers={server.SharedBuffers} max_wal_size={server.MaxWalSize}");
            report.Row("file", $"{generation.Lines:N0} lines, {Megabytes(generation.Bytes)}", $"{generation.Families:N0} families, seed {options.Seed}, generated in {generation.Elapsed.TotalSeconds:N1} s (not timed)");
            report.Row("replay", $"batches of {options.BatchSize:N0}", $"{options.Lanes} lanes, read-ahead {options.ReadAhead} reads, {options.ReadsInFlight} in flight");
            report.Blank();
            report.Title("File replay (end to end: read, validate, resolve identity, append durably, checkpoint)");
            report.Row("throughput", $"{outcome.EventsPerSecond,10:N0} events/s", Verdict(outcome.EventsPerSecond >= TargetEventsPerSecond, $"target >= {TargetEventsPerSecond:N0}"));
            report.Row("elapsed", $"{outcome.Elapsed.TotalSeconds,10:N1} s", $"{outcome.Events:N0} events");
            report.Row("load average (1, 5, 15 min)", $"{loadBefore} -> {loadAfter}", "at the start and end of the replay; the machine is shared");
            report.Row("this process's CPU", $"{replayCpu.TotalMicroseconds / Math.Max(1, outcome.Events),10:N0} µs/event",
                $"{replayCpu.TotalSeconds:N1} s during the replay (the database server's is not counted)");
            report.Row("the database server's CPU", serverCpu is { } serverTime ? $"{serverTime.TotalMicroseconds / Math.Max(1, outcome.Events),10:N0} µs/event" : "n/a",
                serverCpu is { } serverSeconds ? $"{serverSeconds.TotalSeconds:N1} s during the replay (embedded cluster: postmaster, backends, helpers)" : "not measured on a given server");
            report.Row("WAL written", $"{Megabytes(activity.WalBytes),10}",
                $"{activity.Checkpoints:N0} checkpoints began during the replay; {activity.BuffersWrittenByBackends:N0} pages written by the backends themselves (extending tables and indexes, or evicting)");
            report.Row("accepted", $"{outcome.Accepted,10:N0}", $"generator intended {generation.Valid:N0}");
            report.Row("duplicates", $"{outcome.Duplicates,10:N0}", $"generator intended {generation.Duplicates:N0}");
            report.Row("quarantined", $"{outcome.Quarantined,10:N0}", $"generator intended {generation.Invalid:N0}");
            report.Row("outcome as the generator intended", expectedMatches ? "yes" : "NO", "");
            report.Row("stored", $"{stored.Events,10:N0} events", $"{stored.LiveStreams:N0} live families ({stored.ArchivedStreams:N0} merged away), {stored.Persons:N0} persons");
            report.Row("on disk", Megabytes(stored.DatabaseBytes), $"quarantine {stored.QuarantineRows:N0} rows");
            report.Row("peak RSS (VmHWM)", peakMegabytes is { } peak ? $"{peak,10:N0} MB" : "n/a",
                peakMegabytes is { } p ? Verdict(p < TargetPeakMegabytes, $"target < {TargetPeakMegabytes:N0} MB; generation, database set-up and replay") : "");
            if (http is not null)
            {
                report.Blank();
                report.Title($"HTTP batches: POST /events, {http.BatchSize:N0} events per request, {http.Clients} concurrent clients, fresh database");
                report.Row("throughput", $"{http.EventsPerSecond,10:N0} events/s", $"{http.Events:N0} events in {http.Elapsed.TotalSeconds:N1} s, {http.Requests:N0} requests");
                report.Row("accepted / duplicate / quarantined", $"{http.Accepted:N0} / {http.Duplicates:N0} / {http.Quarantined:N0}");
                report.Row("request latency p50 / p99", $"{http.P50.TotalMilliseconds:N0} / {http.P99.TotalMilliseconds:N0} ms");
            }

            if (kafka is not null)
            {
                report.Blank();
                report.Title($"Kafka: the service's consumer on librdkafka's mock cluster, {kafka.Partitions} partitions, fresh database");
                report.Row("throughput", $"{kafka.EventsPerSecond,10:N0} events/s", $"{kafka.Records:N0} records consumed, stored and committed in {kafka.Elapsed.TotalSeconds:N1} s");
                report.Row("stored / quarantined", $"{kafka.StoredEvents:N0} / {kafka.Quarantined:N0}", $"generator intended {generation.KafkaPrefixValid:N0} / {generation.KafkaPrefixInvalid:N0}");
            }

            report.WriteTo(Console.Out);
            var kafkaMatches = kafka is null || (kafka.StoredEvents, kafka.Quarantined) == (generation.KafkaPrefixValid, generation.KafkaPrefixInvalid);
            return expectedMatches && kafkaMatches ? 0 : 1;
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<ReplayProgress> ReplayAsync(NpgsqlDataSource dataSource, string file, IngestBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var pipeline = new IngestPipeline(new PostgresEventStore(dataSource), new QuarantineStore(dataSource), TimeProvider.System);
        var replay = new FileReplay(pipeline, new ReplayCheckpoints(dataSource));
        var lastReport = Stopwatch.GetTimestamp();
        long lastEvents = 0;
        return await replay.RunAsync(file, new ReplayOptions { BatchSize = options.BatchSize, Lanes = options.Lanes, ReadAhead = options.ReadAhead, ReadsInFlight = options.ReadsInFlight }, progress =>
        {
            var sinceLast = Stopwatch.GetElapsedTime(lastReport);
            if (sinceLast >= ProgressInterval)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {progress.Events,10:N0} events {progress.Fraction,5:P0}   overall {progress.EventsPerSecond,7:N0}/s   last {(progress.Events - lastEvents) / sinceLast.TotalSeconds,7:N0}/s   RSS {PeakMemory.CurrentMegabytes(),5:N0} MB"));
                lastReport = Stopwatch.GetTimestamp();
                lastEvents = progress.Events;
            }
        }, cancellationToken);
    }

    /// <param name="KafkaPrefixValid">Valid, first-time events among the lines the Kafka phase sends.</param>
    private sealed record Generation(int Families, long Lines, long Bytes, long Valid, long Duplicates, long Invalid, long KafkaPrefixValid, long KafkaPrefixInvalid, TimeSpan Elapsed);

    /// <summary>Writes the file with the generator, and counts what each line is meant to become.</summary>
    private static async Task<Generation> GenerateAsync(string file, IngestBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var perFamily = (double)SyntheticEvents.Generate(new GenerationOptions(CalibrationFamilies, options.Seed)).LongCount() / CalibrationFamilies;
        var families = (int)Math.Clamp(Math.Round(options.Events / perFamily), 1, GenerationOptions.MaxFamilies);
        var generation = new GenerationOptions(families, options.Seed);
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Generating {families:N0} families (~{perFamily:N1} lines each) to {file}..."));
        await using (var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, FileOptions.Asynchronous))
        {
            await SyntheticEvents.WriteNdjsonAsync(stream, generation, cancellationToken);
        }

        long lines = 0, valid = 0, duplicates = 0, invalid = 0, kafkaValid = 0, kafkaInvalid = 0;
        foreach (var line in SyntheticEvents.Generate(generation))
        {
            lines++;
            if (lines <= options.KafkaEvents)
            {
                kafkaValid += line is { IntendedValid: true, IsDuplicate: false } ? 1 : 0;
                kafkaInvalid += line.IntendedValid ? 0 : 1;
            }

            _ = (line.IntendedValid, line.IsDuplicate) switch
            {
                (false, _) => invalid++,
                (true, true) => duplicates++,
                (true, false) => valid++,
            };
        }

        return new Generation(families, lines, new FileInfo(file).Length, valid, duplicates, invalid, kafkaValid, kafkaInvalid, Stopwatch.GetElapsedTime(started));
    }

    private static string Verdict(bool met, string target) => $"{(met ? "PASS" : "FAIL")} ({target})";

    internal static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:N0} MB");

    private sealed record StoredFacts(long Events, long LiveStreams, long ArchivedStreams, long Persons, long QuarantineRows, long DatabaseBytes)
    {
        public static async Task<StoredFacts> ReadAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
        {
            await using var command = dataSource.CreateCommand("""
                SELECT (SELECT count(*) FROM events),
                       (SELECT count(*) FROM streams WHERE successor_id IS NULL),
                       (SELECT count(*) FROM streams WHERE successor_id IS NOT NULL),
                       (SELECT count(*) FROM persons),
                       (SELECT count(*) FROM quarantine),
                       pg_database_size(current_database())
                """);
            command.CommandTimeout = 600;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            return new StoredFacts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
        }
    }
}
