using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace YoungCarers.Ingest.Kafka;

public static class KafkaIngestRegistration
{
    /// <summary>
    /// The Kafka consumer, bound to the <c>Kafka</c> section, when <c>Kafka:BootstrapServers</c> is
    /// set; otherwise nothing, and the service runs without Kafka. Needs the ingest pipeline registered.
    /// </summary>
    public static IServiceCollection AddKafkaIngest(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(KafkaIngestOptions.SectionName);
        if (string.IsNullOrWhiteSpace(section[nameof(KafkaIngestOptions.BootstrapServers)]))
        {
            return services;
        }

        services.AddOptions<KafkaIngestOptions>()
            .Bind(section)
            .Validate(o => o.Topics.Count > 0 && o.Topics.All(t => !string.IsNullOrWhiteSpace(t)), "Kafka:Topics must name at least one topic.")
            .Validate(o => o.MaxBatch > 0, "Kafka:MaxBatch must be positive.")
            .Validate(o => o.MaxBatchWait > TimeSpan.Zero, "Kafka:MaxBatchWait must be positive.")
            .Validate(o => o.RetryBackoff > TimeSpan.Zero && o.MaxRetryBackoff >= o.RetryBackoff, "Kafka:RetryBackoff must be positive and at most Kafka:MaxRetryBackoff.")
            .ValidateOnStart();
        services.AddHostedService<KafkaIngestConsumer>();
        return services;
    }
}
