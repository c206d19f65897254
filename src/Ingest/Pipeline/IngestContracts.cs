using YoungCarers.Domain.Contract;
using YoungCarers.Ingest.Quarantine;

namespace YoungCarers.Ingest.Pipeline;

/// <summary>One payload as it arrived (it should be one CloudEvents envelope), and how it arrived.</summary>
public sealed record InboundPayload(ReadOnlyMemory<byte> Payload, Arrival Arrival);

/// <summary>What became of one payload. Every payload gets exactly one.</summary>
public abstract record IngestResult(string? Source, string? SourceEventId);

/// <summary>Stored in <paramref name="FamilyId"/>'s stream at <paramref name="StreamVersion"/>.</summary>
public sealed record AcceptedResult(string Source, string SourceEventId, string FamilyId, long StreamVersion)
    : IngestResult(Source, SourceEventId);

/// <summary>Already stored (same source and id); nothing was written.</summary>
public sealed record DuplicateResult(string Source, string SourceEventId, string FamilyId)
    : IngestResult(Source, SourceEventId);

/// <summary>Failed validation; kept in quarantine with the reasons.</summary>
public sealed record QuarantinedResult(string? Source, string? SourceEventId, long QuarantineId, IReadOnlyList<ValidationError> Reasons)
    : IngestResult(Source, SourceEventId);

/// <summary>The one way in: HTTP, Kafka and file replay all call this.</summary>
public interface IIngestPipeline
{
    /// <summary>
    /// Validates, resolves families and durably stores the payloads (or quarantines them). When it
    /// returns, every result is durable, so a caller may acknowledge (commit a Kafka offset, record a
    /// replay checkpoint) only after it returns.
    /// </summary>
    Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<InboundPayload> payloads, CancellationToken cancellationToken = default);
}
