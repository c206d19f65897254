using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace YoungCarers.Ingest.Kafka.Tests;

public sealed class KafkaIngestRegistrationTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Without_bootstrap_servers_nothing_is_registered(string? bootstrapServers)
    {
        var services = new ServiceCollection();

        services.AddKafkaIngest(Configuration(new() { ["Kafka:BootstrapServers"] = bootstrapServers, ["Kafka:Topics:0"] = "events" }));

        Assert.Empty(services);
    }

    [Fact]
    public void With_bootstrap_servers_the_consumer_is_hosted_and_every_option_bound()
    {
        var services = new ServiceCollection();

        services.AddKafkaIngest(Configuration(new()
        {
            ["Kafka:BootstrapServers"] = "kafka-1:9093,kafka-2:9093",
            ["Kafka:Topics:0"] = "las.events",
            ["Kafka:Topics:1"] = "lcs.events",
            ["Kafka:MaxBatch"] = "250",
            ["Kafka:MaxBatchWait"] = "00:00:00.5",
            ["Kafka:Settings:security.protocol"] = "SASL_SSL",
            ["Kafka:Settings:sasl.mechanism"] = "SCRAM-SHA-512",
        }));

        Assert.Contains(services, s => s.ServiceType == typeof(IHostedService) && s.ImplementationType == typeof(KafkaIngestConsumer));
        var options = services.BuildServiceProvider().GetRequiredService<IOptions<KafkaIngestOptions>>().Value;
        Assert.Equal("kafka-1:9093,kafka-2:9093", options.BootstrapServers);
        Assert.Equal("youngcarers-ingest", options.GroupId);
        Assert.Equal(["las.events", "lcs.events"], options.Topics);
        Assert.Equal((250, TimeSpan.FromMilliseconds(500)), (options.MaxBatch, options.MaxBatchWait));
        Assert.Equal("SASL_SSL", options.Settings["security.protocol"]);
        Assert.Equal("SCRAM-SHA-512", options.Settings["sasl.mechanism"]);
    }

    [Fact]
    public void Bootstrap_servers_without_topics_fail_validation()
    {
        var services = new ServiceCollection();
        services.AddKafkaIngest(Configuration(new() { ["Kafka:BootstrapServers"] = "kafka-1:9093" }));

        var error = Assert.Throws<OptionsValidationException>(() => services.BuildServiceProvider().GetRequiredService<IOptions<KafkaIngestOptions>>().Value);

        Assert.Contains("Kafka:Topics", error.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();
}
