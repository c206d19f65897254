using System.Diagnostics;
using System.Globalization;
using Npgsql;
using YoungCarers.EventStore.Streams;
using YoungCarers.Generation;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Ingest.Replay;
using YoungCarers.Projections;
using SyntheticEvents = YoungCarers.Generation.EventGenerator;

namespace YoungCarers.Benchmarks;

/// <summary>What the projection benchmarks share: sizing the generated data, the schema, and facts about the store.</summary>
internal static class ProjectionBenchmarkData
{
    private const int CalibrationFamilies = 2_000;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    /// <summary>How many generated families give about <paramref name="events"/> lines.</summary>
    public static int FamiliesFor(long events, int seed)
    {
        var perFamily = (double)SyntheticEvents.Generate(new GenerationOptions(CalibrationFamilies, seed)).LongCount() / CalibrationFamilies;
        return (int)Math.Clamp(Math.Ceiling(events / perFamily), 1, GenerationOptions.MaxFamilies);
    }

    /// <summary>Writes the generator's NDJSON for <paramref name="families"/> families to a new file; returns how long it took.</summary>
    public static async Task<TimeSpan> GenerateFileAsync(string file, int families, int seed, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Generating {families:N0} families to {file}..."));
        await using var stream = new FileStream(file, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, FileOptions.Asynchronous);
        await SyntheticEvents.WriteNdjsonAsync(stream, new GenerationOptions(families, seed), cancellationToken);
        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>Loads an NDJSON file through the real ingest pipeline by file replay (as <c>replay</c> does), with progress on standard error.</summary>
    public static async Task<ReplayProgress> LoadAsync(NpgsqlDataSource dataSource, string file, int batchSize, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync("Loading through the ingest pipeline (file replay; not timed)...");
        var pipeline = new IngestPipeline(new PostgresEventStore(dataSource), new QuarantineStore(dataSource), TimeProvider.System);
        var lastReport = Stopwatch.GetTimestamp();
        return await new FileReplay(pipeline, new ReplayCheckpoints(dataSource)).RunAsync(
            file, new ReplayOptions { BatchSize = batchSize }, progress =>
            {
                if (Stopwatch.GetElapsedTime(lastReport) >= ProgressInterval)
                {
                    lastReport = Stopwatch.GetTimestamp();
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {progress.Events,10:N0} lines {progress.Fraction,5:P0}   {progress.EventsPerSecond,7:N0}/s   {progress.Remaining?.TotalSeconds ?? 0,5:N0} s left"));
                }
            }, cancellationToken);
    }

    /// <summary>
    /// Vacuums and analyzes the whole database, as autovacuum would have done by the time a store
    /// that has been in use is rebuilt, then checkpoints it, as the server does every few minutes.
    /// Without them, autovacuum works through the just-loaded tables, and a checkpoint writes out the
    /// load's gigabyte of changed pages, during whatever is measured next.
    /// </summary>
    public static async Task<TimeSpan> SettleAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync("Vacuuming, analyzing and checkpointing the loaded store (not timed)...");
        var started = Stopwatch.GetTimestamp();
        foreach (var statement in new[] { "VACUUM (ANALYZE)", "CHECKPOINT" })
        {
            await using var command = dataSource.CreateCommand(statement);
            command.CommandTimeout = 0;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return Stopwatch.GetElapsedTime(started);
    }

    /// <summary>A migrated database with the event store, ingest and read model schema.</summary>
    public static async Task<BenchmarkDatabase> CreateDatabaseAsync(string? connectionString, CancellationToken cancellationToken)
    {
        await Console.Error.WriteLineAsync(connectionString is null ? "Starting embedded PostgreSQL..." : "Creating the benchmark database...");
        return await BenchmarkDatabase.CreateAsync(connectionString, cancellationToken, typeof(IngestPipeline).Assembly, typeof(ProjectionsRegistration).Assembly);
    }

    public static async Task<StoreFacts> ReadStoreFactsAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT (SELECT count(*) FROM events),
                   (SELECT count(*) FROM streams WHERE successor_id IS NULL),
                   (SELECT count(*) FROM streams WHERE successor_id IS NOT NULL),
                   (SELECT count(*) FROM read_model.families),
                   (SELECT count(*) FROM read_model.obligations)
            """);
        command.CommandTimeout = 600;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new StoreFacts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    /// <summary>CPU time used so far by this process and by the embedded database server (null on a given server).</summary>
    public static CpuUse Cpu(BenchmarkDatabase database) =>
        new(Process.GetCurrentProcess().TotalProcessorTime, database.ClusterDirectory is { } directory ? CpuTime.OfPostgres(directory) : null);

    /// <summary>A report row: CPU per event of this process and of the database server between two readings, and the load averages around them.</summary>
    public static void CpuRow(Report report, string label, CpuUse before, CpuUse after, long events, string loadBefore, string loadAfter)
    {
        var perEvent = Math.Max(1, events);
        var process = (after.Process - before.Process).TotalMicroseconds / perEvent;
        var postgres = after.Postgres - before.Postgres is { } server ? string.Create(CultureInfo.InvariantCulture, $"{server.TotalMicroseconds / perEvent:N1} µs/event") : "n/a";
        report.Row(label, string.Create(CultureInfo.InvariantCulture, $"{process,10:N1} µs/event"),
            $"this process; PostgreSQL {postgres}; load average {loadBefore} before, {loadAfter} after");
    }

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture) + " s";

    public static string Verdict(bool met, string target) => $"{(met ? "PASS" : "FAIL")} ({target})";
}

/// <summary>CPU time of this process and of the database server (null where it could not be read).</summary>
internal sealed record CpuUse(TimeSpan Process, TimeSpan? Postgres);

/// <param name="ReadModelFamilies">Rows in <c>read_model.families</c> (live families and pointers for merged ones).</param>
internal sealed record StoreFacts(long Events, long LiveStreams, long ArchivedStreams, long ReadModelFamilies, long ReadModelObligations);
