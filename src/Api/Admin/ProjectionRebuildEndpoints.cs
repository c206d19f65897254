using System.Globalization;
using Npgsql;
using YoungCarers.Api.Security;
using YoungCarers.Ingest.Http;

namespace YoungCarers.Api.Admin;

/// <summary>
/// The integration team's rebuild of the read model over HTTP (scope <c>admin</c>): a request is
/// queued and answered 202 with where to follow it; the rebuild runs in the background, one at a
/// time across instances, and its status is kept in the database.
/// </summary>
internal static class ProjectionRebuildEndpoints
{
    private const string RebuildAction = "projections.rebuild";

    public static IServiceCollection AddProjectionRebuilds(this IServiceCollection services)
    {
        services.AddSingleton<ProjectionRebuilds>();
        services.AddSingleton<ProjectionRebuildWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<ProjectionRebuildWorker>());
        return services;
    }

    public static IEndpointRouteBuilder MapProjectionRebuildEndpoints(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/admin/projections").RequireAuthorization(Scopes.Admin).WithTags("Projections");
        group.MapPost("/rebuild", RequestAsync).WithName("RebuildReadModel")
            .WithSummary("Rebuild the read model from the event store in the background and swap it in; 202 with Location of its status. One at a time (409 while one is queued or running). Idempotency-Key.")
            .WithMetadata(new WriteHeaders(null)).WithBodyLimits(RequestBodyLimits.Writes)
            .Produces<ProjectionRebuildStatus>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/rebuilds/{rebuildId:long}", GetAsync).WithName("GetReadModelRebuild")
            .WithSummary("A requested rebuild: queued, running, succeeded or failed (a rebuild whose instance stopped is failed), events processed, start and finish times.")
            .Produces<ProjectionRebuildStatus>().ProducesProblem(StatusCodes.Status404NotFound);
        return endpoints;
    }

    private static async Task<IResult> RequestAsync(HttpContext context, NpgsqlDataSource dataSource, ProjectionRebuildWorker worker, CancellationToken cancellationToken) =>
        await AdminRequestLog.AuditRefusalAsync(dataSource, context, new AdminAction(Actor.Of(context), RebuildAction, AdminAction.NoTarget),
            await RequestOrRefuseAsync(context, dataSource, worker, cancellationToken), cancellationToken);

    private static async Task<IResult> RequestOrRefuseAsync(HttpContext context, NpgsqlDataSource dataSource, ProjectionRebuildWorker worker, CancellationToken cancellationToken)
    {
        if (IdempotentRequest.From(context, ReadOnlySpan<byte>.Empty, out var problem) is not { } idempotent)
        {
            return problem!;
        }

        var actor = Actor.Of(context);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await AdminRequestLog.BeginAsync(connection, transaction, idempotent, cancellationToken) is { } stored)
        {
            return stored;
        }

        var (rebuild, created) = await ProjectionRebuilds.RequestAsync(connection, transaction, actor, cancellationToken);
        if (!created)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Rebuild in progress",
                detail: $"Rebuild {rebuild.RebuildId} is {rebuild.Status}; only one runs at a time.",
                extensions: new Dictionary<string, object?> { ["rebuildId"] = rebuild.RebuildId, ["statusUrl"] = Location(rebuild.RebuildId) });
        }

        var answer = await AdminRequestLog.CompleteAsync(connection, transaction, idempotent,
            new AdminAction(actor, RebuildAction, $"rebuild:{rebuild.RebuildId}"), StatusCodes.Status202Accepted, rebuild, Location(rebuild.RebuildId), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        worker.Wake();
        return answer;
    }

    private static async Task<IResult> GetAsync(long rebuildId, ProjectionRebuilds rebuilds, CancellationToken cancellationToken) =>
        await rebuilds.GetAsync(rebuildId, cancellationToken) is { } rebuild
            ? TypedResults.Ok(rebuild)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such rebuild", detail: $"There is no rebuild {rebuildId}.");

    private static string Location(long rebuildId) => string.Create(CultureInfo.InvariantCulture, $"/admin/projections/rebuilds/{rebuildId}");
}
