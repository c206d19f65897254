namespace YoungCarers.EventStore.Streams;

/// <summary>An event to append.</summary>
/// <param name="Type">The stored, versioned type name (e.g. <c>adult.referral.received.v1</c>), never a CLR name.</param>
/// <param name="Data">The payload as JSON text.</param>
/// <param name="OccurredAt">When it happened in the source system; time travel (as-of) reads use this.</param>
/// <param name="Source">The publishing system: with <paramref name="SourceEventId"/>, the idempotency key.</param>
/// <param name="SourceEventId">The id the publishing system gave the event, unique per source.</param>
/// <param name="Metadata">Correlation and causation ids and any other headers.</param>
public sealed record NewEvent(
    string Type,
    string Data,
    DateTimeOffset OccurredAt,
    string Source,
    string SourceEventId,
    EventMetadata? Metadata = null);

/// <summary>Tracing and provenance stored with each event as JSONB.</summary>
public sealed record EventMetadata(string? CorrelationId = null, string? CausationId = null)
{
    public static EventMetadata Empty { get; } = new();

    /// <summary>How the event arrived: http, kafka, file or the service itself.</summary>
    public string? Channel { get; init; }

    /// <summary>The CloudEvents subject, if the publisher gave one.</summary>
    public string? Subject { get; init; }

    /// <summary>The type as published, when it was a later version upcast to the stored type.</summary>
    public string? PublishedType { get; init; }
}
