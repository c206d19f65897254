using Npgsql;
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

    /// <summary>
    /// Does the part of <see cref="IngestAsync(IReadOnlyList{InboundPayload}, CancellationToken)"/>
    /// that needs no database (validation), so that a caller with batches queued up (file replay)
    /// can run it for the next batch while the previous one is being stored. Nothing is stored or
    /// acknowledged until the result is passed to <see cref="IngestPreparedAsync(PreparedPayloads, CancellationToken)"/>.
    /// </summary>
    PreparedPayloads Prepare(IReadOnlyList<InboundPayload> payloads) => new(payloads);

    /// <summary>
    /// Splits prepared payloads into groups that name no common person and carry no common event,
    /// and places them in lanes with <paramref name="planner"/>, so that lanes can store side by
    /// side, each in the order given, without waiting for each other's locks. A pipeline that
    /// cannot tell puts the whole read in one lane, after every lane's earlier reads.
    /// </summary>
    LanePlan Partition(PreparedPayloads prepared, LanePlanner planner)
    {
        ArgumentNullException.ThrowIfNull(planner);
        return planner.Whole(prepared);
    }

    /// <summary>As <see cref="IngestAsync(IReadOnlyList{InboundPayload}, CancellationToken)"/>, for payloads <see cref="Prepare"/> has validated.</summary>
    Task<IReadOnlyList<IngestResult>> IngestPreparedAsync(PreparedPayloads prepared, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return IngestAsync(prepared.Payloads, cancellationToken);
    }

    /// <summary>
    /// As <see cref="IngestPreparedAsync(PreparedPayloads, CancellationToken)"/>, and records
    /// <paramref name="acknowledgement"/> (a replay checkpoint) once the payloads are durable: a
    /// pipeline that can writes it in the very transaction that stores them, which saves a commit.
    /// </summary>
    async Task<IReadOnlyList<IngestResult>> IngestPreparedAsync(
        PreparedPayloads prepared, IIngestAcknowledgement acknowledgement, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        var results = await IngestPreparedAsync(prepared, cancellationToken);
        await acknowledgement.SaveAsync(cancellationToken);
        return results;
    }
}

/// <summary>What a caller records once a batch is durable, such as how far a file replay got.</summary>
public interface IIngestAcknowledgement
{
    /// <summary>Commands that record it, to run in the transaction that stores the batch (new ones on every call).</summary>
    IReadOnlyList<NpgsqlBatchCommand> Commands();

    /// <summary>Records it in a transaction of its own, after the batch is durable.</summary>
    Task SaveAsync(CancellationToken cancellationToken);
}

/// <summary>Payloads validated ahead of being stored (see <see cref="IIngestPipeline.Prepare"/>).</summary>
public sealed class PreparedPayloads
{
    internal PreparedPayloads(IReadOnlyList<InboundPayload> payloads, object? state = null)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        Payloads = payloads;
        State = state;
    }

    public IReadOnlyList<InboundPayload> Payloads { get; }

    /// <summary>What the pipeline that prepared them worked out; null when there is nothing to reuse.</summary>
    internal object? State { get; }
}
