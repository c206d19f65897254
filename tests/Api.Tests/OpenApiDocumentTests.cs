using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace YoungCarers.Api.Tests;

public sealed partial class OpenApiDocumentTests(SecuredService service) : IClassFixture<SecuredService>
{
    /// <summary>Each read endpoint with every parameter it takes (headers included), as the document must describe them.</summary>
    public static TheoryData<string, string[]> ReadEndpoints => new()
    {
        { "/families/{familyId}", ["familyId:path", "asOf:query", "knownAt:query", "X-Access-Purpose:header", "If-None-Match:header"] },
        { "/families/{familyId}/timeline", ["familyId:path", "asOf:query", "knownAt:query", "cursor:query", "limit:query", "X-Access-Purpose:header", "If-None-Match:header"] },
        { "/families", ["flag:query", "service:query", "asOf:query", "knownAt:query", "cursor:query", "limit:query", "X-Access-Purpose:header", "If-None-Match:header"] },
        { "/obligations", ["status:query", "owedBy:query", "dueBefore:query", "asOf:query", "knownAt:query", "cursor:query", "limit:query", "X-Access-Purpose:header", "If-None-Match:header"] },
        { "/disputes", ["status:query", "asOf:query", "knownAt:query", "cursor:query", "limit:query", "X-Access-Purpose:header", "If-None-Match:header"] },
        { "/people", ["system:query", "id:query", "nhsNumber:query", "asOf:query", "knownAt:query", "X-Access-Purpose:header", "If-None-Match:header"] },
        { "/young-carers", ["turning18Before:query", "asOf:query", "knownAt:query", "cursor:query", "limit:query", "X-Access-Purpose:header", "If-None-Match:header"] },
        { "/audit/indicators", ["from:query", "to:query", "asOf:query", "knownAt:query", "X-Access-Purpose:header", "If-None-Match:header"] },
    };

    /// <summary>The integration team's reads that show personal data, with every parameter they take; they are not tagged for caching.</summary>
    public static TheoryData<string, string[]> AuditedAdminReads => new()
    {
        { "/admin/quarantine/{id}", ["id:path", "X-Access-Purpose:header"] },
        { "/admin/identity-candidates", ["after:query", "limit:query", "X-Access-Purpose:header"] },
    };

    [Theory]
    [MemberData(nameof(ReadEndpoints))]
    public async Task Every_read_endpoint_is_described_with_exactly_its_parameters_and_scope(string path, string[] parameters)
    {
        var operation = await DescribedReadAsync(path, parameters);

        Assert.True(operation.GetProperty("responses").TryGetProperty("304", out _));
    }

    [Theory]
    [MemberData(nameof(AuditedAdminReads))]
    public async Task Every_audited_admin_read_is_described_with_exactly_its_parameters_and_scope(string path, string[] parameters) =>
        await DescribedReadAsync(path, parameters);

    /// <summary>The path's GET, checked to take exactly these parameters, to need one scope and to answer 200.</summary>
    private async Task<JsonElement> DescribedReadAsync(string path, string[] parameters)
    {
        var document = await DocumentAsync();

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty("get");
        var described = operation.GetProperty("parameters").EnumerateArray()
            .Select(p => $"{p.GetProperty("name").GetString()}:{p.GetProperty("in").GetString()}").Order().ToList();
        Assert.Equal(parameters.Order(), described);
        var scopes = operation.GetProperty("security")[0].GetProperty("bearer").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Single(scopes);
        Assert.True(operation.GetProperty("responses").TryGetProperty("200", out _));
        return operation;
    }

    /// <summary>Each write with its parameters (the concurrency headers are required) and whether it takes a JSON body.</summary>
    public static TheoryData<string, string[], bool> WriteEndpoints => new()
    {
        { "/families/{familyId}/disputes", ["familyId:path", "If-Match:header", "Idempotency-Key:header"], true },
        { "/families/{familyId}/disputes/{disputeId}/escalate", ["familyId:path", "disputeId:path", "If-Match:header", "Idempotency-Key:header"], true },
        { "/families/{familyId}/disputes/{disputeId}/interim-lead", ["familyId:path", "disputeId:path", "If-Match:header", "Idempotency-Key:header"], true },
        { "/families/{familyId}/disputes/{disputeId}/resolve", ["familyId:path", "disputeId:path", "If-Match:header", "Idempotency-Key:header"], true },
        { "/families/{familyId}/obligations/{obligationId}/waive", ["familyId:path", "obligationId:path", "If-Match:header", "Idempotency-Key:header"], true },
        { "/admin/families/merge", ["If-Match:header", "Idempotency-Key:header"], true },
        { "/admin/families/{familyId}/split", ["familyId:path", "If-Match:header", "Idempotency-Key:header"], true },
        { "/admin/quarantine/{id}/resubmit", ["id:path", "If-Match:header", "Idempotency-Key:header"], false },
        { "/admin/projections/rebuild", ["Idempotency-Key:header"], false },
        { "/admin/identity-candidates/{candidateId}/dismiss", ["candidateId:path", "If-Match:header", "Idempotency-Key:header"], false },
    };

    [Theory]
    [MemberData(nameof(WriteEndpoints))]
    public async Task Every_write_endpoint_is_described_with_its_headers_body_and_scope(string path, string[] parameters, bool jsonBody)
    {
        var document = await DocumentAsync();

        var operation = document.GetProperty("paths").GetProperty(path).GetProperty("post");
        var described = operation.GetProperty("parameters").EnumerateArray()
            .Select(p => $"{p.GetProperty("name").GetString()}:{p.GetProperty("in").GetString()}").Order().ToList();
        Assert.Equal(parameters.Order(), described);
        Assert.All(operation.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "header"),
            p => Assert.True(p.GetProperty("required").GetBoolean()));
        Assert.Equal(jsonBody, operation.TryGetProperty("requestBody", out var body) && body.GetProperty("content").TryGetProperty("application/json", out _));
        Assert.Single(operation.GetProperty("security")[0].GetProperty("bearer").EnumerateArray());
    }

    /// <summary>
    /// Each write's body with the fields its endpoint refuses it without (OpenApiWriteRequestTests
    /// checks each against the endpoint); a person to split off names system and id, or an NHS number.
    /// </summary>
    public static TheoryData<string, string[]> WriteRequests => new()
    {
        { "RaiseDisputeRequest", ["raisedBy", "subject", "summary"] },
        { "EscalateDisputeRequest", ["reason"] },
        { "InterimLeadRequest", ["leadService"] },
        { "ResolveDisputeRequest", ["leadService"] },
        { "FundingShareRequest", ["service", "percent"] },
        { "WaiveObligationRequest", ["reason"] },
        { "MergeRequest", ["familyIds"] },
        { "SplitRequest", ["persons"] },
        { "PersonIdentifier", [] },
    };

    [Theory]
    [MemberData(nameof(WriteRequests))]
    public async Task Every_write_request_requires_exactly_what_its_endpoint_refuses_without_and_only_its_optional_fields_may_be_null(string name, string[] required)
    {
        var schema = (await DocumentAsync()).GetProperty("components").GetProperty("schemas").GetProperty(name);

        var described = schema.TryGetProperty("required", out var list) ? list.EnumerateArray().Select(f => f.GetString()!).ToList() : [];
        Assert.Equal(required.Order(), described.Order());
        foreach (var property in schema.GetProperty("properties").EnumerateObject())
        {
            var types = property.Value.GetProperty("type");
            var nullable = types.ValueKind == JsonValueKind.Array && types.EnumerateArray().Any(t => t.GetString() == "null");
            Assert.True(nullable != required.Contains(property.Name), $"{name}.{property.Name} is {(nullable ? "" : "not ")}nullable.");
            Assert.False(string.IsNullOrWhiteSpace(property.Value.TryGetProperty("description", out var description) ? description.GetString() : null), $"{name}.{property.Name} has no description.");
        }
    }

    /// <summary>The fields of write requests that take one of a closed set of values, with those values.</summary>
    public static TheoryData<string, string, string[]> WriteRequestValues => new()
    {
        { "RaiseDisputeRequest", "raisedBy", ["adult-social-care", "childrens-social-care"] },
        { "RaiseDisputeRequest", "subject", ["need-ownership", "threshold", "funding"] },
        { "InterimLeadRequest", "leadService", ["adult-social-care", "childrens-social-care"] },
        { "ResolveDisputeRequest", "leadService", ["adult-social-care", "childrens-social-care"] },
        { "FundingShareRequest", "service", ["adult-social-care", "childrens-social-care"] },
    };

    [Theory]
    [MemberData(nameof(WriteRequestValues))]
    public async Task A_write_request_field_with_a_closed_set_of_values_lists_them(string name, string field, string[] values)
    {
        var property = (await DocumentAsync()).GetProperty("components").GetProperty("schemas").GetProperty(name).GetProperty("properties").GetProperty(field);

        Assert.Equal(values, property.TryGetProperty("enum", out var listed) ? listed.EnumerateArray().Select(v => v.GetString()).ToArray() : []);
    }

    [Fact]
    public async Task The_document_is_served_without_a_token()
    {
        using var http = service.Service.CreateClient();
        var response = await http.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        Assert.Equal("http", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("type").GetString());
    }

    [Fact]
    public async Task The_document_describes_exactly_the_mapped_endpoints()
    {
        var document = await DocumentAsync();
        var described = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}"))
            .ToHashSet();

        var mapped = service.Service.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .Where(endpoint => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not null)
            .SelectMany(endpoint => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(method => $"{method} {Normalise(endpoint.RoutePattern.RawText!)}"))
            .ToHashSet();

        Assert.NotEmpty(mapped);
        Assert.Equal(mapped.Order(), described.Order());
        // Every route parameter is a path parameter in the document.
        foreach (var endpoint in service.Service.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Metadata.GetMetadata<IHttpMethodMetadata>() is not null && endpoint.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is null))
        {
            var path = Normalise(endpoint.RoutePattern.RawText!);
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)
            {
                var operation = document.GetProperty("paths").GetProperty(path).GetProperty(method.ToLowerInvariant());
                var pathParameters = operation.TryGetProperty("parameters", out var list)
                    ? list.EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()!).ToHashSet()
                    : [];
                Assert.Equal(endpoint.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(), pathParameters);
            }
        }
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var http = service.Service.CreateClient();
        return JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;
    }

    /// <summary>The document's form of a route: no constraints, no trailing slash.</summary>
    private static string Normalise(string route)
    {
        var path = RouteConstraint().Replace(route, "}");
        return path.Length > 1 ? path.TrimEnd('/') : path;
    }

    [GeneratedRegex(@":[^}]+\}")]
    private static partial Regex RouteConstraint();
}
