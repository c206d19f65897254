using System.Text;
using YoungCarers.Testing;

namespace YoungCarers.Ingest.Kafka.Tests;

/// <summary>The consumer's delivery guarantees, against the mock cluster with a recording pipeline.</summary>
public sealed class KafkaIngestConsumerTests(MockKafkaCluster cluster) : IClassFixture<MockKafkaCluster>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Offsets_are_committed_only_after_the_pipeline_returns()
    {
        var topic = cluster.CreateTopic(partitions: 3);
        var ends = MockKafkaCluster.Ends(await cluster.ProduceAsync(topic, Records(300)));
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pipeline = new RecordingPipeline(async (call, _) =>
        {
            if (call == 1)
            {
                entered.SetResult();
                await release.Task;
            }
        });
        var options = RunningConsumer.TestOptions(cluster, topic, maxBatch: 1000);
        using var offsets = cluster.WatchGroup(options.GroupId);
        await using var consumer = await RunningConsumer.StartAsync(pipeline, options);

        await entered.Task.WaitAsync(Timeout);
        await Task.Delay(500);
        Assert.Empty(offsets.Committed(topic, ends.Keys));

        release.SetResult();
        await offsets.WaitForAsync(topic, ends, Timeout);
        Assert.Equal(Positions(ends), pipeline.Ingested.Select(RecordingPipeline.Position).Order());
    }

    [Fact]
    public async Task A_batch_the_pipeline_fails_is_retried_as_it_was_and_nothing_is_skipped()
    {
        var topic = cluster.CreateTopic(partitions: 3);
        var ends = MockKafkaCluster.Ends(await cluster.ProduceAsync(topic, Records(400)));
        var pipeline = new RecordingPipeline((call, _) =>
            call <= 3 ? throw new InvalidOperationException("The database is down.") : Task.CompletedTask);
        var options = RunningConsumer.TestOptions(cluster, topic, maxBatch: 50);
        using var offsets = cluster.WatchGroup(options.GroupId);
        await using var consumer = await RunningConsumer.StartAsync(pipeline, options);

        await offsets.WaitForAsync(topic, ends, Timeout);

        var calls = pipeline.Calls;
        Assert.Equal([false, false, false, true], calls.Take(4).Select(c => c.Succeeded));
        var first = calls[0].Payloads.Select(RecordingPipeline.Position).ToList();
        Assert.All(calls.Take(4), c => Assert.Equal(first, c.Payloads.Select(RecordingPipeline.Position)));
        Assert.Equal(Positions(ends), pipeline.Ingested.Select(RecordingPipeline.Position).Order());
    }

    [Fact]
    public async Task Null_empty_and_garbage_values_reach_the_pipeline_with_their_kafka_origin()
    {
        var topic = cluster.CreateTopic(partitions: 1);
        var envelope = Encoding.UTF8.GetBytes(Envelopes.Identified("kafka-origin", Envelopes.Child("c-origin")));
        (string? Key, byte[]? Value)[] records =
        [
            ("tombstone", null),
            ("empty", []),
            (null, Encoding.UTF8.GetBytes("not json at all")),
            ("c-origin", envelope),
        ];
        await cluster.ProduceAsync(topic, records);
        var pipeline = new RecordingPipeline();
        await using var consumer = await RunningConsumer.StartAsync(pipeline, RunningConsumer.TestOptions(cluster, topic));

        await pipeline.WaitForIngestedAsync(records.Length, Timeout);

        var ingested = pipeline.Ingested;
        Assert.Equal(records.Select(r => r.Value ?? []), ingested.Select(p => p.Payload.ToArray()));
        Assert.All(ingested, p => Assert.Equal(KafkaIngestConsumer.Channel, p.Arrival.Channel));
        Assert.Equal(
            new Dictionary<string, string> { ["topic"] = topic, ["partition"] = "0", ["offset"] = "3", ["key"] = "c-origin" },
            ingested[3].Arrival.Origin);
        Assert.False(ingested[2].Arrival.Origin.ContainsKey("key"));
    }

    [Fact]
    public async Task Stopping_commits_every_batch_the_pipeline_returned()
    {
        var topic = cluster.CreateTopic(partitions: 3);
        var ends = MockKafkaCluster.Ends(await cluster.ProduceAsync(topic, Records(3000)));
        var pipeline = new RecordingPipeline((_, cancellationToken) => Task.Delay(20, cancellationToken));
        var options = RunningConsumer.TestOptions(cluster, topic, maxBatch: 20);
        using var offsets = cluster.WatchGroup(options.GroupId);
        var consumer = await RunningConsumer.StartAsync(pipeline, options);

        await pipeline.WaitForIngestedAsync(200, Timeout);
        await consumer.StopAsync();

        var ingested = pipeline.Ingested.Select(RecordingPipeline.Position).ToList();
        Assert.True(ingested.Count < 3000, "The consumer finished before it was stopped.");
        var expected = ingested.GroupBy(p => p.Partition).ToDictionary(g => g.Key, g => g.Max(p => p.Offset) + 1);
        Assert.Equal(expected.OrderBy(e => e.Key), offsets.Committed(topic, ends.Keys).OrderBy(c => c.Key));
    }

    [Fact]
    public async Task Partitions_moving_between_members_lose_no_record()
    {
        var topic = cluster.CreateTopic(partitions: 6);
        var ends = MockKafkaCluster.Ends(await cluster.ProduceAsync(topic, Records(3000)));
        var pipeline = new RecordingPipeline((_, cancellationToken) => Task.Delay(10, cancellationToken));
        var options = RunningConsumer.TestOptions(cluster, topic, maxBatch: 20);
        using var offsets = cluster.WatchGroup(options.GroupId);

        // The second member's arrival takes partitions from the first; the first's departure hands them all back.
        var first = await RunningConsumer.StartAsync(pipeline, options);
        await pipeline.WaitForIngestedAsync(300, Timeout);
        await using var second = await RunningConsumer.StartAsync(pipeline, options);
        await pipeline.WaitForIngestedAsync(1200, Timeout);
        await first.StopAsync();
        await offsets.WaitForAsync(topic, ends, Timeout);

        Assert.Equal(Positions(ends), pipeline.Ingested.Select(RecordingPipeline.Position).Distinct().Order());
    }

    private static IEnumerable<(string? Key, byte[]? Value)> Records(int count) =>
        Enumerable.Range(0, count).Select(i => ((string?)$"person-{i % 97}", (byte[]?)Encoding.UTF8.GetBytes($"record {i}")));

    private static IEnumerable<(int Partition, long Offset)> Positions(IReadOnlyDictionary<int, long> ends) =>
        ends.SelectMany(e => Enumerable.Range(0, (int)e.Value).Select(offset => (e.Key, (long)offset))).Order();
}
