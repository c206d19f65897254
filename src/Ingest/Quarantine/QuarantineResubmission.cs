using YoungCarers.Domain.Contract;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Ingest.Quarantine;

/// <summary>The outcome of resubmitting a quarantined event.</summary>
public abstract record ResubmissionOutcome;

/// <summary>No open entry has that id.</summary>
public sealed record ResubmissionNotFound : ResubmissionOutcome;

/// <summary>Accepted (or found already stored): the entry is resolved.</summary>
public sealed record ResubmissionAccepted(IngestResult Result) : ResubmissionOutcome;

/// <summary>Still invalid: the entry stays open with these reasons.</summary>
public sealed record ResubmissionRejected(IReadOnlyList<ValidationError> Errors) : ResubmissionOutcome;

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

        var payload = corrected ?? entry.Payload;
        // Checked here first so a still-invalid correction updates this entry instead of opening another.
        if (InboundEventParser.Parse(payload.Span, clock.GetUtcNow()) is RejectedEvent rejected)
        {
            await quarantine.RecordFailedResubmissionAsync(quarantineId, rejected.Errors, cancellationToken);
            return new ResubmissionRejected(rejected.Errors);
        }

        var origin = new Dictionary<string, string>(entry.Origin) { ["resubmittedFrom"] = quarantineId.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        var result = (await pipeline.IngestAsync([new InboundPayload(payload, new Arrival("resubmission", origin))], cancellationToken))[0];
        var resolution = result switch
        {
            AcceptedResult accepted => new Dictionary<string, string> { ["outcome"] = "accepted", ["familyId"] = accepted.FamilyId },
            DuplicateResult duplicate => new Dictionary<string, string> { ["outcome"] = "duplicate", ["familyId"] = duplicate.FamilyId },
            _ => null,
        };
        if (resolution is null)
        {
            // Valid a moment ago but quarantined now: only a change of clock can do that; report it as rejected.
            var errors = ((QuarantinedResult)result).Reasons;
            await quarantine.RecordFailedResubmissionAsync(quarantineId, errors, cancellationToken);
            return new ResubmissionRejected(errors);
        }

        resolution["source"] = result.Source!;
        resolution["sourceEventId"] = result.SourceEventId!;
        await quarantine.ResolveAsync(quarantineId, by, resolution, cancellationToken);
        return new ResubmissionAccepted(result);
    }
}
