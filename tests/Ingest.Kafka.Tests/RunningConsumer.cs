using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Ingest.Kafka.Tests;

/// <summary>A started <see cref="KafkaIngestConsumer"/>, stopped gracefully when disposed.</summary>
public sealed class RunningConsumer : IAsyncDisposable
{
    private readonly KafkaIngestConsumer _consumer;
    private bool _stopped;

    private RunningConsumer(KafkaIngestConsumer consumer) => _consumer = consumer;

    public static async Task<RunningConsumer> StartAsync(IIngestPipeline pipeline, KafkaIngestOptions options)
    {
        var consumer = new KafkaIngestConsumer(pipeline, Options.Create(options), NullLogger<KafkaIngestConsumer>.Instance);
        await consumer.StartAsync(CancellationToken.None);
        return new RunningConsumer(consumer);
    }

    /// <summary>Options for tests: small batches and short waits, in a group of its own unless one is given.</summary>
    public static KafkaIngestOptions TestOptions(MockKafkaCluster cluster, string topic, int maxBatch = 100, string? groupId = null)
    {
        var options = new KafkaIngestOptions
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = groupId ?? $"group-{Guid.NewGuid():N}",
            MaxBatch = maxBatch,
            MaxBatchWait = TimeSpan.FromMilliseconds(100),
            RetryBackoff = TimeSpan.FromMilliseconds(50),
            MaxRetryBackoff = TimeSpan.FromMilliseconds(200),
        };
        options.Topics.Add(topic);
        // The mock coordinator waits this long, less a second, for members to join a rebalance.
        options.Settings["session.timeout.ms"] = "6000";
        options.Settings["heartbeat.interval.ms"] = "500";
        return options;
    }

    /// <summary>Stops the consumer as the host would: the batch in hand finishes or is abandoned, stored offsets are committed, the group is left.</summary>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await _consumer.StopAsync(CancellationToken.None);
            _consumer.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
