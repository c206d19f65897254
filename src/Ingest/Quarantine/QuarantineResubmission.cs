using Npgsql;
using YoungCarers.Domain.Contract;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Ingest.Quarantine;

/// <summary>The outcome of resubmitting a quarantined event.</summary>
public abstract record ResubmissionOutcome;

/// <summary>No open entry has that id.</summary>
public sealed record ResubmissionNotFound : ResubmissionOutcome;

/// <summary>Accepted (or found already stored): the entry is resolved with <paramref name="Resolution"/>.</summary>
public sealed record ResubmissionAccepted(IngestResult Result, QuarantineResolution Resolution) : ResubmissionOutcome;

/// <summary>Still invalid: the entry stays open with these reasons.</summary>
public sealed record ResubmissionRejected(IReadOnlyList<ValidationError> Errors) : ResubmissionOutcome;

/// <summary>The entry is no longer at the version the caller based the resubmission on; nothing was changed.</summary>
public sealed record ResubmissionStale(long RowVersion) : ResubmissionOutcome;

/// <summary>
/// Puts a quarantined event (as stored, or as corrected by the integration team) through the
/// pipeline again; on success the entry is closed with a pointer to where the event now is.
/// </summary>
public sealed class QuarantineResubmission(QuarantineStore quarantine, IIngestPipeline pipeline, TimeProvider clock)
{
    public async Task<ResubmissionOutcome> ResubmitAsync(long quarantineId, ReadOnlyMemory<byte>? corrected, string by, CancellationToken cancellationToken = default)
    {
        var entry = await quarantine.GetAsync(quarantineId, cancellationToken);
        if (entry is not { Status: "open" })
        {
            return new ResubmissionNotFound();
        }

        // Unconditional: an entry resolved meanwhile by someone else stays as they left it.
        return (await ResubmitAsync(entry, corrected,
            async errors =>
            {
                await quarantine.RecordFailedResubmissionAsync(quarantineId, errors, cancellationToken);
                return true;
            },
            async resolution =>
            {
                await quarantine.ResolveAsync(quarantineId, by, resolution, cancellationToken);
                return true;
            },
            cancellationToken))!;
    }

    /// <summary>
    /// As <see cref="ResubmitAsync(long, ReadOnlyMemory{byte}?, string, CancellationToken)"/>, only if
    /// the entry is at <paramref name="expectedRowVersion"/>, recording the outcome on the entry in the
    /// caller's transaction (the event itself is stored by the pipeline, idempotently, so running this
    /// again after a crash before that transaction commits stores nothing twice).
    /// </summary>
    public async Task<ResubmissionOutcome> ResubmitAsync(
        NpgsqlTransaction transaction, long quarantineId, long expectedRowVersion, ReadOnlyMemory<byte>? corrected, string by, CancellationToken cancellationToken = default)
    {
        var entry = await QuarantineStore.GetAsync(transaction, quarantineId, cancellationToken);
        if (entry is null)
        {
            return new ResubmissionNotFound();
        }

        if (entry.RowVersion != expectedRowVersion)
        {
            return new ResubmissionStale(entry.RowVersion);
        }

        if (entry.Status != "open")
        {
            return new ResubmissionNotFound();
        }

        var outcome = await ResubmitAsync(entry, corrected,
            errors => QuarantineStore.RecordFailedResubmissionAsync(transaction, quarantineId, errors, expectedRowVersion, cancellationToken),
            resolution => QuarantineStore.ResolveAsync(transaction, quarantineId, by, resolution, expectedRowVersion, cancellationToken),
            cancellationToken);
        return outcome ?? new ResubmissionStale((await QuarantineStore.GetAsync(transaction, quarantineId, cancellationToken))?.RowVersion ?? 0);
    }

    /// <returns>Null when recording the outcome on the entry found it changed meanwhile.</returns>
    private async Task<ResubmissionOutcome?> ResubmitAsync(
        QuarantinedEvent entry, ReadOnlyMemory<byte>? corrected,
        Func<IReadOnlyList<ValidationError>, Task<bool>> recordFailure, Func<QuarantineResolution, Task<bool>> resolve, CancellationToken cancellationToken)
    {
        var payload = corrected ?? entry.Payload;
        // Checked here first so a still-invalid correction updates this entry instead of opening another.
        if (InboundEventParser.Parse(payload.Span, clock.GetUtcNow()) is RejectedEvent rejected)
        {
            return await recordFailure(rejected.Errors) ? new ResubmissionRejected(rejected.Errors) : null;
        }

        var origin = new Dictionary<string, string>(entry.Origin) { ["resubmittedFrom"] = entry.QuarantineId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var result = (await pipeline.IngestAsync([new InboundPayload(payload, new Arrival("resubmission", origin))], cancellationToken))[0];
        var resolution = result switch
        {
            AcceptedResult accepted => new QuarantineResolution(QuarantineResolution.Accepted, accepted.FamilyId, accepted.Source!, accepted.SourceEventId!),
            DuplicateResult duplicate => new QuarantineResolution(QuarantineResolution.Duplicate, duplicate.FamilyId, duplicate.Source!, duplicate.SourceEventId!),
            _ => null,
        };
        if (resolution is null)
        {
            // Valid a moment ago but quarantined now: only a change of clock can do that; report it as rejected.
            var errors = ((QuarantinedResult)result).Reasons;
            return await recordFailure(errors) ? new ResubmissionRejected(errors) : null;
        }

        return await resolve(resolution) ? new ResubmissionAccepted(result, resolution) : null;
    }
}
