using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;

namespace YoungCarers.Ingest.Replay;

public sealed record ReplayOptions
{
    public const int DefaultBatchSize = 1000;
    public const int DefaultLanes = 2;
    public const int MaxLanes = 16;

    /// <summary>Lines per lane: per call of the pipeline, and so per transaction.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>
    /// Transactions stored at once. Each read takes <see cref="BatchSize"/> lines per lane and
    /// splits them into lanes that name no common person and carry no common event (see
    /// <see cref="IIngestPipeline.Partition"/>), so one lane never waits for another's locks and
    /// the database works on several at once; the read's checkpoint is saved once every lane of it
    /// and of the reads before it is durable. With 1, each batch is stored and checkpointed in one
    /// transaction.
    /// </summary>
    public int Lanes { get; init; } = DefaultLanes;

    /// <summary>
    /// Reads being stored at once: a lane that has finished its part of a read goes on to its part
    /// of the next instead of waiting for the other lanes (see <see cref="LanePlanner"/>).
    /// Stopping finishes and checkpoints every read already started.
    /// </summary>
    public int ReadsInFlight { get; init; } = 2;

    /// <summary>Ignore the file's checkpoint and read it from its first line.</summary>
    public bool FromStart { get; init; }

    /// <summary>
    /// Batches read from the file (and validated) ahead of the one being stored, so reading and
    /// validation overlap the database work; 0 reads each batch only when the previous one is done.
    /// </summary>
    public int ReadAhead { get; init; } = 2;
}

/// <summary>Where a replay stands (after each batch) or ended.</summary>
/// <param name="StartOffset">Where this run started reading: 0, or a previous run's checkpoint.</param>
/// <param name="ByteOffset">Everything before this offset is durably ingested (and checkpointed).</param>
/// <param name="Lines">Lines before <paramref name="ByteOffset"/>, in the whole file (blank ones too).</param>
/// <param name="Events">Non-blank lines this run sent through the pipeline.</param>
public sealed record ReplayProgress(
    string FilePath,
    long FileSize,
    long StartOffset,
    long StartLine,
    long ByteOffset,
    long Lines,
    long Events,
    long Accepted,
    long Duplicates,
    long Quarantined,
    TimeSpan Elapsed)
{
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;

    /// <summary>The fraction of the file behind the checkpoint, 0 to 1.</summary>
    public double Fraction => FileSize == 0 ? 1 : (double)ByteOffset / FileSize;

    /// <summary>The time left at this run's rate of bytes, or null before there is a rate.</summary>
    public TimeSpan? Remaining
    {
        get
        {
            var done = ByteOffset - StartOffset;
            return done <= 0 || Elapsed <= TimeSpan.Zero
                ? null
                : TimeSpan.FromSeconds((FileSize - ByteOffset) * Elapsed.TotalSeconds / done);
        }
    }

    /// <summary>True when every byte of the file has been read and ingested.</summary>
    public bool Completed => ByteOffset >= FileSize;

    /// <summary>True when this run started from a previous run's checkpoint.</summary>
    public bool Resumed => StartOffset > 0;
}

/// <summary>
/// Replays an NDJSON file of CloudEvents through the ingest pipeline, a read at a time, recording
/// after each durable read where the next one starts, so an interrupted replay resumes there.
/// Re-reading events is harmless anyway (they are duplicates), but resuming skips the work.
/// </summary>
public sealed class FileReplay(IIngestPipeline pipeline, ReplayCheckpoints checkpoints)
{
    /// <summary>The arrival channel of replayed events; their origin is the file and the line.</summary>
    public const string Channel = "file";

    /// <summary>
    /// Replays the file until its end or until <paramref name="stop"/> is cancelled, which ends the
    /// run cleanly after the batch in flight (that batch is finished and checkpointed, not abandoned).
    /// </summary>
    /// <param name="onProgress">Called after each batch is durable and checkpointed, and once before the first.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">A line is absurdly long (see <see cref="NdjsonBatchReader.DefaultMaxLineBytes"/>).</exception>
    public async Task<ReplayProgress> RunAsync(string path, ReplayOptions options, Action<ReplayProgress>? onProgress = null, CancellationToken stop = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Lanes);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Lanes, ReplayOptions.MaxLanes);
        ArgumentOutOfRangeException.ThrowIfNegative(options.ReadAhead);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.ReadsInFlight);
        var started = Stopwatch.GetTimestamp();
        var fullPath = Path.GetFullPath(path);
        var fileKey = await ReplayCheckpoints.FileKeyAsync(fullPath, stop);
        await using var file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
        var size = file.Length;
        var start = options.FromStart ? null : await checkpoints.GetAsync(fileKey, stop);
        if (start is null || start.ByteOffset > size)
        {
            start = new ReplayCheckpoint(0, 0);
        }

        file.Seek(start.ByteOffset, SeekOrigin.Begin);
        var progress = new ReplayProgress(fullPath, size, start.ByteOffset, start.Lines, start.ByteOffset, start.Lines, 0, 0, 0, 0, TimeSpan.Zero);
        onProgress?.Invoke(progress);

        // Split into lanes when read ahead: the reads split before it stand in for their families until stored.
        var planner = new LanePlanner(options.Lanes, options.ReadsInFlight);
        PreparedBatch Prepare(NdjsonBatch batch) =>
            new(batch, pipeline.Partition(pipeline.Prepare([.. batch.Lines.Select(line => Payload(fullPath, line))]), planner));

        await using var reader = new NdjsonBatchReader(file, start.ByteOffset, start.Lines, checked(options.BatchSize * options.Lanes));
        await using var batches = options.ReadAhead > 0 ? new ReadAheadBatches(reader, Prepare, options.ReadAhead) : null;
        var lanes = new Lanes(pipeline, options.Lanes);
        var storing = new Queue<StoringRead>();
        try
        {
            while (true)
            {
                while (storing.Count < options.ReadsInFlight && await NextAsync() is { } next)
                {
                    var checkpoint = checkpoints.Acknowledgement(fileKey, new ReplayCheckpoint(next.Batch.EndOffset, next.Batch.EndLine));
                    storing.Enqueue(new StoringRead(next.Batch, next.Plan.Read, checkpoint, lanes.Start(next.Plan, options.Lanes == 1 ? checkpoint : null)));
                }

                if (!storing.TryPeek(out var oldest))
                {
                    break;
                }

                var (accepted, duplicates, quarantined) = (0, 0, 0);

                // Not cancelled by stop: a read once started is finished, and checkpointed with it.
                foreach (var result in (await Task.WhenAll(oldest.Stored)).SelectMany(r => r))
                {
                    _ = result switch
                    {
                        AcceptedResult => accepted++,
                        DuplicateResult => duplicates++,
                        QuarantinedResult => quarantined++,
                        _ => throw new InvalidOperationException($"Unexpected ingest result {result.GetType().Name}."),
                    };
                }

                // Only now: were the checkpoint in one lane's transaction, a failure of another
                // would leave it claiming events that were never stored.
                if (options.Lanes > 1 || oldest.Stored.Count == 0)
                {
                    await oldest.Checkpoint.SaveAsync(CancellationToken.None);
                }

                storing.Dequeue();
                lanes.Finished(oldest.Read);
                using (oldest.Batch)
                {
                    progress = progress with
                    {
                        ByteOffset = oldest.Batch.EndOffset,
                        Lines = oldest.Batch.EndLine,
                        Events = progress.Events + oldest.Batch.Lines.Count,
                        Accepted = progress.Accepted + accepted,
                        Duplicates = progress.Duplicates + duplicates,
                        Quarantined = progress.Quarantined + quarantined,
                        Elapsed = Stopwatch.GetElapsedTime(started),
                    };
                }

                onProgress?.Invoke(progress);
            }
        }
        finally
        {
            // After a failure, the reads started after it end before the run does: none is left storing.
            foreach (var read in storing)
            {
                await ((Task)Task.WhenAll(read.Stored)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                read.Batch.Dispose();
            }
        }

        return progress with { Elapsed = Stopwatch.GetElapsedTime(started) };

        async Task<PreparedBatch?> NextAsync()
        {
            if (stop.IsCancellationRequested)
            {
                return null;
            }

            try
            {
                return batches is not null
                    ? await batches.NextAsync(stop)
                    : await reader.ReadBatchAsync(stop) is { } read ? Prepare(read) : null;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return null;
            }
        }
    }

    private static InboundPayload Payload(string file, NdjsonLine line) => new(
        line.Bytes,
        new Arrival(Channel, new Dictionary<string, string>
        {
            ["file"] = file,
            ["line"] = line.LineNumber.ToString(CultureInfo.InvariantCulture),
        }));

    /// <summary>A read of lines and its payloads as the pipeline prepared them and placed them in lanes.</summary>
    private sealed record PreparedBatch(NdjsonBatch Batch, LanePlan Plan);

    /// <summary>A read whose lanes have been started: <paramref name="Stored"/> holds one task per lane with payloads in it.</summary>
    private sealed record StoringRead(NdjsonBatch Batch, long Read, IIngestAcknowledgement Checkpoint, IReadOnlyList<Task<IReadOnlyList<IngestResult>>> Stored);

    /// <summary>
    /// Starts each lane's part of a read after that lane's part of the read before it, and after
    /// what its <see cref="LanePlan.WaitFor"/> names; a lane whose wait failed stores nothing.
    /// </summary>
    private sealed class Lanes(IIngestPipeline pipeline, int count)
    {
        private readonly Task[] _tails = [.. Enumerable.Repeat(Task.CompletedTask, count)];
        private readonly Dictionary<long, Task[]> _byRead = [];

        public List<Task<IReadOnlyList<IngestResult>>> Start(LanePlan plan, IIngestAcknowledgement? inTransaction)
        {
            var stored = new List<Task<IReadOnlyList<IngestResult>>>();
            var tails = new Task[count];
            for (var lane = 0; lane < count; lane++)
            {
                if (plan.Lanes[lane] is { } payloads)
                {
                    var waits = new List<Task> { _tails[lane] };
                    for (var other = 0; other < count; other++)
                    {
                        if (plan.WaitFor[lane][other] is var read and >= 0 && _byRead.TryGetValue(read, out var thatRead))
                        {
                            waits.Add(thatRead[other]);
                        }
                    }

                    var store = StoreAsync(waits, payloads, inTransaction);
                    stored.Add(store);
                    _tails[lane] = store;
                }

                tails[lane] = _tails[lane];
            }

            _byRead[plan.Read] = tails;
            return stored;
        }

        public void Finished(long read) => _byRead.Remove(read);

        private async Task<IReadOnlyList<IngestResult>> StoreAsync(List<Task> waits, PreparedPayloads payloads, IIngestAcknowledgement? inTransaction)
        {
            await Task.WhenAll(waits);
            return inTransaction is null
                ? await pipeline.IngestPreparedAsync(payloads, CancellationToken.None)
                : await pipeline.IngestPreparedAsync(payloads, inTransaction, CancellationToken.None);
        }
    }

    /// <summary>Reads and prepares batches on another task, a bounded number ahead of the consumer.</summary>
    private sealed class ReadAheadBatches : IAsyncDisposable
    {
        private readonly Channel<PreparedBatch> _channel;
        private readonly CancellationTokenSource _cancel = new();
        private readonly Task _producer;

        public ReadAheadBatches(NdjsonBatchReader reader, Func<NdjsonBatch, PreparedBatch> prepare, int readAhead)
        {
            // The channel holds readAhead - 1 batches and the producer one more while it waits to write it.
            _channel = System.Threading.Channels.Channel.CreateBounded<PreparedBatch>(new BoundedChannelOptions(Math.Max(1, readAhead - 1))
            {
                SingleReader = true,
                SingleWriter = true,
            });
            _producer = Task.Run(() => ProduceAsync(reader, prepare, _cancel.Token));
        }

        public async ValueTask<PreparedBatch?> NextAsync(CancellationToken cancellationToken) =>
            await _channel.Reader.WaitToReadAsync(cancellationToken) && _channel.Reader.TryRead(out var batch) ? batch : null;

        public async ValueTask DisposeAsync()
        {
            await _cancel.CancelAsync();
            // Its failure, if any, reached the consumer through the channel (or was not wanted any more).
            await _producer.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

            while (_channel.Reader.TryRead(out var unread))
            {
                unread.Batch.Dispose();
            }

            _cancel.Dispose();
        }

        private async Task ProduceAsync(NdjsonBatchReader reader, Func<NdjsonBatch, PreparedBatch> prepare, CancellationToken cancellationToken)
        {
            try
            {
                while (await reader.ReadBatchAsync(cancellationToken) is { } batch)
                {
                    try
                    {
                        await _channel.Writer.WriteAsync(prepare(batch), cancellationToken);
                    }
                    catch
                    {
                        batch.Dispose();
                        throw;
                    }
                }

                _channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _channel.Writer.TryComplete(e is OperationCanceledException ? null : e);
                throw;
            }
        }
    }
}
