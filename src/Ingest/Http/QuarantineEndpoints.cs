using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Npgsql;
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
        group.MapGet("/{id:long}", GetAsync).WithSummary("One entry with its payload as received and, once resolved, where its event went; ETag is its version, for If-Match on resubmit.")
            .Produces<QuarantineDetail>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithMetadata(new PersonalDataRead(value => value is QuarantineDetail { Resolution: { } resolution } ? [resolution.FamilyId] : []));
        group.MapPost("/{id:long}/resubmit", ResubmitAsync)
            .WithBodyLimits(RequestBodyLimits.CorrectedEvent)
            .WithSummary("Resubmit the entry; a body, if given, is the corrected event. If-Match: the entry's ETag; Idempotency-Key.")
            .WithMetadata(new WriteHeaders("The entry's ETag from GET /admin/quarantine/{id}; a stale one (the entry changed) is 409."))
            .Produces<IngestEventResult>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status428PreconditionRequired);
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

    private static async Task<IResult> GetAsync(long id, HttpContext context, QuarantineStore quarantine, CancellationToken cancellationToken)
    {
        if (await quarantine.GetAsync(id, cancellationToken) is not { } entry)
        {
            return IngestEndpoints.Problem(StatusCodes.Status404NotFound, "No such quarantine entry", $"There is no quarantine entry {id}.");
        }

        context.Response.Headers.ETag = ETag(entry.RowVersion);
        return TypedResults.Ok(QuarantineDetail.From(entry));
    }

    private static async Task<IResult> ResubmitAsync(
        long id, HttpContext context, QuarantineResubmission resubmission, NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var action = new AdminAction(Actor.Of(context), "quarantine.resubmit", $"quarantine:{id}");
        return await AdminRequestLog.AuditRefusalAsync(dataSource, context, action, await ResubmitOrRefuseAsync(id, context, resubmission, dataSource, action, cancellationToken), cancellationToken);
    }

    private static async Task<IResult> ResubmitOrRefuseAsync(
        long id, HttpContext context, QuarantineResubmission resubmission, NpgsqlDataSource dataSource, AdminAction action, CancellationToken cancellationToken)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, cancellationToken);
        var bytes = body.ToArray();
        var corrected = bytes.Length > 0 ? bytes : (ReadOnlyMemory<byte>?)null;
        if (IdempotentRequest.From(context, bytes, out var problem) is not { } idempotent)
        {
            return problem!;
        }

        if (AdminRequestLog.IfMatchVersion(context, "Send If-Match with the entry's ETag from GET /admin/quarantine/{id}.",
                "If-Match is the entry's ETag from GET /admin/quarantine/{id}.", out problem) is not { } expected)
        {
            return problem!;
        }

        // The pipeline stores the event in its own transaction (idempotently: a retry finds it a
        // duplicate); the entry's outcome, the key's answer and the audit commit together in this one.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var result = await AdminRequestLog.BeginAsync(connection, transaction, idempotent, cancellationToken)
            ?? await resubmission.ResubmitAsync(transaction, id, expected, corrected, action.Actor, cancellationToken) switch
            {
                ResubmissionNotFound => IngestEndpoints.Problem(StatusCodes.Status404NotFound, "No open quarantine entry", $"Quarantine entry {id} does not exist or is already resolved."),
                ResubmissionStale stale => AdminRequestLog.Stale("The entry changed since the ETag you sent; read it again and retry.", "etag", ETag(stale.RowVersion)),
                ResubmissionRejected rejected => await AdminRequestLog.CompleteAsync(connection, transaction, idempotent, action, StatusCodes.Status422UnprocessableEntity,
                    new StillInvalidProblem("Still invalid", StatusCodes.Status422UnprocessableEntity, "The event still fails validation; the entry stays open with these errors.", rejected.Errors),
                    null, cancellationToken),
                ResubmissionAccepted accepted => await AdminRequestLog.CompleteAsync(connection, transaction, idempotent, action, StatusCodes.Status200OK,
                    IngestResponse.From([accepted.Result]).Results[0], null, cancellationToken),
                _ => throw new InvalidOperationException("Unexpected resubmission outcome."),
            };
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    private static string ETag(long rowVersion) => $"\"{rowVersion.ToString(CultureInfo.InvariantCulture)}\"";
}

/// <summary>The 422 problem of a resubmission still invalid, as stored for its idempotency key.</summary>
public sealed record StillInvalidProblem(string Title, int Status, string Detail, IReadOnlyList<ValidationError> Errors);

public sealed record QuarantinePage(IReadOnlyList<QuarantineSummary> Items, long? NextAfter);

public sealed record QuarantineSummary(
    long QuarantineId, string Channel, DateTimeOffset ReceivedAt, string? Source, string? Id, string? Type, int Deliveries, IReadOnlyList<ValidationError> Errors)
{
    public static QuarantineSummary From(QuarantinedEvent e) =>
        new(e.QuarantineId, e.Channel, e.ReceivedAt, e.Source, e.SourceEventId, e.Type, e.Deliveries, e.Reasons);
}

/// <param name="Resolution">Where the event went once the entry was resolved (accepted into a family, or a duplicate of an event already stored there); null while open.</param>
/// <param name="PayloadText">The payload decoded as UTF-8 (invalid bytes replaced), for reading.</param>
/// <param name="PayloadBase64">The payload exactly as received.</param>
public sealed record QuarantineDetail(
    QuarantineSummary Summary, IReadOnlyDictionary<string, string> Origin, string Status, DateTimeOffset? ResolvedAt, string? ResolvedBy, QuarantineResolution? Resolution,
    string PayloadText, string PayloadBase64)
{
    public static QuarantineDetail From(QuarantinedEvent e) =>
        new(QuarantineSummary.From(e), e.Origin, e.Status, e.ResolvedAt, e.ResolvedBy, e.Resolution, Encoding.UTF8.GetString(e.Payload), Convert.ToBase64String(e.Payload));
}
