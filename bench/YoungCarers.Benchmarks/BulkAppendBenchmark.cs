using System.Diagnostics;
using System.Globalization;
using Npgsql;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.Benchmarks;

/// <summary>Write time and rate of one bulk writer (generating the events is not counted).</summary>
internal sealed record WriterTiming(long Events, TimeSpan WriteTime)
{
    public double EventsPerSecond => Events / WriteTime.TotalSeconds;
}

internal sealed record BulkAppendResult(WriterTiming Raw, WriterTiming Store);

/// <summary>
/// Appends the workload through the event store and COPYs the same rows into raw_events, batch by
/// batch, alternating which goes first. Both writers thus see the same data, batch size, table sizes,
/// checkpoints and autovacuum, rather than one of them running on a busier server later.
/// </summary>
internal sealed class BulkAppendBenchmark(NpgsqlDataSource dataSource, AppendBenchmarkOptions options)
{
    private const int ProgressInterval = 100_000;

    public async Task<BulkAppendResult> RunAsync(CancellationToken cancellationToken)
    {
        var store = new PostgresEventStore(dataSource);
        var raw = await RawEventsTable.CreateAsync(dataSource, options.Streams, cancellationToken);
        var generator = new EventGenerator(options.Events, options.Streams, AppendBenchmarkOptions.Seed);
        var rawTime = TimeSpan.Zero;
        var storeTime = TimeSpan.Zero;
        long written = 0;
        var nextProgress = ProgressInterval;
        var batchNumber = 0;
        foreach (var batch in generator.Batches(options.BatchSize))
        {
            var appends = batch
                .GroupBy(e => e.StreamId, StringComparer.Ordinal)
                .Select(group => new StreamAppend(group.Key, ExpectedVersion.Any, [.. group.Select(e => e.Event)]))
                .ToList();
            if (batchNumber++ % 2 == 0)
            {
                rawTime += await TimeAsync(() => raw.CopyAsync(batch, cancellationToken));
                storeTime += await TimeAsync(() => store.AppendAsync(appends, cancellationToken));
            }
            else
            {
                storeTime += await TimeAsync(() => store.AppendAsync(appends, cancellationToken));
                rawTime += await TimeAsync(() => raw.CopyAsync(batch, cancellationToken));
            }

            written += batch.Count;
            if (written >= nextProgress || written == options.Events)
            {
                nextProgress += ProgressInterval;
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  bulk {written,10:N0} / {options.Events:N0} events   raw COPY {written / rawTime.TotalSeconds,8:N0}/s   store {written / storeTime.TotalSeconds,8:N0}/s"));
            }
        }

        return new BulkAppendResult(new WriterTiming(written, rawTime), new WriterTiming(written, storeTime));
    }

    private static async Task<TimeSpan> TimeAsync(Func<Task> write)
    {
        var started = Stopwatch.GetTimestamp();
        await write();
        return Stopwatch.GetElapsedTime(started);
    }
}
