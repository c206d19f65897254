namespace YoungCarers.Ingest.Kafka;

/// <summary>The <c>Kafka</c> configuration section.</summary>
public sealed class KafkaIngestOptions
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated host:port list; when empty, Kafka ingest is off.</summary>
    public string BootstrapServers { get; set; } = "";

    public string GroupId { get; set; } = "youngcarers-ingest";

    /// <summary>The topics to consume; each record value is one CloudEvents envelope.</summary>
    public IList<string> Topics { get; } = [];

    /// <summary>The most records handed to the pipeline at once.</summary>
    public int MaxBatch { get; set; } = 500;

    /// <summary>How long a batch waits to fill after its first record before it is ingested anyway.</summary>
    public TimeSpan MaxBatchWait { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The first wait before retrying a batch the pipeline failed; it doubles up to <see cref="MaxRetryBackoff"/>.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Further librdkafka settings passed through as they are, e.g. <c>security.protocol</c>,
    /// <c>sasl.mechanism</c>, <c>sasl.username</c>, <c>ssl.ca.location</c>. The settings that make
    /// delivery at-least-once (manual commits) cannot be overridden.
    /// </summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);
}
