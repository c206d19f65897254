using System.Text.Json;
using Npgsql;
using YoungCarers.Api.Reads;
using YoungCarers.Api.Security;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Http;
using YoungCarers.Projections.TimeTravel;

namespace YoungCarers.Api.Disputes;

public sealed record RaiseDisputeRequest(string? RaisedBy, string? Subject, IReadOnlyList<string>? Persons, string? Summary, string? RaisedByUser);

public sealed record EscalateDisputeRequest(string? Reason, int? FromStage, string? EscalatedBy);

public sealed record InterimLeadRequest(string? LeadService, string? AgreedBy);

public sealed record FundingShareRequest(string? Service, decimal? Percent);

public sealed record ResolveDisputeRequest(string? LeadService, IReadOnlyList<FundingShareRequest>? FundingSplit, string? Note, string? ResolvedBy);

public sealed record WaiveObligationRequest(string? Reason, string? WaivedBy);

/// <summary>What a write appended: the family's stream version after it (the next <c>If-Match</c>).</summary>
/// <param name="Replayed">True when the <c>Idempotency-Key</c> had already been used for this request: nothing new was written.</param>
public sealed record FamilyWriteResult(string FamilyId, string Type, long StreamVersion, string? DisputeId, bool Replayed);

/// <summary>
/// Writes about a family (SPEC section 6; README obligations): disputes raised and moved on (scope
/// <c>disputes:write</c>) and obligations waived (scope <c>admin</c>, the integration team). Each
/// appends one of the service's family events to the family's stream with optimistic concurrency:
/// <c>If-Match</c> carries the stream version the caller saw (<c>family.streamVersion</c>), and a
/// stale one is 409. <c>Idempotency-Key</c> (per client) makes a retry return what the first try did.
/// </summary>
internal static class FamilyWriteEndpoints
{
    private static readonly WriteHeaders StreamVersionHeaders = new("The family's stream version (family.streamVersion) the change is based on; a stale one is 409.");

    private delegate IResult? Decide(FamilySnapshot family, out IFamilyEvent? familyEvent);

    public static IEndpointRouteBuilder MapFamilyWriteEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var disputes = endpoints.MapGroup("/families/{familyId}/disputes").RequireAuthorization(Scopes.DisputesWrite).WithTags("Disputes")
            .WithMetadata(StreamVersionHeaders).WithBodyLimits(RequestBodyLimits.Writes);
        disputes.MapPost("", RaiseAsync).WithName("RaiseDispute").WithSummary("Raise a dispute between the services about the family (If-Match: stream version; Idempotency-Key).")
            .Produces<FamilyWriteResult>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        disputes.MapPost("/{disputeId}/escalate", EscalateAsync).WithName("EscalateDispute").WithSummary("Move an open dispute one stage up the ladder.")
            .Produces<FamilyWriteResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        disputes.MapPost("/{disputeId}/interim-lead", InterimLeadAsync).WithName("AgreeInterimLead").WithSummary("Record the interim lead service agreed for an open dispute.")
            .Produces<FamilyWriteResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        disputes.MapPost("/{disputeId}/resolve", ResolveAsync).WithName("ResolveDispute").WithSummary("Resolve an open dispute: the lead service and any funding split.")
            .Produces<FamilyWriteResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        endpoints.MapPost("/families/{familyId}/obligations/{obligationId}/waive", WaiveAsync)
            .RequireAuthorization(Scopes.Admin).WithTags("Obligations").WithName("WaiveObligation")
            .WithMetadata(StreamVersionHeaders).WithBodyLimits(RequestBodyLimits.Writes)
            .WithSummary("Set an open obligation aside with a reason (the integration team). obligationId is the obligation's id, URL-encoded.")
            .Produces<FamilyWriteResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return endpoints;
    }

    private static Task<IResult> RaiseAsync(HttpContext context, WriteServices services, string familyId, RaiseDisputeRequest request, CancellationToken cancellationToken)
    {
        var disputeId = $"dispute-{Guid.NewGuid():N}";
        return AppendAsync(context, services, familyId, request, StatusCodes.Status201Created, (FamilySnapshot family, out IFamilyEvent? e) =>
        {
            e = null;
            // Checked with the rest of the body, after If-Match and Idempotency-Key, as every other write checks its body.
            if (DisputeSubjects.Parse(request.Subject) is not { } subject)
            {
                return ReadProblems.OneOf("subject", DisputeSubjects.Names);
            }

            var persons = request.Persons ?? [];
            var known = family.View.Members.SelectMany(member => member.Member.Identifiers).ToHashSet(StringComparer.Ordinal);
            if (persons.Any(person => !known.Contains(person)))
            {
                return ReadProblems.BadRequest("Unknown person", "Each of persons must be an identifier (system:SYS/id or nhs:number) of a member of the family.", "persons");
            }

            e = new DisputeRaised(disputeId, request.RaisedBy!, subject, persons, request.Summary!, services.Clock.GetUtcNow(),
                Actor.Of(context, request.RaisedByUser));
            return null;
        }, cancellationToken);
    }

    private static Task<IResult> EscalateAsync(HttpContext context, WriteServices services, string familyId, string disputeId, EscalateDisputeRequest request, CancellationToken cancellationToken) =>
        AppendAsync(context, services, familyId, request, StatusCodes.Status200OK, (FamilySnapshot family, out IFamilyEvent? e) =>
        {
            e = null;
            if (OpenDispute(family, disputeId) is { } problem)
            {
                return problem;
            }

            // Stages only move up, so a stage above the current one was never seen: the caller's mistake, not a race.
            if (request.FromStage is { } from && family.Disputes.First(d => d.DisputeId == disputeId).Stage is var stage && (from < 1 || from > stage))
            {
                return ReadProblems.BadRequest("Invalid fromStage", $"fromStage is the stage number (1 = first) you saw the dispute at; it is at stage {stage}.", "fromStage");
            }

            e = new DisputeEscalated(disputeId, request.Reason!, services.Clock.GetUtcNow(), Actor.Of(context, request.EscalatedBy), request.FromStage);
            return null;
        }, cancellationToken);

    private static Task<IResult> InterimLeadAsync(HttpContext context, WriteServices services, string familyId, string disputeId, InterimLeadRequest request, CancellationToken cancellationToken) =>
        AppendAsync(context, services, familyId, request, StatusCodes.Status200OK, (FamilySnapshot family, out IFamilyEvent? e) =>
        {
            e = null;
            if (OpenDispute(family, disputeId) is { } problem)
            {
                return problem;
            }

            e = new DisputeInterimLeadAgreed(disputeId, request.LeadService!, services.Clock.GetUtcNow(), Actor.Of(context, request.AgreedBy));
            return null;
        }, cancellationToken);

    private static Task<IResult> ResolveAsync(HttpContext context, WriteServices services, string familyId, string disputeId, ResolveDisputeRequest request, CancellationToken cancellationToken) =>
        AppendAsync(context, services, familyId, request, StatusCodes.Status200OK, (FamilySnapshot family, out IFamilyEvent? e) =>
        {
            e = null;
            if (OpenDispute(family, disputeId) is { } problem)
            {
                return problem;
            }

            // JSON null in the list binds to a null share, which the split below would dereference.
            if (request.FundingSplit?.Any(share => share is null) == true)
            {
                return ReadProblems.BadRequest("Invalid request", "Each share of fundingSplit is an object with service and percent.", "fundingSplit");
            }

            var split = request.FundingSplit?.Select(share => new FundingShare(share.Service!, share.Percent ?? -1)).ToList();
            e = new DisputeResolved(disputeId, request.LeadService!, split, services.Clock.GetUtcNow(), request.Note, Actor.Of(context, request.ResolvedBy));
            return null;
        }, cancellationToken);

    private static Task<IResult> WaiveAsync(HttpContext context, WriteServices services, string familyId, string obligationId, WaiveObligationRequest request, CancellationToken cancellationToken)
    {
        // The id holds '/' (kind:system:LAS/7781:source/event), which a client sends as %2F; the path keeps it encoded.
        var id = Uri.UnescapeDataString(obligationId);
        return AppendAsync(context, services, familyId, request, StatusCodes.Status200OK, (FamilySnapshot family, out IFamilyEvent? e) =>
        {
            e = null;
            var obligation = family.Obligations.FirstOrDefault(o => o.Id == id);
            if (obligation is null)
            {
                return ReadProblems.NotFound("Obligation not found", "The family has no obligation with this id.");
            }

            if (obligation.Status is not (ObligationStatus.Open or ObligationStatus.Overdue))
            {
                return Conflict("Obligation not open", "Only an open or overdue obligation can be waived.");
            }

            e = new ObligationWaived(id, request.Reason!, Actor.Of(context, request.WaivedBy), services.Clock.GetUtcNow());
            return null;
        }, cancellationToken);
    }

    private static IResult? OpenDispute(FamilySnapshot family, string disputeId) =>
        family.Disputes.FirstOrDefault(d => d.DisputeId == disputeId) switch
        {
            null => ReadProblems.NotFound("Dispute not found", "The family has no dispute with this id."),
            { Status: DisputeStatus.Resolved } => Conflict("Dispute resolved", "The dispute is resolved and cannot move on."),
            _ => null,
        };

    private static async Task<IResult> AppendAsync<TRequest>(
        HttpContext context, WriteServices services, string familyId, TRequest request, int successStatus, Decide decide, CancellationToken cancellationToken)
    {
        if (AdminRequestLog.IfMatchVersion(context, "Send If-Match with the family's stream version (family.streamVersion) you based this change on.",
                "If-Match is the family's stream version, a whole number (quoted or not).", out var problem) is not { } expected)
        {
            return problem!;
        }

        if (IdempotentRequest.FromJsonBody(context, request, out problem) is not { } idempotent)
        {
            return problem!;
        }

        try
        {
            // The answer is kept under the key in the append's transaction: both commit, or neither.
            return await services.EventStore.ExecuteAsync(async (transaction, token) =>
                await AdminRequestLog.BeginAsync(transaction.Connection, transaction.Transaction, idempotent, token)
                ?? await DecideAndAppendAsync(context, services, transaction, familyId, expected, idempotent, successStatus, decide, token), cancellationToken);
        }
        catch (WrongExpectedVersionException stale)
        {
            return AdminRequestLog.Stale("The family changed since the version you sent; read it again and retry.", "streamVersion", stale.Actual);
        }
        catch (StreamArchivedException archived)
        {
            return Conflict("Family merged", "The family was merged into another; write to the surviving family.", archived.SuccessorId);
        }
    }

    private static async Task<IResult> DecideAndAppendAsync(
        HttpContext context, WriteServices services, EventStoreTransaction transaction, string familyId, long expected, IdempotentRequest idempotent,
        int successStatus, Decide decide, CancellationToken cancellationToken)
    {
        var live = await services.Store.LiveStreamAsync(familyId, cancellationToken);
        if (live is null)
        {
            return ReadProblems.NotFound("Family not found", "No family has this id.");
        }

        if (live != familyId)
        {
            return Conflict("Family merged", "The family was merged into another; write to the surviving family.", live);
        }

        var snapshot = await services.TimeMachine.AtAsync(familyId, services.Clock.GetUtcNow(), null, cancellationToken);
        if (snapshot is null)
        {
            return ReadProblems.NotFound("Family not found", "No family has this id.");
        }

        IFamilyEvent? familyEvent;
        try
        {
            if (decide(snapshot, out familyEvent) is { } refused)
            {
                return refused;
            }
        }
        catch (ArgumentException invalid)
        {
            // The domain names its parameters as C# does; the caller knows the field by its JSON name.
            return ReadProblems.BadRequest("Invalid request", invalid.Message, invalid.ParamName is { } name ? JsonNamingPolicy.CamelCase.ConvertName(name) : null);
        }

        var (type, json) = FamilyEventSerializer.Serialize(familyEvent!);
        var metadata = new EventMetadata { Channel = "http", Subject = context.Request.Path.Value };
        // The key stays the event's source id, as it was before answers were kept under it.
        var result = (await transaction.AppendAsync(
            [new StreamAppend(familyId, ExpectedVersion.Exactly(expected), [new NewEvent(type, json, services.Clock.GetUtcNow(), $"urn:youngcarers:api:{idempotent.Client}", idempotent.Key, metadata)])],
            cancellationToken)).Streams[0];
        if (result.Events[0] is { Outcome: AppendOutcome.Duplicate } earlier)
        {
            return await EarlierAnswerAsync(context, transaction, earlier, familyId, successStatus, cancellationToken);
        }

        var written = new FamilyWriteResult(familyId, type, result.NextExpectedVersion, (familyEvent as DisputeRaised)?.DisputeId, Replayed: false);
        var location = successStatus == StatusCodes.Status201Created ? $"/families/{Uri.EscapeDataString(familyId)}" : null;
        await AdminRequestLog.RememberAsync(transaction.Connection, transaction.Transaction, idempotent, successStatus, written with { Replayed = true }, location, cancellationToken);
        return location is null ? TypedResults.Ok(written) : TypedResults.Created(location, written);
    }

    /// <summary>
    /// The answer for a key whose event was appended before answers were kept under keys (so no
    /// digest of its request is known): that event again when it was to this family and path, else 422.
    /// </summary>
    private static async Task<IResult> EarlierAnswerAsync(
        HttpContext context, EventStoreTransaction transaction, EventAppendResult earlier, string familyId, int successStatus, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "SELECT type, data->>'disputeId', metadata->>'subject' FROM events WHERE stream_id = @stream AND stream_version = @version",
            transaction.Connection, transaction.Transaction);
        command.Parameters.AddWithValue("stream", earlier.StreamId);
        command.Parameters.AddWithValue("version", earlier.StreamVersion);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (earlier.StreamId != familyId || !await reader.ReadAsync(cancellationToken) || (reader.IsDBNull(2) ? null : reader.GetString(2)) != context.Request.Path.Value)
        {
            return AdminRequestLog.KeyReused();
        }

        var type = reader.GetString(0);
        context.Response.Headers[IdempotentRequest.ReplayedHeader] = "true";
        return TypedResults.Json(
            new FamilyWriteResult(familyId, type, earlier.StreamVersion, type == DisputeRaised.TypeName && !reader.IsDBNull(1) ? reader.GetString(1) : null, Replayed: true),
            statusCode: successStatus);
    }

    private static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult Conflict(string title, string detail, string? survivorFamilyId = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: title, detail: detail,
            extensions: survivorFamilyId is null ? null : new Dictionary<string, object?> { ["survivorFamilyId"] = survivorFamilyId });
}

/// <summary>What the write endpoints need, in one injectable.</summary>
internal sealed class WriteServices(ReadStore store, FamilyTimeMachine timeMachine, PostgresEventStore eventStore, TimeProvider clock)
{
    public ReadStore Store => store;

    public FamilyTimeMachine TimeMachine => timeMachine;

    public PostgresEventStore EventStore => eventStore;

    public TimeProvider Clock => clock;
}
