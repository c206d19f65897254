using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;

namespace YoungCarers.Domain.Family;

/// <summary>An event as obligations and flags cite it: the publishing system and its id there.</summary>
public sealed record EventRef(string Source, string EventId);

/// <summary>
/// One event of a family's stream as the projection sees it: an inbound event from a case system or
/// partner, or one of the service's own family events, with its envelope and stream position.
/// </summary>
/// <param name="Payload">An <see cref="IInboundEvent"/> or an <see cref="IFamilyEvent"/>.</param>
/// <param name="OccurredAt">The CloudEvents <c>time</c>: when it happened in the source system.</param>
/// <param name="RecordedAt">When the service stored it.</param>
public sealed record FamilyFact(
    object Payload,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt,
    string Source,
    string SourceEventId,
    string StreamId,
    long StreamVersion)
{
    // Anything else could never be evolved, so it is refused where it is made rather than replayed.
    public object Payload { get; } = Payload is IInboundEvent or IFamilyEvent
        ? Payload
        : throw new ArgumentException($"{Payload?.GetType().Name ?? "null"} is neither an inbound nor a family event.", nameof(Payload));

    public EventRef Ref => new(Source, SourceEventId);
}
