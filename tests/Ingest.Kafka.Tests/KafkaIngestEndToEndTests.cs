using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Xunit.Abstractions;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Testing;

namespace YoungCarers.Ingest.Kafka.Tests;

/// <summary>The hosted consumer, wired as the service wires it, over the real pipeline and PostgreSQL.</summary>
public sealed class KafkaIngestEndToEndTests(MockKafkaCluster cluster, DatabaseFixture database, ITestOutputHelper output)
    : IClassFixture<MockKafkaCluster>, IClassFixture<DatabaseFixture>
{
    private const int Partitions = 6;

    [Fact]
    public async Task Ten_thousand_events_over_six_partitions_are_each_stored_exactly_once_and_poison_records_quarantined()
    {
        var topic = cluster.CreateTopic(Partitions);
        var events = new Identifications(10_000);
        // Ahead of valid records in their partitions: a poison record must not hold its partition up.
        (string? Key, byte[]? Value)[] poison =
        [
            ("poison-1", null),
            ("poison-2", Encoding.UTF8.GetBytes("{ not json")),
            ("poison-3", Encoding.UTF8.GetBytes(Envelopes.Identified("poison-3", Envelopes.Child("poison-3", nhs: "9434765918")))),
        ];
        var produced = await cluster.ProduceAsync(topic, poison.Concat(events.Messages));
        var ends = MockKafkaCluster.Ends(produced);
        const string Group = "youngcarers-ingest-e2e";
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

        var started = Stopwatch.StartNew();
        await host.StartAsync();
        await offsets.WaitForAsync(topic, ends, TimeSpan.FromMinutes(5));
        output.WriteLine($"Consumed and committed {events.Records.Count} events in {started.Elapsed.TotalSeconds:F1} s.");
        await host.StopAsync();

        await events.AssertStoredExactlyOnceAsync(database.DataSource);
        var quarantined = (await new QuarantineStore(database.DataSource).ListOpenAsync(0, 100)).OrderBy(q => q.Origin["key"], StringComparer.Ordinal).ToList();
        Assert.Equal(
            produced.Take(poison.Length).Select(p => (topic, p.Partition.Value.ToString(CultureInfo.InvariantCulture), p.Offset.Value.ToString(CultureInfo.InvariantCulture))),
            quarantined.Select(q => (q.Origin["topic"], q.Origin["partition"], q.Origin["offset"])));
        Assert.All(quarantined, q => Assert.Equal((KafkaIngestConsumer.Channel, 1), (q.Channel, q.Deliveries)));
        Assert.Equal(["poison-1", "poison-2", "poison-3"], quarantined.Select(q => q.Origin["key"]));
    }
}
