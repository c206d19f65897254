using YoungCarers.Api.Disputes;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Reads;

/// <summary>
/// The read API (SPEC section 8) and its OpenAPI document at <c>/openapi/v1.json</c>. Every read of
/// family data needs <c>X-Access-Purpose</c> and is recorded in the access log before data is returned.
/// </summary>
internal static class ReadEndpoints
{
    public const string OpenApiPath = "/openapi/{documentName}.json";

    public static IServiceCollection AddReadApi(this IServiceCollection services)
    {
        services.AddSingleton<ReadStore>();
        services.AddSingleton<ObligationPageJson>();
        services.AddSingleton<TimeTravelLists>();
        services.AddSingleton<Disputes.WriteServices>();
        services.AddOpenApi(ReadOpenApi.Configure);
        return services;
    }

    public static IEndpointRouteBuilder MapReadEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapOpenApi(OpenApiPath).AllowAnonymous();

        endpoints.MapGet("/families/{familyId}", FamilyEndpoints.GetFamilyAsync)
            .RequireAuthorization(Scopes.FamiliesRead)
            .Audited(familyIdRouteValue: null)
            .WithTags("Families")
            .WithName("GetFamily")
            .WithSummary("A family: members, open involvement, obligations, disputes, flags, lead professional. A merged id answers with the survivor. Live, or as of an instant (asOf/knownAt). ETag; If-None-Match gives 304.")
            .ProducesTagged<FamilyResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        endpoints.MapGet("/families/{familyId}/timeline", FamilyEndpoints.GetTimelineAsync)
            .RequireAuthorization(Scopes.FamiliesRead)
            .Audited()
            .WithTags("Families")
            .WithName("GetFamilyTimeline")
            .WithSummary("The family's events (and those of families merged into it) by occurrence, with source, type and stream version; cursor paging. ETag; If-None-Match gives 304.")
            .ProducesTagged<TimelineResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        endpoints.MapGet("/families", ListEndpoints.ListFamiliesAsync)
            .RequireAuthorization(Scopes.FamiliesRead)
            .Audited(familyIdRouteValue: null)
            .WithTags("Families")
            .WithName("ListFamilies")
            .WithSummary("Families with a flag, or with flags concerning a service; cursor paging by family id.")
            .ProducesTagged<Page<FamilySummary>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        endpoints.MapGet("/obligations", ListEndpoints.ListObligationsAsync)
            .RequireAuthorization(Scopes.ObligationsRead)
            .Audited(familyIdRouteValue: null)
            .WithTags("Obligations")
            .WithName("ListObligations")
            .WithSummary("Obligations across families, by due date; no personal data. Cursor paging.")
            .ProducesTagged<Page<ObligationSummary>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        endpoints.MapGet("/disputes", ListEndpoints.ListDisputesAsync)
            .RequireAuthorization(Scopes.FamiliesRead)
            .Audited(familyIdRouteValue: null)
            .WithTags("Disputes")
            .WithName("ListDisputes")
            .WithSummary("Disputes with stage, stage name, deadline and interim lead status, by stage deadline; cursor paging.")
            .ProducesTagged<Page<DisputeSummary>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        endpoints.MapGet("/people", ListEndpoints.FindPersonAsync)
            .RequireAuthorization(Scopes.FamiliesRead)
            .Audited(familyIdRouteValue: null)
            .WithTags("People")
            .WithName("FindPerson")
            .WithSummary("Which family (the live survivor) a person is in, by case-system id or NHS number.")
            .ProducesTagged<PersonFamily>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);

        endpoints.MapGet("/young-carers", ListEndpoints.ListYoungCarersAsync)
            .RequireAuthorization(Scopes.FamiliesRead)
            .Audited(familyIdRouteValue: null)
            .WithTags("Young carers")
            .WithName("ListYoungCarers")
            .WithSummary("Young carers approaching transition: not yet 18, turning 18 before the given date; with their transition assessment.")
            .ProducesTagged<Page<YoungCarerSummary>>()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        endpoints.MapGet("/audit/indicators", IndicatorEndpoints.GetIndicatorsAsync)
            .RequireAuthorization(Scopes.Admin)
            .Audited(familyIdRouteValue: null)
            .WithTags("Audit")
            .WithName("GetIndicators")
            .WithMetadata(new DateQueryParameters("from", "to"))
            .WithSummary("Memorandum indicators for service managers over [from, to).")
            .ProducesTagged<IndicatorsResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest);
        endpoints.MapFamilyWriteEndpoints();
        return endpoints;
    }
}
