using System.Diagnostics;
using Npgsql;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.Benchmarks;

internal sealed record ConcurrentAppendResult(int Writers, long Appends, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99)
{
    public double AppendsPerSecond => Appends / Elapsed.TotalSeconds;
}

/// <summary>
/// Several writers, each appending one event per call to a random stream until the time is up: the
/// interactive (API) path, where each append is its own transaction and commit.
/// </summary>
internal sealed class ConcurrentAppendBenchmark(NpgsqlDataSource dataSource, AppendBenchmarkOptions options)
{
    // Keeps these events' source ids clear of the bulk phase's (numbers below 2^32) and of each other writer's.
    private const long WriterNumberSpacing = 1L << 36;

    public async Task<ConcurrentAppendResult> RunAsync(CancellationToken cancellationToken)
    {
        var store = new PostgresEventStore(dataSource);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(options.ConcurrentDuration.TotalSeconds * Stopwatch.Frequency);
        var writers = Enumerable.Range(1, options.Writers)
            .Select(writer => Task.Run(() => WriteUntilAsync(store, writer, deadline, cancellationToken), cancellationToken))
            .ToArray();
        var latencies = (await Task.WhenAll(writers)).SelectMany(writer => writer).Order().ToArray();
        var elapsed = Stopwatch.GetElapsedTime(started);
        return new ConcurrentAppendResult(
            options.Writers, latencies.Length, elapsed, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    /// <returns>The latency of each append, in stopwatch ticks.</returns>
    private async Task<List<long>> WriteUntilAsync(PostgresEventStore store, int writer, long deadline, CancellationToken cancellationToken)
    {
        var factory = new EventFactory(AppendBenchmarkOptions.Seed + writer, options.Streams);
        var latencies = new List<long>();
        for (var number = writer * WriterNumberSpacing; Stopwatch.GetTimestamp() < deadline; number++)
        {
            var generated = factory.Create(number);
            var started = Stopwatch.GetTimestamp();
            await store.AppendAsync(generated.StreamId, ExpectedVersion.Any, [generated.Event], cancellationToken);
            latencies.Add(Stopwatch.GetTimestamp() - started);
        }

        return latencies;
    }

    private static TimeSpan Percentile(long[] sortedTicks, double fraction) =>
        sortedTicks.Length == 0
            ? TimeSpan.Zero
            : TimeSpan.FromSeconds((double)sortedTicks[(int)Math.Round(fraction * (sortedTicks.Length - 1))] / Stopwatch.Frequency);
}
