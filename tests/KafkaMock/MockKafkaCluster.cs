using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;
using YoungCarers.Ingest.Kafka;

namespace YoungCarers.KafkaMock;

/// <summary>
/// librdkafka's built-in mock cluster: brokers in this process that speak the real Kafka protocol
/// (produce, fetch, consumer groups, offset commits) on loopback TCP ports, so clients in other
/// processes can use it too, for as long as this object lives.
/// </summary>
public sealed partial class MockKafkaCluster : IDisposable
{
    private const int Brokers = 3;
    private const int ProducerClient = 0;

    // The librdkafka client that owns the cluster; it never connects anywhere itself.
    private readonly nint _owner;
    private readonly nint _cluster;

    public MockKafkaCluster()
    {
        KafkaNative.EnsureLoaded();
        var error = new byte[512];
        var config = rd_kafka_conf_new();
        // The owner has no bootstrap servers of its own: only its errors are worth printing.
        _ = rd_kafka_conf_set(config, "log_level", "3", error, error.Length);
        _owner = rd_kafka_new(ProducerClient, config, error, error.Length);
        if (_owner == 0)
        {
            throw new InvalidOperationException($"rd_kafka_new failed: {Encoding.UTF8.GetString(error).TrimEnd('\0')}");
        }

        _cluster = rd_kafka_mock_cluster_new(_owner, Brokers);
        if (_cluster == 0)
        {
            rd_kafka_destroy(_owner);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        // The string belongs to the cluster: copied, never freed here.
        BootstrapServers = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(_cluster))!;
    }

    /// <summary>host:port of every mock broker, for clients in this process or another.</summary>
    public string BootstrapServers { get; }

    /// <summary>A new topic; the mock's own auto-created topics would have its default partition count.</summary>
    public string CreateTopic(int partitions)
    {
        var topic = $"test-{Guid.NewGuid():N}";
        var error = rd_kafka_mock_topic_create(_cluster, topic, partitions, 1);
        return error == 0 ? topic : throw new InvalidOperationException($"rd_kafka_mock_topic_create failed with error {error}.");
    }

    /// <summary>Produces the records in order (per partition) and returns where each was written.</summary>
    public async Task<IReadOnlyList<TopicPartitionOffset>> ProduceAsync(string topic, IEnumerable<(string? Key, byte[]? Value)> records)
    {
        // Room for a whole benchmark's records: librdkafka's default queue holds 100,000 and then refuses.
        var config = new ProducerConfig
        {
            BootstrapServers = BootstrapServers,
            EnableIdempotence = true,
            LingerMs = 20,
            QueueBufferingMaxMessages = 10_000_000,
            QueueBufferingMaxKbytes = 2_097_151,
        };
        using var producer = new ProducerBuilder<string?, byte[]?>(config).Build();
        var deliveries = new List<Task<DeliveryResult<string?, byte[]?>>>();
        foreach (var (key, value) in records)
        {
            var delivered = new TaskCompletionSource<DeliveryResult<string?, byte[]?>>(TaskCreationOptions.RunContinuationsAsynchronously);
            producer.Produce(topic, new Message<string?, byte[]?> { Key = key, Value = value }, report =>
            {
                if (report.Error.IsError)
                {
                    delivered.SetException(new ProduceException<string?, byte[]?>(report.Error, report));
                }
                else
                {
                    delivered.SetResult(report);
                }
            });
            deliveries.Add(delivered.Task);
        }

        producer.Flush();
        return [.. (await Task.WhenAll(deliveries)).Select(d => d.TopicPartitionOffset)];
    }

    /// <summary>The next offset to consume in each partition (its end), as a committed offset would name it.</summary>
    public static Dictionary<int, long> Ends(IEnumerable<TopicPartitionOffset> produced) =>
        produced.GroupBy(p => p.Partition.Value).ToDictionary(g => g.Key, g => g.Max(p => p.Offset.Value) + 1);

    /// <summary>Reads a group's committed offsets without joining the group.</summary>
    public GroupOffsets WatchGroup(string groupId) => new(BootstrapServers, groupId);

    public void Dispose()
    {
        rd_kafka_mock_cluster_destroy(_cluster);
        rd_kafka_destroy(_owner);
    }

    private const string Library = KafkaNative.LibraryName;

    [LibraryImport(Library)]
    private static partial nint rd_kafka_conf_new();

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_conf_set(nint conf, string name, string value, [Out] byte[] errstr, nint errstrSize);

    [LibraryImport(Library)]
    private static partial nint rd_kafka_new(int type, nint conf, [Out] byte[] errstr, nint errstrSize);

    [LibraryImport(Library)]
    private static partial void rd_kafka_destroy(nint rk);

    [LibraryImport(Library)]
    private static partial nint rd_kafka_mock_cluster_new(nint rk, int brokerCount);

    [LibraryImport(Library)]
    private static partial nint rd_kafka_mock_cluster_bootstraps(nint cluster);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int rd_kafka_mock_topic_create(nint cluster, string topic, int partitionCount, int replicationFactor);

    [LibraryImport(Library)]
    private static partial void rd_kafka_mock_cluster_destroy(nint cluster);
}

/// <summary>A consumer that never subscribes: it only fetches a group's committed offsets.</summary>
public sealed class GroupOffsets(string bootstrapServers, string groupId) : IDisposable
{
    private readonly IConsumer<Ignore, Ignore> _consumer = new ConsumerBuilder<Ignore, Ignore>(
        new ConsumerConfig { BootstrapServers = bootstrapServers, GroupId = groupId, EnableAutoCommit = false }).Build();

    /// <summary>Committed offset per partition; partitions with none are left out.</summary>
    public Dictionary<int, long> Committed(string topic, IEnumerable<int> partitions) => _consumer
        .Committed(partitions.Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10))
        .Where(c => c.Offset != Offset.Unset)
        .ToDictionary(c => c.Partition.Value, c => c.Offset.Value);

    /// <summary>Waits until every partition's committed offset is at its end.</summary>
    public async Task WaitForAsync(string topic, IReadOnlyDictionary<int, long> ends, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var committed = Committed(topic, ends.Keys);
            if (ends.All(end => committed.TryGetValue(end.Key, out var offset) && offset == end.Value))
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Committed {Format(committed)}, expected {Format(ends)}.");
            }

            await Task.Delay(100);
        }
    }

    public void Dispose() => _consumer.Dispose();

    private static string Format(IEnumerable<KeyValuePair<int, long>> offsets) =>
        string.Join(", ", offsets.OrderBy(o => o.Key).Select(o => $"[{o.Key}]@{o.Value}"));
}
