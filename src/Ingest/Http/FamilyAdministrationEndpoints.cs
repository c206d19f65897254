using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using YoungCarers.Ingest.Identity;

namespace YoungCarers.Ingest.Http;

/// <summary>The integration team's identity decisions: merge, split, and name-and-birth-date candidates.</summary>
public static class FamilyAdministrationEndpoints
{
    public static IEndpointRouteBuilder MapFamilyAdministrationEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/admin").WithTags("Identity");
        group.MapPost("/families/merge", MergeAsync).WithSummary("Merge two families; the older survives.").ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/families/{familyId}/split", SplitAsync).WithSummary("Move persons out of a family into a new one.").ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/identity-candidates", ListCandidatesAsync).WithSummary("Open name-and-birth-date match candidates.");
        group.MapPost("/identity-candidates/{candidateId:long}/dismiss", DismissAsync).WithSummary("Record that a candidate pair are different people.");
        return endpoints;
    }

    private static async Task<IResult> MergeAsync(MergeRequest request, HttpContext context, FamilyAdministration administration, CancellationToken cancellationToken)
    {
        if (request.FamilyIds is not [var first, var second])
        {
            return IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Two families needed", "familyIds must name exactly two families.");
        }

        try
        {
            return TypedResults.Ok(await administration.MergeAsync(first, second, DecidedBy(context), request.Note, cancellationToken));
        }
        catch (FamilyAdministrationException e)
        {
            return IngestEndpoints.Problem(StatusCodes.Status404NotFound, "No such family", e.Message);
        }
    }

    private static async Task<IResult> SplitAsync(string familyId, SplitRequest request, HttpContext context, FamilyAdministration administration, CancellationToken cancellationToken)
    {
        var persons = (request.Persons ?? []).Select(p => p switch
        {
            { NhsNumber: { } nhs } => IdentityKey.ForNhsNumber(nhs),
            { System: { } system, Id: { } id } => IdentityKey.ForSystem(system, id),
            _ => (IdentityKey?)null,
        }).ToList();
        if (persons.Count == 0 || persons.Any(p => p is null))
        {
            return IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Persons needed", "Name each person to move by system and id, or by NHS number.");
        }

        try
        {
            return TypedResults.Ok(new SplitResponse(await administration.SplitAsync(familyId, [.. persons.Select(p => p!.Value)], DecidedBy(context), request.Note, cancellationToken)));
        }
        catch (FamilyAdministrationException e)
        {
            return IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Cannot split", e.Message);
        }
    }

    private static async Task<IResult> ListCandidatesAsync(FamilyAdministration administration, long? after, int? limit, CancellationToken cancellationToken) =>
        TypedResults.Ok(await administration.ListCandidatesAsync(after ?? 0, Math.Clamp(limit ?? 50, 1, QuarantineEndpoints.MaxPageSize), cancellationToken));

    private static async Task<IResult> DismissAsync(long candidateId, HttpContext context, FamilyAdministration administration, CancellationToken cancellationToken) =>
        await administration.DismissCandidateAsync(candidateId, DecidedBy(context), cancellationToken)
            ? TypedResults.NoContent()
            : IngestEndpoints.Problem(StatusCodes.Status404NotFound, "No open candidate", $"Candidate {candidateId} does not exist or was already decided.");

    internal static string DecidedBy(HttpContext context) =>
        context.User.Identity?.Name ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

public sealed record MergeRequest(IReadOnlyList<string>? FamilyIds, string? Note);

public sealed record PersonIdentifier(string? System, string? Id, string? NhsNumber);

public sealed record SplitRequest(IReadOnlyList<PersonIdentifier>? Persons, string? Note);

public sealed record SplitResponse(string NewFamilyId);
