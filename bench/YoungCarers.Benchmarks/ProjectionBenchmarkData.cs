using System.Globalization;
using Npgsql;
using YoungCarers.Generation;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Projections;
using SyntheticEvents = YoungCarers.Generation.EventGenerator;

namespace YoungCarers.Benchmarks;

/// <summary>What the projection benchmarks share: sizing the generated data, the schema, and facts about the store.</summary>
internal static class ProjectionBenchmarkData
{
    private const int CalibrationFamilies = 2_000;

    /// <summary>How many generated families give about <paramref name="events"/> lines.</summary>
    public static int FamiliesFor(long events, int seed)
    {
        var perFamily = (double)SyntheticEvents.Generate(new GenerationOptions(CalibrationFamilies, seed)).LongCount() / CalibrationFamilies;
        return (int)Math.Clamp(Math.Ceiling(events / perFamily), 1, GenerationOptions.MaxFamilies);
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

    public static string Seconds(TimeSpan elapsed) => elapsed.TotalSeconds.ToString("N1", CultureInfo.InvariantCulture) + " s";

    public static string Verdict(bool met, string target) => $"{(met ? "PASS" : "FAIL")} ({target})";

    /// <summary>This process's current resident set (VmRSS) in MB, or null where /proc is not available.</summary>
    public static double? CurrentResidentMegabytes()
    {
        const string StatusFile = "/proc/self/status";
        var line = File.Exists(StatusFile) ? File.ReadLines(StatusFile).FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)) : null;
        return line is null
            ? null
            : long.Parse(line["VmRSS:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture) / 1024.0;
    }

    /// <summary>
    /// Resets this process's peak resident set (VmHWM) to its current size (Linux: writing 5 to
    /// /proc/self/clear_refs), so a later reading covers only what follows. False where that is not possible.
    /// </summary>
    public static bool ResetPeakResident()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <param name="ReadModelFamilies">Rows in <c>read_model.families</c> (live families and pointers for merged ones).</param>
internal sealed record StoreFacts(long Events, long LiveStreams, long ArchivedStreams, long ReadModelFamilies, long ReadModelObligations);
