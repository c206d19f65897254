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
    /// the database works on several at once; the read's checkpoint is saved once every lane is
    /// durable. With 1, each batch is stored and checkpointed in one transaction.
    /// </summary>
    public int Lanes { get; init; } = DefaultLanes;

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
        PreparedBatch Prepare(NdjsonBatch batch) =>
            new(batch, batch.Lines.Count > 0 ? pipeline.Partition(pipeline.Prepare([.. batch.Lines.Select(line => Payload(fullPath, line))]), options.Lanes) : []);

        await using var reader = new NdjsonBatchReader(file, start.ByteOffset, start.Lines, checked(options.BatchSize * options.Lanes));
        await using var batches = options.ReadAhead > 0 ? new ReadAheadBatches(reader, Prepare, options.ReadAhead) : null;
        while (!stop.IsCancellationRequested)
        {
            PreparedBatch? prepared;
            try
            {
                prepared = batches is not null
                    ? await batches.NextAsync(stop)
                    : await reader.ReadBatchAsync(stop) is { } read ? Prepare(read) : null;
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }

            if (prepared is null)
            {
                break;
            }

            var batch = prepared.Batch;
            using (batch)
            {
                var (accepted, duplicates, quarantined) = (0, 0, 0);
                var checkpoint = new ReplayCheckpoint(batch.EndOffset, batch.EndLine);

                // Not cancelled by stop: a read once started is finished, and checkpointed with it.
                foreach (var result in await StoreAsync(prepared.Lanes, checkpoints.Acknowledgement(fileKey, checkpoint)))
                {
                    _ = result switch
                    {
                        AcceptedResult => accepted++,
                        DuplicateResult => duplicates++,
                        QuarantinedResult => quarantined++,
                        _ => throw new InvalidOperationException($"Unexpected ingest result {result.GetType().Name}."),
                    };
                }

                progress = progress with
                {
                    ByteOffset = batch.EndOffset,
                    Lines = batch.EndLine,
                    Events = progress.Events + batch.Lines.Count,
                    Accepted = progress.Accepted + accepted,
                    Duplicates = progress.Duplicates + duplicates,
                    Quarantined = progress.Quarantined + quarantined,
                    Elapsed = Stopwatch.GetElapsedTime(started),
                };
            }

            onProgress?.Invoke(progress);
        }

        return progress with { Elapsed = Stopwatch.GetElapsedTime(started) };
    }

    private async Task<IEnumerable<IngestResult>> StoreAsync(IReadOnlyList<PreparedPayloads> lanes, IIngestAcknowledgement acknowledgement)
    {
        switch (lanes.Count)
        {
            case 0:
                await acknowledgement.SaveAsync(CancellationToken.None);
                return [];
            case 1:
                return await pipeline.IngestPreparedAsync(lanes[0], acknowledgement, CancellationToken.None);
            default:
                // Every lane runs to its end, even when another fails, so none is left behind in flight.
                var results = await Task.WhenAll(lanes.Select(lane => pipeline.IngestPreparedAsync(lane, CancellationToken.None)));

                // Only now: were the checkpoint in one lane's transaction, a failure of another
                // would leave it claiming events that were never stored.
                await acknowledgement.SaveAsync(CancellationToken.None);
                return results.SelectMany(r => r);
        }
    }

    private static InboundPayload Payload(string file, NdjsonLine line) => new(
        line.Bytes,
        new Arrival(Channel, new Dictionary<string, string>
        {
            ["file"] = file,
            ["line"] = line.LineNumber.ToString(CultureInfo.InvariantCulture),
        }));

    /// <summary>A read of lines and its payloads as the pipeline prepared them, split into lanes (none if it has only blank lines).</summary>
    private sealed record PreparedBatch(NdjsonBatch Batch, IReadOnlyList<PreparedPayloads> Lanes);

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
