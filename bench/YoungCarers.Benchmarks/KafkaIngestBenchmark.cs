using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest;
using YoungCarers.Ingest.Kafka;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Replay;
using YoungCarers.KafkaMock;

namespace YoungCarers.Benchmarks;

/// <param name="StoredEvents">Events from the records (not the service's own merge events).</param>
internal sealed record KafkaIngestResult(int Partitions, long Records, TimeSpan Elapsed, long StoredEvents, long Quarantined)
{
    public double EventsPerSecond => Records / Elapsed.TotalSeconds;
}

/// <summary>
/// Kafka ingest as the service runs it (the hosted consumer, the same pipeline) against librdkafka's
/// mock cluster: the first events of the replayed file are produced to a topic first (not timed),
/// then the clock runs from the consumer's start until the group has committed every offset.
/// </summary>
internal static class KafkaIngestBenchmark
{
    // librdkafka's mock broker keeps about 5 MB per partition and drops older records (as retention
    // would): the topic gets enough partitions that nothing produced is dropped before it is consumed.
    private const int MinimumPartitions = 6;
    private const long BytesPerPartition = 1024 * 1024;
    private const string Group = "youngcarers-bench";

    public static async Task<KafkaIngestResult> RunAsync(NpgsqlDataSource server, string file, int events, CancellationToken cancellationToken)
    {
        await using var database = await BenchmarkDatabase.CreateBesideAsync(server, cancellationToken, typeof(IngestPipeline).Assembly);
        using var cluster = new MockKafkaCluster();
        var records = await ReadRecordsAsync(file, events, cancellationToken);
        var partitions = (int)Math.Max(MinimumPartitions, (records.Sum(r => (long)(r.Value?.Length ?? 0)) / BytesPerPartition) + 1);
        var topic = cluster.CreateTopic(partitions);
        var produced = await cluster.ProduceAsync(topic, records);
        var ends = MockKafkaCluster.Ends(produced);
        using var offsets = cluster.WatchGroup(Group);

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Kafka:GroupId"] = Group,
            ["Kafka:Topics:0"] = topic,
        });
        builder.Services.AddSingleton(database.DataSource);
        builder.Services.AddSingleton<PostgresEventStore>();
        builder.Services.AddIngest();
        builder.Services.AddKafkaIngest(builder.Configuration);
        using var host = builder.Build();

        var started = Stopwatch.GetTimestamp();
        await host.StartAsync(cancellationToken);
        await offsets.WaitForAsync(topic, ends, TimeSpan.FromHours(2));
        var elapsed = Stopwatch.GetElapsedTime(started);
        await host.StopAsync(CancellationToken.None);

        await using var command = database.DataSource.CreateCommand("SELECT (SELECT count(*) FROM events WHERE source <> @identity), (SELECT count(*) FROM quarantine)");
        command.Parameters.AddWithValue("identity", IngestPipeline.IdentitySource);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new KafkaIngestResult(partitions, produced.Count, elapsed, reader.GetInt64(0), reader.GetInt64(1));
    }

    /// <summary>Records keyed as the SPEC asks (the subject, naming the person in the source system), else unkeyed.</summary>
    private static async Task<List<(string? Key, byte[]? Value)>> ReadRecordsAsync(string file, int events, CancellationToken cancellationToken)
    {
        var records = new List<(string? Key, byte[]? Value)>(events);
        await using var stream = File.OpenRead(file);
        await using var reader = new NdjsonBatchReader(stream, 0, 0, 1_000);
        while (records.Count < events && await reader.ReadBatchAsync(cancellationToken) is { } batch)
        {
            using (batch)
            {
                foreach (var line in batch.Lines.Take(events - records.Count))
                {
                    var value = line.Bytes.ToArray();
                    records.Add((SubjectOf(value), value));
                }
            }
        }

        return records;
    }

    private static string? SubjectOf(byte[] json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("subject", out var subject)
                && subject.ValueKind == JsonValueKind.String
                ? subject.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
