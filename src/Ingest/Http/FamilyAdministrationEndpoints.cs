using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Identity;

namespace YoungCarers.Ingest.Http;

/// <summary>The integration team's identity decisions: merge, split, and name-and-birth-date candidates.</summary>
public static class FamilyAdministrationEndpoints
{
    public static IEndpointRouteBuilder MapFamilyAdministrationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/admin").WithTags("Identity").WithBodyLimits(RequestBodyLimits.Writes);
        group.MapPost("/families/merge", MergeAsync)
            .WithSummary("Merge two families; the older survives. If-Match names each family's stream version as \"familyId:version\"; Idempotency-Key.")
            .WithMetadata(new WriteHeaders("One entity tag per family, \"familyId:streamVersion\" (e.g. \"family-1:4\", \"family-2:7\"); both must be current, else 409."))
            .Produces<MergeOutcome>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        group.MapPost("/families/{familyId}/split", SplitAsync)
            .WithSummary("Move persons out of a family into a new one. If-Match: the family's stream version; Idempotency-Key.")
            .WithMetadata(new WriteHeaders("The family's stream version (family.streamVersion) the split is based on; a stale one is 409."))
            .Produces<SplitResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        group.MapGet("/identity-candidates", ListCandidatesAsync).WithSummary("Open name-and-birth-date match candidates, each with its rowVersion for If-Match on dismiss.")
            .Produces<IReadOnlyList<IdentityCandidate>>().ProducesProblem(StatusCodes.Status400BadRequest)
            .WithMetadata(new PersonalDataRead(value => value is IEnumerable<IdentityCandidate> candidates ? candidates.SelectMany(c => new[] { c.FamilyId, c.OtherFamilyId }) : []));
        group.MapPost("/identity-candidates/{candidateId:long}/dismiss", DismissAsync)
            .WithSummary("Record that a candidate pair are different people. If-Match: the candidate's rowVersion; Idempotency-Key.")
            .WithMetadata(new WriteHeaders("The candidate's rowVersion from GET /admin/identity-candidates; a stale one (the candidate changed) is 409."))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status428PreconditionRequired);
        return endpoints;
    }

    private static async Task<IResult> MergeAsync(
        MergeRequest request, HttpContext context, FamilyAdministration administration, PostgresEventStore store, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var action = new AdminAction(Actor.Of(context), "family.merge", request.FamilyIds is [var a, var b] ? $"family:{a},family:{b}" : AdminAction.NoTarget);
        return await AdminRequestLog.AuditRefusalAsync(dataSource, context, action, await MergeOrRefuseAsync(request, context, administration, store, action, cancellationToken), cancellationToken);
    }

    private static async Task<IResult> MergeOrRefuseAsync(
        MergeRequest request, HttpContext context, FamilyAdministration administration, PostgresEventStore store, AdminAction action, CancellationToken cancellationToken)
    {
        if (request.FamilyIds is not [{ } first, { } second])
        {
            return IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Two families needed", "familyIds must name exactly two families.", Field("familyIds"));
        }

        if (IdempotentRequest.FromJsonBody(context, request, out var problem) is not { } idempotent)
        {
            return problem!;
        }

        const string form = "If-Match lists one entity tag per family, \"familyId:streamVersion\", for both families merged.";
        if (AdminRequestLog.IfMatchTags(context) is not { } tags)
        {
            return IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Invalid If-Match", form);
        }

        if (tags.Count == 0)
        {
            return AdminRequestLog.IfMatchRequired($"{form} Each family's streamVersion is in GET /families/{{familyId}}.");
        }

        var expected = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            var colon = tag.LastIndexOf(':');
            if (colon <= 0 || !AdminRequestLog.TryParseVersion(tag[(colon + 1)..], out var version) || !expected.TryAdd(tag[..colon], version))
            {
                return IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Invalid If-Match", form);
            }
        }

        if (!expected.ContainsKey(first) || !expected.ContainsKey(second) || expected.Count != new[] { first, second }.Distinct(StringComparer.Ordinal).Count())
        {
            return IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Invalid If-Match", form);
        }

        return await WriteAsync(store, idempotent, expected, async (transaction, token) =>
        {
            var outcome = await administration.MergeAsync(transaction, first, second, action.Actor, request.Note, expected, token);
            return await AdminRequestLog.CompleteAsync(transaction.Connection, transaction.Transaction, idempotent, action, StatusCodes.Status200OK, outcome, null, token);
        }, cancellationToken);
    }

    private static async Task<IResult> SplitAsync(
        string familyId, SplitRequest request, HttpContext context, FamilyAdministration administration, PostgresEventStore store, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var action = new AdminAction(Actor.Of(context), "family.split", $"family:{familyId}");
        return await AdminRequestLog.AuditRefusalAsync(dataSource, context, action, await SplitOrRefuseAsync(familyId, request, context, administration, store, action, cancellationToken), cancellationToken);
    }

    private static async Task<IResult> SplitOrRefuseAsync(
        string familyId, SplitRequest request, HttpContext context, FamilyAdministration administration, PostgresEventStore store, AdminAction action, CancellationToken cancellationToken)
    {
        var persons = (request.Persons ?? []).Select(p => p switch
        {
            { NhsNumber: { } nhs } => IdentityKey.ForNhsNumber(nhs),
            { System: { } system, Id: { } id } => IdentityKey.ForSystem(system, id),
            _ => (IdentityKey?)null,
        }).ToList();
        if (persons.Count == 0 || persons.Any(p => p is null))
        {
            return IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Persons needed", "Name each person to move by system and id, or by NHS number.", Field("persons"));
        }

        if (IdempotentRequest.FromJsonBody(context, request, out var problem) is not { } idempotent)
        {
            return problem!;
        }

        if (AdminRequestLog.IfMatchVersion(context, "Send If-Match with the family's stream version (family.streamVersion) you based this split on.",
                "If-Match is the family's stream version, a whole number (quoted or not).", out problem) is not { } expected)
        {
            return problem!;
        }

        return await WriteAsync(store, idempotent, new Dictionary<string, long>(StringComparer.Ordinal) { [familyId] = expected }, async (transaction, token) =>
        {
            var newFamily = await administration.SplitAsync(transaction, familyId, [.. persons.Select(p => p!.Value)], action.Actor, request.Note, expected, token);
            return await AdminRequestLog.CompleteAsync(transaction.Connection, transaction.Transaction, idempotent, action, StatusCodes.Status200OK, new SplitResponse(newFamily), null, token);
        }, cancellationToken);
    }

    /// <summary>
    /// Runs an identity decision with its idempotency key and audit in one transaction. A refusal
    /// rolls it all back (the decision may have changed the person index before its append failed).
    /// <paramref name="expectedVersions"/> are the stream versions <c>If-Match</c> named.
    /// </summary>
    private static async Task<IResult> WriteAsync(
        PostgresEventStore store, IdempotentRequest idempotent, IReadOnlyDictionary<string, long> expectedVersions,
        Func<EventStoreTransaction, CancellationToken, Task<IResult>> write, CancellationToken cancellationToken)
    {
        try
        {
            return await store.ExecuteAsync(async (transaction, token) =>
                await AdminRequestLog.BeginAsync(transaction.Connection, transaction.Transaction, idempotent, token) ?? await write(transaction, token),
                cancellationToken);
        }
        catch (FamilyAdministrationException e)
        {
            return e.NoSuchFamily
                ? IngestEndpoints.Problem(StatusCodes.Status404NotFound, "No such family", e.Message)
                : IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Cannot decide", e.Message);
        }
        catch (WrongExpectedVersionException stale)
        {
            var current = await StaleVersionsAsync(store, expectedVersions, stale.StreamId, cancellationToken);
            return AdminRequestLog.Stale($"Changed since the version you sent: {string.Join(", ", current.Keys)}. streamVersions has the current version of each; read again and retry.",
                "streamVersions", current);
        }
        catch (StreamArchivedException archived)
        {
            return IngestEndpoints.Problem(StatusCodes.Status409Conflict, "Family merged", $"Family {archived.StreamId} was merged into another; decide on the surviving family.",
                new Dictionary<string, object?> { ["survivorFamilyId"] = archived.SuccessorId });
        }
    }

    /// <summary>
    /// The current version of every stream <c>If-Match</c> named at another version, and of the one the
    /// write stopped at: the write stops at the first stale stream, and the caller needs them all to retry once.
    /// </summary>
    private static async Task<Dictionary<string, long>> StaleVersionsAsync(
        PostgresEventStore store, IReadOnlyDictionary<string, long> expectedVersions, string staleStreamId, CancellationToken cancellationToken)
    {
        var current = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (streamId, expected) in expectedVersions)
        {
            if (await store.GetStreamAsync(streamId, cancellationToken) is { } stream && (stream.Version != expected || streamId == staleStreamId))
            {
                current[streamId] = stream.Version;
            }
        }

        return current;
    }

    /// <summary>Names the body's field at fault, as the other writes' problems do.</summary>
    private static Dictionary<string, object?> Field(string name) => new() { ["parameter"] = name };

    private static async Task<IResult> ListCandidatesAsync(FamilyAdministration administration, long? after, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await administration.ListCandidatesAsync(after ?? 0, Math.Clamp(limit ?? 50, 1, QuarantineEndpoints.MaxPageSize), cancellationToken));

    private static async Task<IResult> DismissAsync(long candidateId, HttpContext context, PostgresEventStore store, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var action = new AdminAction(Actor.Of(context), "identity-candidate.dismiss", $"identity-candidate:{candidateId}");
        return await AdminRequestLog.AuditRefusalAsync(dataSource, context, action, await DismissOrRefuseAsync(candidateId, context, store, action, cancellationToken), cancellationToken);
    }

    private static async Task<IResult> DismissOrRefuseAsync(long candidateId, HttpContext context, PostgresEventStore store, AdminAction action, CancellationToken cancellationToken)
    {
        if (IdempotentRequest.From(context, ReadOnlySpan<byte>.Empty, out var problem) is not { } idempotent)
        {
            return problem!;
        }

        if (AdminRequestLog.IfMatchVersion(context, "Send If-Match with the candidate's rowVersion from GET /admin/identity-candidates.",
                "If-Match is the candidate's rowVersion, a whole number (quoted or not).", out problem) is not { } expected)
        {
            return problem!;
        }

        return await WriteAsync(store, idempotent, new Dictionary<string, long>(), async (transaction, token) =>
            await FamilyAdministration.DismissCandidateAsync(transaction, candidateId, expected, action.Actor, token) switch
            {
                CandidateDismissed => await AdminRequestLog.CompleteAsync<object?>(transaction.Connection, transaction.Transaction, idempotent, action, StatusCodes.Status204NoContent, null, null, token),
                CandidateStale stale => AdminRequestLog.Stale("The candidate changed since the rowVersion you sent; list the candidates again.", "rowVersion", stale.RowVersion),
                _ => IngestEndpoints.Problem(StatusCodes.Status404NotFound, "No open candidate", $"Candidate {candidateId} does not exist or was already decided."),
            }, cancellationToken);
    }
}

public sealed record MergeRequest(IReadOnlyList<string>? FamilyIds, string? Note);

public sealed record PersonIdentifier(string? System, string? Id, string? NhsNumber);

public sealed record SplitRequest(IReadOnlyList<PersonIdentifier>? Persons, string? Note);

public sealed record SplitResponse(string NewFamilyId);
