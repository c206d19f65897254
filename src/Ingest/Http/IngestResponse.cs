using YoungCarers.Domain.Contract;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Ingest.Http;

/// <summary>What became of each submitted event, in submission order, with totals.</summary>
public sealed record IngestResponse(int Accepted, int Duplicates, int Quarantined, IReadOnlyList<IngestEventResult> Results)
{
    public static IngestResponse From(IReadOnlyList<IngestResult> results)
    {
        var items = results.Select((result, index) => result switch
        {
            AcceptedResult a => new IngestEventResult(index, "accepted", a.Source, a.SourceEventId, a.FamilyId, a.StreamVersion, null, null),
            DuplicateResult d => new IngestEventResult(index, "duplicate", d.Source, d.SourceEventId, d.FamilyId, null, null, null),
            QuarantinedResult q => new IngestEventResult(index, "quarantined", q.Source, q.SourceEventId, null, null, q.QuarantineId, q.Reasons),
            _ => throw new InvalidOperationException($"Unexpected ingest result {result.GetType().Name}."),
        }).ToList();
        return new IngestResponse(
            items.Count(i => i.Status == "accepted"),
            items.Count(i => i.Status == "duplicate"),
            items.Count(i => i.Status == "quarantined"),
            items);
    }
}

/// <param name="Status">accepted, duplicate or quarantined.</param>
/// <param name="FamilyId">The family stream that holds the event (accepted and duplicate).</param>
/// <param name="QuarantineId">Where the integration team finds it (quarantined).</param>
/// <param name="Errors">Each field and rule it broke (quarantined).</param>
public sealed record IngestEventResult(
    int Index,
    string Status,
    string? Source,
    string? Id,
    string? FamilyId,
    long? StreamVersion,
    long? QuarantineId,
    IReadOnlyList<ValidationError>? Errors);
