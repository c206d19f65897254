using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using YoungCarers.Api.Audit;
using YoungCarers.Ingest.Http;

namespace YoungCarers.Api.Reads;

/// <summary>Marks an endpoint that needs the <c>X-Access-Purpose</c> header (it is under the access log), so the OpenAPI document says so.</summary>
internal sealed class AccessPurposeRequired
{
    public static readonly AccessPurposeRequired Instance = new();
}

/// <summary>Marks a read answered with an entity tag, so the OpenAPI document lists the If-None-Match header it honours.</summary>
internal sealed class EntityTagged
{
    public static readonly EntityTagged Instance = new();
}

/// <summary>Query parameters an endpoint takes as text and parses as dates (yyyy-mm-dd) itself, so the OpenAPI document still says they are dates.</summary>
internal sealed class DateQueryParameters(params string[] names)
{
    public IReadOnlyList<string> Names { get; } = names;
}

/// <summary>The OpenAPI document's security: bearer tokens, the scope each operation needs, and the purpose header of audited reads; and dates taken as text.</summary>
internal static class ReadOpenApi
{
    public const string BearerScheme = "bearer";

    /// <summary><see cref="AccessAuditEndpointExtensions.WithAccessAudit{TBuilder}"/>, and the header in the OpenAPI document.</summary>
    public static RouteHandlerBuilder Audited(this RouteHandlerBuilder builder, string? familyIdRouteValue = "familyId") =>
        builder.WithAccessAudit(familyIdRouteValue).WithMetadata(AccessPurposeRequired.Instance);

    /// <summary>A read answered with an entity tag (<see cref="EntityTags"/>): 200 with <typeparamref name="TResponse"/>, or 304 when If-None-Match names it.</summary>
    public static RouteHandlerBuilder ProducesTagged<TResponse>(this RouteHandlerBuilder builder) =>
        builder.Produces<TResponse>().Produces(StatusCodes.Status304NotModified).WithMetadata(EntityTagged.Instance);

    public static void Configure(OpenApiOptions options)
    {
        options.AddSchemaTransformer(new Disputes.WriteRequestSchemas());
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
            if (metadata.OfType<AccessPurposeRequired>().Any() || metadata.OfType<PersonalDataRead>().Any())
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

            if (metadata.OfType<EntityTagged>().Any())
            {
                operation.Parameters ??= [];
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "If-None-Match",
                    In = ParameterLocation.Header,
                    Required = false,
                    Description = "The ETag of an earlier answer (or a list of them): 304 without a body when the answer would be the same. The read is recorded in the access log either way.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }

            if (metadata.OfType<DateQueryParameters>().FirstOrDefault() is { } dates)
            {
                foreach (var parameter in operation.Parameters ?? [])
                {
                    if (parameter.Schema is OpenApiSchema schema && dates.Names.Contains(parameter.Name))
                    {
                        schema.Format = "date";
                    }
                }
            }

            if (metadata.OfType<WriteHeaders>().FirstOrDefault() is { } write)
            {
                operation.Parameters ??= [];
                if (write.IfMatch is not null)
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = "If-Match",
                        In = ParameterLocation.Header,
                        Required = true,
                        Description = write.IfMatch,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }

                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = IdempotentRequest.Header,
                    In = ParameterLocation.Header,
                    Required = true,
                    Description = "Unique per change and client: a retry with the same key returns the first answer (with Idempotent-Replayed: true) and writes nothing; the same key with a different request is 422.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = IdempotentRequest.MaxKeyLength },
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
