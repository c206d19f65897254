using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using YoungCarers.Api.Audit;

namespace YoungCarers.Api.Reads;

/// <summary>Marks an endpoint that needs the <c>X-Access-Purpose</c> header (it is under the access log), so the OpenAPI document says so.</summary>
internal sealed class AccessPurposeRequired
{
    public static readonly AccessPurposeRequired Instance = new();
}

/// <summary>Marks a write that needs <c>If-Match</c> (the family's stream version) and <c>Idempotency-Key</c>, so the OpenAPI document says so.</summary>
internal sealed class ConcurrencyHeadersRequired
{
    public static readonly ConcurrencyHeadersRequired Instance = new();
}

/// <summary>The OpenAPI document's security: bearer tokens, the scope each operation needs, and the purpose header of audited reads.</summary>
internal static class ReadOpenApi
{
    public const string BearerScheme = "bearer";

    /// <summary><see cref="AccessAuditEndpointExtensions.WithAccessAudit{TBuilder}"/>, and the header in the OpenAPI document.</summary>
    public static RouteHandlerBuilder Audited(this RouteHandlerBuilder builder, string? familyIdRouteValue = "familyId") =>
        builder.WithAccessAudit(familyIdRouteValue).WithMetadata(AccessPurposeRequired.Instance);

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A JWT whose scope (or scp) claim grants the scope the operation needs.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<AccessPurposeRequired>().Any())
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = AccessAudit.PurposeHeader,
                    In = ParameterLocation.Header,
                    Required = true,
                    Description = "Why the caller reads family data; recorded in the access log.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = AccessAudit.MaxPurposeLength },
                });
            }

            if (metadata.OfType<ConcurrencyHeadersRequired>().Any())
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "If-Match",
                    In = ParameterLocation.Header,
                    Required = true,
                    Description = "The family's stream version (family.streamVersion) the change is based on; a stale one is 409.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "Idempotency-Key",
                    In = ParameterLocation.Header,
                    Required = true,
                    Description = "Unique per change and client: a retry with the same key returns the first answer and writes nothing.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = 200 },
                });
            }

            if (!metadata.OfType<IAllowAnonymous>().Any())
            {
                var scopes = metadata.OfType<IAuthorizeData>().Select(data => data.Policy).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = scopes });
            }

            return Task.CompletedTask;
        });
    }
}
