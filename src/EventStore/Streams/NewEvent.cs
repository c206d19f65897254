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

/// <summary>Tracing context stored with each event as JSONB.</summary>
public sealed record EventMetadata(string? CorrelationId = null, string? CausationId = null)
{
    public static EventMetadata Empty { get; } = new();
}
