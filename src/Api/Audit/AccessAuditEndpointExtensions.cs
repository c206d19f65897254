using YoungCarers.Ingest.Http;

namespace YoungCarers.Api.Audit;

/// <summary>
/// Puts an endpoint that returns family data under the access log:
/// <code>
/// app.MapGet("/families/{familyId}", handler)
///    .RequireAuthorization(Scopes.FamiliesRead)
///    .WithAccessAudit();                    // records the route's familyId before the handler runs
/// app.MapGet("/families", listHandler)
///    .RequireAuthorization(Scopes.FamiliesRead)
///    .WithAccessAudit(familyIdRouteValue: null);  // the handler calls audit.RecordAsync(context, familyIds)
/// app.MapGroup("").WithAccessAuditOfPersonalDataReads().MapQuarantineEndpoints();  // its reads marked PersonalDataRead
/// </code>
/// A request without the <c>X-Access-Purpose</c> header is refused (400 problem details naming the
/// header) before the handler runs. If the handler recorded nothing itself, one row is recorded before
/// its result is returned: without a family, or naming the families a <see cref="PersonalDataRead"/>'s
/// answer shows. A failure to record fails the request: no data leaves unlogged.
/// </summary>
public static class AccessAuditEndpointExtensions
{
    public static TBuilder WithAccessAudit<TBuilder>(this TBuilder builder, string? familyIdRouteValue = "familyId")
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEndpointFilter((invocation, next) => AuditAsync(invocation, next, familyIdRouteValue, null));
        return builder;
    }

    /// <summary>
    /// Puts each endpoint of <paramref name="builder"/> (a group) marked <see cref="PersonalDataRead"/> under the
    /// access log, as <see cref="WithAccessAudit{TBuilder}"/> does; the group's other endpoints are left as they are.
    /// </summary>
    /// <remarks>A group's conventions run before its endpoints' own, so the mark is looked for when a request comes.</remarks>
    public static TBuilder WithAccessAuditOfPersonalDataReads<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddEndpointFilter((invocation, next) =>
            invocation.HttpContext.GetEndpoint()?.Metadata.GetMetadata<PersonalDataRead>() is { } read
                ? AuditAsync(invocation, next, null, read)
                : next(invocation));
        return builder;
    }

    private static async ValueTask<object?> AuditAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next, string? familyIdRouteValue, PersonalDataRead? read)
    {
        var context = invocation.HttpContext;
        var purpose = AccessAudit.PurposeOf(context);
        if (purpose is null || purpose.Length > AccessAudit.MaxPurposeLength)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: purpose is null ? "Access purpose required" : "Access purpose too long",
                detail: purpose is null
                    ? $"Reading family data needs a stated purpose: send it in the {AccessAudit.PurposeHeader} header."
                    : $"The {AccessAudit.PurposeHeader} header is at most {AccessAudit.MaxPurposeLength} characters.",
                extensions: new Dictionary<string, object?> { ["header"] = AccessAudit.PurposeHeader });
        }

        var audit = context.RequestServices.GetRequiredService<AccessAudit>();
        if (familyIdRouteValue is not null && context.Request.RouteValues[familyIdRouteValue]?.ToString() is { Length: > 0 } familyId)
        {
            await audit.RecordAsync(context, [familyId], context.RequestAborted);
        }

        var result = await next(invocation);
        if (context.Items[AccessAudit.RecordedCountKey] is null)
        {
            var shown = read is not null && result is IValueHttpResult { Value: var value } ? read.FamilyIdsOf(value) : [];
            await audit.RecordAsync(context, shown, context.RequestAborted);
        }

        return result;
    }
}
