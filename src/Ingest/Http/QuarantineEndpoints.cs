using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using YoungCarers.Domain.Contract;
using YoungCarers.Ingest.Quarantine;

namespace YoungCarers.Ingest.Http;

/// <summary>The integration team's view of the quarantine: list, inspect, resubmit (as stored or corrected).</summary>
public static class QuarantineEndpoints
{
    public const int MaxPageSize = 200;

    public static IEndpointRouteBuilder MapQuarantineEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/admin/quarantine").WithTags("Quarantine");
        group.MapGet("", ListAsync).WithSummary("Open quarantine entries, oldest first (cursor paging with after).");
        group.MapGet("/{id:long}", GetAsync).WithSummary("One entry with its payload as received.");
        group.MapPost("/{id:long}/resubmit", ResubmitAsync)
            .WithSummary("Resubmit the entry; a body, if given, is the corrected event.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(QuarantineStore quarantine, long? after, int? limit, CancellationToken cancellationToken)
    {
        var size = Math.Clamp(limit ?? 50, 1, MaxPageSize);
        var entries = await quarantine.ListOpenAsync(after ?? 0, size, cancellationToken);
        return TypedResults.Ok(new QuarantinePage(
            [.. entries.Select(QuarantineSummary.From)],
            entries.Count == size ? entries[^1].QuarantineId : null));
    }

    private static async Task<IResult> GetAsync(long id, QuarantineStore quarantine, CancellationToken cancellationToken) =>
        await quarantine.GetAsync(id, cancellationToken) is { } entry
            ? TypedResults.Ok(QuarantineDetail.From(entry))
            : IngestEndpoints.Problem(StatusCodes.Status404NotFound, "No such quarantine entry", $"There is no quarantine entry {id}.");

    private static async Task<IResult> ResubmitAsync(long id, HttpContext context, QuarantineResubmission resubmission, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellationToken);
        var corrected = body.Length > 0 ? body.ToArray() : (ReadOnlyMemory<byte>?)null;
        var by = FamilyAdministrationEndpoints.DecidedBy(context);
        return await resubmission.ResubmitAsync(id, corrected, by, cancellationToken) switch
        {
            ResubmissionNotFound => IngestEndpoints.Problem(StatusCodes.Status404NotFound, "No open quarantine entry", $"Quarantine entry {id} does not exist or is already resolved."),
            ResubmissionRejected rejected => IngestEndpoints.Problem(StatusCodes.Status422UnprocessableEntity, "Still invalid",
                "The event still fails validation; the entry stays open with these errors.",
                new Dictionary<string, object?> { ["errors"] = rejected.Errors }),
            ResubmissionAccepted accepted => TypedResults.Ok(IngestResponse.From([accepted.Result]).Results[0]),
            _ => throw new InvalidOperationException("Unexpected resubmission outcome."),
        };
    }
}

public sealed record QuarantinePage(IReadOnlyList<QuarantineSummary> Items, long? NextAfter);

public sealed record QuarantineSummary(
    long QuarantineId, string Channel, DateTimeOffset ReceivedAt, string? Source, string? Id, string? Type, int Deliveries, IReadOnlyList<ValidationError> Errors)
{
    public static QuarantineSummary From(QuarantinedEvent e) =>
        new(e.QuarantineId, e.Channel, e.ReceivedAt, e.Source, e.SourceEventId, e.Type, e.Deliveries, e.Reasons);
}

/// <param name="PayloadText">The payload decoded as UTF-8 (invalid bytes replaced), for reading.</param>
/// <param name="PayloadBase64">The payload exactly as received.</param>
public sealed record QuarantineDetail(
    QuarantineSummary Summary, IReadOnlyDictionary<string, string> Origin, string Status, DateTimeOffset? ResolvedAt, string? ResolvedBy, string PayloadText, string PayloadBase64)
{
    public static QuarantineDetail From(QuarantinedEvent e) =>
        new(QuarantineSummary.From(e), e.Origin, e.Status, e.ResolvedAt, e.ResolvedBy, Encoding.UTF8.GetString(e.Payload), Convert.ToBase64String(e.Payload));
}
