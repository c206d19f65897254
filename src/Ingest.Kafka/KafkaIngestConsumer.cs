using System.Diagnostics;
using System.Globalization;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;

namespace YoungCarers.Ingest.Kafka;

/// <summary>
/// A consumer group member that hands the records of its partitions to the ingest pipeline in
/// batches. Delivery is at-least-once: a batch's offsets are committed only after the pipeline has
/// returned (every record stored or quarantined), and a batch the pipeline fails is retried, never
/// skipped. Records delivered again after a crash or a rebalance carry the same source and id, so
/// the pipeline ignores them as duplicates.
/// </summary>
public sealed partial class KafkaIngestConsumer(
    IIngestPipeline pipeline,
    IOptions<KafkaIngestOptions> options,
    ILogger<KafkaIngestConsumer> logger) : BackgroundService
{
    /// <summary>The <see cref="Arrival.Channel"/> of records from Kafka; the origin has topic, partition, offset and key.</summary>
    public const string Channel = "kafka";

    // How long an idle consumer waits for a record before it looks at the stopping token again.
    private static readonly TimeSpan IdlePoll = TimeSpan.FromMilliseconds(250);

    private readonly KafkaIngestOptions _options = options.Value;

    // Only touched on the consuming thread: librdkafka runs the rebalance handlers inside Consume and Close.
    private readonly List<ConsumeResult<byte[]?, byte[]?>> _batch = [];
    private readonly Dictionary<TopicPartition, Offset> _uncommitted = [];

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // A missing librdkafka fails the host's start with the install hint, not a background task later.
        KafkaNative.EnsureLoaded();
        return base.StartAsync(cancellationToken);
    }

    // Consume blocks, so the loop has a thread of its own rather than holding one of the pool's.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        using var consumer = Build();
        consumer.Subscribe(_options.Topics);
        LogStarted(_options.GroupId, _options.Topics);
        try
        {
            while (true)
            {
                Fill(consumer, stoppingToken);
                if (_batch.Count == 0)
                {
                    continue;
                }

                IngestAsync(_batch, stoppingToken).GetAwaiter().GetResult();
                foreach (var record in _batch)
                {
                    _uncommitted[record.TopicPartition] = record.Offset + 1;
                }

                _batch.Clear();
                Commit(consumer, [.. _uncommitted.Keys]);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogStopping();
        }
        finally
        {
            // Close runs the revocation handler, which commits what was stored, then leaves the group
            // so the partitions move to another member at once rather than after the session timeout.
            consumer.Close();
        }
    }

    private IConsumer<byte[]?, byte[]?> Build()
    {
        // A new group starts at the beginning of its topics, so nothing published before the first start is missed.
        var settings = new Dictionary<string, string>(StringComparer.Ordinal) { ["auto.offset.reset"] = "earliest" };
        foreach (var (key, value) in _options.Settings)
        {
            settings[key] = value;
        }

        var config = new ConsumerConfig(settings)
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
        };
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetPartitionsAssignedHandler((_, partitions) => LogAssigned(partitions))
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .SetErrorHandler((_, error) => LogKafkaError(error.Code, error.Reason))
            .SetLogHandler((_, message) => LogLibrdkafka(message))
            .Build();
    }

    /// <summary>Collects up to MaxBatch records, waiting as long as it takes for the first and at most MaxBatchWait more for the rest.</summary>
    private void Fill(IConsumer<byte[]?, byte[]?> consumer, CancellationToken stoppingToken)
    {
        var firstAt = 0L;
        while (_batch.Count < _options.MaxBatch)
        {
            stoppingToken.ThrowIfCancellationRequested();
            var wait = _batch.Count == 0 ? IdlePoll : _options.MaxBatchWait - Stopwatch.GetElapsedTime(firstAt);
            if (wait <= TimeSpan.Zero)
            {
                return;
            }

            var record = Consume(consumer, wait);
            if (record is null || record.IsPartitionEOF)
            {
                continue;
            }

            // A revocation inside Consume may have emptied the batch, so its clock starts again.
            if (_batch.Count == 0)
            {
                firstAt = Stopwatch.GetTimestamp();
            }

            _batch.Add(record);
        }
    }

    private ConsumeResult<byte[]?, byte[]?>? Consume(IConsumer<byte[]?, byte[]?> consumer, TimeSpan wait)
    {
        try
        {
            return consumer.Consume(wait);
        }
        catch (ConsumeException e) when (!e.Error.IsFatal)
        {
            // Broker-side and transient (librdkafka retries by itself); a fatal error stops the service.
            LogConsumeError(e.Error.Code, e.Error.Reason);
            return null;
        }
    }

    /// <summary>
    /// Hands the batch to the pipeline until it succeeds. Stopping cancels it instead: a batch not
    /// stored is not committed either, so it is delivered again after the restart.
    /// </summary>
    private async Task IngestAsync(List<ConsumeResult<byte[]?, byte[]?>> records, CancellationToken stoppingToken)
    {
        var payloads = records.Select(ToPayload).ToList();
        var backoff = _options.RetryBackoff;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var results = await pipeline.IngestAsync(payloads, stoppingToken);
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    var quarantined = results.Count(r => r is QuarantinedResult);
                    LogIngested(results.Count, quarantined);
                }

                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The same batch again, however long it takes: moving on would lose it. An outage longer
                // than max.poll.interval.ms costs this member its partitions; its commit then fails and
                // the new owner's redelivery of the batch is ignored as duplicates.
                LogIngestFailed(e, records.Count, attempt, backoff);
                await Task.Delay(backoff, stoppingToken);
                backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxRetryBackoff.Ticks));
            }
        }
    }

    private static InboundPayload ToPayload(ConsumeResult<byte[]?, byte[]?> record)
    {
        var origin = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["topic"] = record.Topic,
            ["partition"] = record.Partition.Value.ToString(CultureInfo.InvariantCulture),
            ["offset"] = record.Offset.Value.ToString(CultureInfo.InvariantCulture),
        };
        if (record.Message.Key is { } key)
        {
            origin["key"] = Encoding.UTF8.GetString(key);
        }

        // A tombstone (null value) is handed over too: the pipeline quarantines it like any payload that is not an envelope.
        return new InboundPayload(record.Message.Value ?? [], new Arrival(Channel, origin));
    }

    /// <summary>Commits the stored offsets of these partitions; on failure they are kept and tried again at the next commit.</summary>
    private void Commit(IConsumer<byte[]?, byte[]?> consumer, IEnumerable<TopicPartition> partitions)
    {
        var offsets = partitions
            .Where(_uncommitted.ContainsKey)
            .Select(partition => new TopicPartitionOffset(partition, _uncommitted[partition]))
            .ToList();
        if (offsets.Count == 0)
        {
            return;
        }

        try
        {
            consumer.Commit(offsets);
            foreach (var offset in offsets)
            {
                _uncommitted.Remove(offset.TopicPartition);
            }
        }
        catch (KafkaException e)
        {
            LogCommitFailed(e, offsets);
        }
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> revoked)
    {
        var partitions = revoked.Select(p => p.TopicPartition).ToHashSet();
        LogRevoked(partitions);
        Commit(consumer, partitions);
        Forget(partitions);
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> lost)
    {
        // Another member may own these already: committing for them could move its offsets back.
        var partitions = lost.Select(p => p.TopicPartition).ToHashSet();
        LogLost(partitions);
        Forget(partitions);
    }

    /// <summary>
    /// Drops what this member holds for partitions it no longer owns: records not yet ingested are
    /// fetched again by the next owner from the last committed offset.
    /// </summary>
    private void Forget(HashSet<TopicPartition> partitions)
    {
        _batch.RemoveAll(record => partitions.Contains(record.TopicPartition));
        foreach (var partition in partitions)
        {
            _uncommitted.Remove(partition);
        }
    }

    private void LogLibrdkafka(LogMessage message)
    {
        var level = (LogLevel)message.LevelAs(LogLevelType.MicrosoftExtensionsLogging);
        if (logger.IsEnabled(level))
        {
            LogLibrdkafka(level, message.Facility, message.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka ingest consuming {Topics} in group {GroupId}")]
    private partial void LogStarted(string groupId, IList<string> topics);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka ingest stopping: committing what was stored and leaving the group")]
    private partial void LogStopping();

    [LoggerMessage(Level = LogLevel.Information, Message = "Assigned Kafka partitions {Partitions}")]
    private partial void LogAssigned(IEnumerable<TopicPartition> partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Revoked Kafka partitions {Partitions}")]
    private partial void LogRevoked(IEnumerable<TopicPartition> partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost Kafka partitions {Partitions}; their uncommitted records will be delivered again")]
    private partial void LogLost(IEnumerable<TopicPartition> partitions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Ingested {Count} Kafka records ({Quarantined} quarantined)")]
    private partial void LogIngested(int count, int quarantined);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingesting {Count} Kafka records failed (attempt {Attempt}); retrying the same batch in {Backoff}")]
    private partial void LogIngestFailed(Exception exception, int count, int attempt, TimeSpan backoff);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing Kafka offsets {Offsets} failed; they are retried with the next commit")]
    private partial void LogCommitFailed(Exception exception, IEnumerable<TopicPartitionOffset> offsets);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka consume error {Code}: {Reason}")]
    private partial void LogConsumeError(ErrorCode code, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client error {Code}: {Reason}")]
    private partial void LogKafkaError(ErrorCode code, string reason);

    [LoggerMessage(Message = "librdkafka {Facility}: {Text}")]
    private partial void LogLibrdkafka(LogLevel level, string facility, string text);
}
