using YoungCarers.Api.Reads;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Audit;

/// <summary><c>GET /audit/access</c>: the access log for the integration team (scope <c>admin</c>).</summary>
internal static class AccessAuditEndpoints
{
    public static IServiceCollection AddAccessAudit(this IServiceCollection services)
    {
        services.AddSingleton<AccessAuditWriter>();
        services.AddSingleton(sp => new AccessAudit(
            sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<AccessAuditWriter>()));
        return services;
    }

    public static IEndpointRouteBuilder MapAccessAuditEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/audit/access", ListAsync)
            .RequireAuthorization(Scopes.Admin)
            .WithTags("Audit")
            .WithSummary("Who read which family's data, when and why; newest first (cursor paging).")
            .ProducesTagged<AccessAuditPage>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return endpoints;
    }

    private static async Task<IResult> ListAsync(
        HttpContext context, AccessAudit audit, string? familyId, string? client, DateTimeOffset? from, DateTimeOffset? to, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        long? before = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!long.TryParse(cursor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid cursor", detail: "Pass back the nextCursor of the previous page.");
            }

            before = parsed;
        }

        return JsonBytesResult.Ok(context, await audit.ListAsync(
            new AccessAuditQuery(familyId, client, from, to, before, Math.Clamp(limit ?? 50, 1, AccessAudit.MaxPageSize)), cancellationToken));
    }
}
