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
            .WithMetadata(StreamVersionHeaders);
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
            .WithMetadata(StreamVersionHeaders)
            .WithSummary("Set an open obligation aside with a reason (the integration team). obligationId is the obligation's id, URL-encoded.")
            .Produces<FamilyWriteResult>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return endpoints;
    }

    private static Task<IResult> RaiseAsync(HttpContext context, WriteServices services, string familyId, RaiseDisputeRequest request, CancellationToken cancellationToken)
    {
        var subject = request.Subject switch
        {
            "need-ownership" => DisputeSubject.NeedOwnership,
            "threshold" => DisputeSubject.Threshold,
            "funding" => DisputeSubject.Funding,
            _ => (DisputeSubject?)null,
        };
        if (subject is null)
        {
            return Task.FromResult(ReadProblems.OneOf("subject", ["need-ownership", "threshold", "funding"]));
        }

        var disputeId = $"dispute-{Guid.NewGuid():N}";
        return AppendAsync(context, services, familyId, StatusCodes.Status201Created, (FamilySnapshot family, out IFamilyEvent? e) =>
        {
            e = null;
            var persons = request.Persons ?? [];
            var known = family.View.Members.SelectMany(member => member.Member.Identifiers).ToHashSet(StringComparer.Ordinal);
            if (persons.Any(person => !known.Contains(person)))
            {
                return ReadProblems.BadRequest("Unknown person", "Each of persons must be an identifier (system:SYS/id or nhs:number) of a member of the family.", "persons");
            }

            e = new DisputeRaised(disputeId, request.RaisedBy!, subject.Value, persons, request.Summary!, services.Clock.GetUtcNow(),
                Actor.Of(context, request.RaisedByUser));
            return null;
        }, cancellationToken);
    }

    private static Task<IResult> EscalateAsync(HttpContext context, WriteServices services, string familyId, string disputeId, EscalateDisputeRequest request, CancellationToken cancellationToken) =>
        AppendAsync(context, services, familyId, StatusCodes.Status200OK, (FamilySnapshot family, out IFamilyEvent? e) =>
        {
            e = null;
            if (OpenDispute(family, disputeId) is { } problem)
            {
                return problem;
            }

            e = new DisputeEscalated(disputeId, request.Reason!, services.Clock.GetUtcNow(), Actor.Of(context, request.EscalatedBy), request.FromStage);
            return null;
        }, cancellationToken);

    private static Task<IResult> InterimLeadAsync(HttpContext context, WriteServices services, string familyId, string disputeId, InterimLeadRequest request, CancellationToken cancellationToken) =>
        AppendAsync(context, services, familyId, StatusCodes.Status200OK, (FamilySnapshot family, out IFamilyEvent? e) =>
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
        AppendAsync(context, services, familyId, StatusCodes.Status200OK, (FamilySnapshot family, out IFamilyEvent? e) =>
        {
            e = null;
            if (OpenDispute(family, disputeId) is { } problem)
            {
                return problem;
            }

            var split = request.FundingSplit?.Select(share => new FundingShare(share.Service!, share.Percent ?? -1)).ToList();
            e = new DisputeResolved(disputeId, request.LeadService!, split, services.Clock.GetUtcNow(), request.Note, Actor.Of(context, request.ResolvedBy));
            return null;
        }, cancellationToken);

    private static Task<IResult> WaiveAsync(HttpContext context, WriteServices services, string familyId, string obligationId, WaiveObligationRequest request, CancellationToken cancellationToken)
    {
        // The id holds '/' (kind:system:LAS/7781:source/event), which a client sends as %2F; the path keeps it encoded.
        var id = Uri.UnescapeDataString(obligationId);
        return AppendAsync(context, services, familyId, StatusCodes.Status200OK, (FamilySnapshot family, out IFamilyEvent? e) =>
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

    private static async Task<IResult> AppendAsync(HttpContext context, WriteServices services, string familyId, int successStatus, Decide decide, CancellationToken cancellationToken)
    {
        var ifMatch = context.Request.Headers.IfMatch.ToString().Trim();
        if (ifMatch.Length == 0)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status428PreconditionRequired, title: "If-Match required",
                detail: "Send If-Match with the family's stream version (family.streamVersion) you based this change on.");
        }

        if (!AdminRequestLog.TryParseVersion(ifMatch.Trim('"'), out var expected))
        {
            return ReadProblems.BadRequest("Invalid If-Match", "If-Match is the family's stream version, a whole number (quoted or not).", "If-Match");
        }

        var key = context.Request.Headers[IdempotentRequest.Header].ToString().Trim();
        if (key.Length is 0 or > IdempotentRequest.MaxKeyLength)
        {
            return ReadProblems.BadRequest("Idempotency-Key required", $"Send an Idempotency-Key header (1 to {IdempotentRequest.MaxKeyLength} characters) unique to this change.", IdempotentRequest.Header);
        }

        var source = $"urn:youngcarers:api:{Actor.Client(context)}";
        if (await services.PreviousAsync(source, key, cancellationToken) is { } previous)
        {
            if (previous.FamilyId != familyId || previous.Path != context.Request.Path.Value)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                    detail: "This Idempotency-Key was already used for a different request; use a new key for a new change.");
            }

            context.Response.Headers[IdempotentRequest.ReplayedHeader] = "true";
            return TypedResults.Json(previous.Result with { Replayed = true }, statusCode: successStatus);
        }

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
            return ReadProblems.BadRequest("Invalid request", invalid.Message, invalid.ParamName);
        }

        var (type, json) = FamilyEventSerializer.Serialize(familyEvent!);
        var metadata = new EventMetadata { Channel = "http", Subject = context.Request.Path.Value };
        try
        {
            var result = await services.EventStore.AppendAsync(familyId, ExpectedVersion.Exactly(expected),
                [new NewEvent(type, json, services.Clock.GetUtcNow(), source, key, metadata)], cancellationToken);
            if (result.Events[0].Outcome == AppendOutcome.Duplicate && await services.PreviousAsync(source, key, cancellationToken) is { } raced)
            {
                context.Response.Headers[IdempotentRequest.ReplayedHeader] = "true";
                return TypedResults.Json(raced.Result with { Replayed = true }, statusCode: successStatus);
            }

            var written = new FamilyWriteResult(familyId, type, result.NextExpectedVersion, (familyEvent as DisputeRaised)?.DisputeId, false);
            return successStatus == StatusCodes.Status201Created
                ? TypedResults.Created($"/families/{Uri.EscapeDataString(familyId)}", written)
                : TypedResults.Ok(written);
        }
        catch (WrongExpectedVersionException stale)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Stale If-Match",
                detail: "The family changed since the version you sent; read it again and retry.",
                extensions: new Dictionary<string, object?> { ["streamVersion"] = stale.Actual });
        }
        catch (StreamArchivedException archived)
        {
            return Conflict("Family merged", "The family was merged into another; write to the surviving family.", archived.SuccessorId);
        }
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

    /// <summary>The event an earlier request with this idempotency key appended, if any.</summary>
    public async Task<(string FamilyId, string? Path, FamilyWriteResult Result)?> PreviousAsync(string source, string key, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand("""
            SELECT stream_id, type, stream_version, data->>'disputeId', metadata->>'subject'
            FROM events WHERE source = @source AND source_event_id = @key
            """);
        command.Parameters.AddWithValue("source", source);
        command.Parameters.AddWithValue("key", key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var type = reader.GetString(1);
        return (reader.GetString(0), reader.IsDBNull(4) ? null : reader.GetString(4),
            new FamilyWriteResult(reader.GetString(0), type, reader.GetInt64(2), type == DisputeRaised.TypeName && !reader.IsDBNull(3) ? reader.GetString(3) : null, true));
    }
}
