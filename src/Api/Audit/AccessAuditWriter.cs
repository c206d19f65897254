using System.Threading.Channels;
using Npgsql;

namespace YoungCarers.Api.Audit;

/// <summary>
/// Writes the access records of concurrent requests together. Each request queues its records and
/// waits until they are committed; a single writer takes whatever has queued meanwhile (up to
/// <see cref="MaxBatchRows"/> rows) and inserts it in one statement, so concurrent reads share one
/// round trip and one durable commit instead of paying for one each. Nothing is acknowledged before it
/// is committed: if a write fails, every request in that batch fails (and returns no data); when the
/// queue is full, requests wait for room rather than drop records; once the writer is disposed
/// (after the web server has stopped taking requests), queueing fails.
/// </summary>
internal sealed partial class AccessAuditWriter : IAsyncDisposable
{
    /// <summary>Requests waiting to be written before further requests wait for room.</summary>
    public const int QueueCapacity = 4_096;

    /// <summary>Rows per insert: a request with more is written alone.</summary>
    public const int MaxBatchRows = 5_000;

    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<AccessAuditWriter> _logger;
    private readonly Channel<Pending> _queue = Channel.CreateBounded<Pending>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Task _writing;

    public AccessAuditWriter(NpgsqlDataSource dataSource, ILogger<AccessAuditWriter> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _writing = Task.Run(WriteQueuedAsync);
    }

    /// <summary>Queues the records (accessed at <paramref name="at"/>) and returns once they are committed.</summary>
    /// <exception cref="ChannelClosedException">The writer has been disposed.</exception>
    public async Task WriteAsync(IReadOnlyList<AccessRecord> records, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var pending = new Pending(records, at);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        await pending.Committed.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Stops taking records and writes those already queued.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _writing;
    }

    private async Task WriteQueuedAsync()
    {
        var batch = new List<Pending>();
        var rows = new List<(AccessRecord Record, DateTimeOffset At)>();
        while (await _queue.Reader.WaitToReadAsync())
        {
            while (rows.Count < MaxBatchRows && _queue.Reader.TryPeek(out var next) && (rows.Count == 0 || rows.Count + next.Records.Count <= MaxBatchRows))
            {
                _queue.Reader.TryRead(out _);
                batch.Add(next);
                rows.AddRange(next.Records.Select(record => (record, next.At)));
            }

            try
            {
                // Not cancelled with any one request: the others in the batch wait for it.
                await AccessAudit.InsertAsync(_dataSource, rows, CancellationToken.None);
                batch.ForEach(pending => pending.Committed.TrySetResult());
            }
            catch (Exception e)
            {
                // Whatever went wrong, the waiting requests fail rather than wait for ever or return unlogged data.
                LogWriteFailed(_logger, e, rows.Count, batch.Count);
                batch.ForEach(pending => pending.Committed.TrySetException(e));
            }

            batch.Clear();
            rows.Clear();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing {Rows} access records for {Requests} requests failed; those requests fail")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, int rows, int requests);

    private sealed record Pending(IReadOnlyList<AccessRecord> Records, DateTimeOffset At)
    {
        // Continuations run on the thread pool, not in the writer's loop.
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
