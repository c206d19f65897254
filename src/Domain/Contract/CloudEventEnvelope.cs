namespace YoungCarers.Domain.Contract;

/// <summary>The CloudEvents 1.0 attributes of an accepted event (extension attributes are not kept).</summary>
/// <param name="Source">The publishing system; with <paramref name="Id"/>, the idempotency key.</param>
/// <param name="Type">The type as published, which may be a later version than the one stored.</param>
/// <param name="Time">When it happened in the source system; rules use this, never arrival time.</param>
public sealed record CloudEventEnvelope(
    string SpecVersion,
    string Id,
    string Source,
    string Type,
    DateTimeOffset Time,
    string? Subject,
    string? DataContentType);
