using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using YoungCarers.Domain.Family;
using YoungCarers.Ingest.Http;

namespace YoungCarers.Api.Disputes;

/// <summary>
/// The write requests' bodies in the OpenAPI document as the endpoints take them. The records are
/// all-nullable so that an endpoint answers a missing field with problem details naming it, which
/// the generator reads as every property required and nullable at once. Here a field is required
/// exactly when its endpoint refuses the body without it (the domain event's constructor, or the
/// endpoint's own check), and a closed set of values is listed from what the code checks against.
/// </summary>
internal sealed class WriteRequestSchemas : IOpenApiSchemaTransformer
{
    private const string RecordedAs = "Who did it, when that is a person acting through the calling client (a case system holding the token); by default the calling client.";

    private static readonly Dictionary<Type, Field[]> Requests = new()
    {
        [typeof(RaiseDisputeRequest)] =
        [
            Field.Closed(nameof(RaiseDisputeRequest.RaisedBy), "The service raising the dispute.", Services.All),
            Field.Closed(nameof(RaiseDisputeRequest.Subject), "What the services disagree about.", DisputeSubjects.Names),
            Field.Optional(nameof(RaiseDisputeRequest.Persons),
                "The persons it concerns, each by one identifier of a member of the family (system:SYS/id, as system:LAS/7781, or nhs:number); omitted or empty for the whole family."),
            Field.Text(nameof(RaiseDisputeRequest.Summary), "What is in dispute; not blank."),
            Field.Optional(nameof(RaiseDisputeRequest.RaisedByUser), RecordedAs),
        ],
        [typeof(EscalateDisputeRequest)] =
        [
            Field.Text(nameof(EscalateDisputeRequest.Reason), "Why it is escalated before its stage deadline; not blank."),
            Field.Optional(nameof(EscalateDisputeRequest.FromStage),
                "The stage number (1 = first, the dispute's stage) the caller saw it at. If it has left that stage meanwhile (a deadline escalated it), the escalation is recorded but moves it no further; omitted, it escalates from the stage it is at. At the last stage an escalation moves nothing. Below 1 or above the dispute's stage (one it has not reached) is 400."),
            Field.Optional(nameof(EscalateDisputeRequest.EscalatedBy), RecordedAs),
        ],
        [typeof(InterimLeadRequest)] =
        [
            Field.Closed(nameof(InterimLeadRequest.LeadService), "The service that leads while the dispute is open.", Services.All),
            Field.Optional(nameof(InterimLeadRequest.AgreedBy), RecordedAs),
        ],
        [typeof(ResolveDisputeRequest)] =
        [
            Field.Closed(nameof(ResolveDisputeRequest.LeadService), "The service that leads from now on.", Services.All),
            Field.Optional(nameof(ResolveDisputeRequest.FundingSplit),
                "How the cost is shared, when funding was in question: each service at most once, the percents adding up to 100. Omitted when it was not.") with
            {
                Constrain = schema => (schema.MinItems, schema.MaxItems) = (1, Services.All.Count),
            },
            Field.Optional(nameof(ResolveDisputeRequest.Note), "How it was resolved, kept with the resolution."),
            Field.Optional(nameof(ResolveDisputeRequest.ResolvedBy), RecordedAs),
        ],
        [typeof(FundingShareRequest)] =
        [
            Field.Closed(nameof(FundingShareRequest.Service), "The service paying this share.", Services.All),
            Field.Required(nameof(FundingShareRequest.Percent), "The service's share of the cost in percent, 0 to 100; the split's shares add up to 100.") with
            {
                Constrain = schema => (schema.Minimum, schema.Maximum) = ("0", "100"),
            },
        ],
        [typeof(WaiveObligationRequest)] =
        [
            Field.Text(nameof(WaiveObligationRequest.Reason), "Why the obligation is set aside; not blank."),
            Field.Optional(nameof(WaiveObligationRequest.WaivedBy), RecordedAs),
        ],
        [typeof(MergeRequest)] =
        [
            Field.Required(nameof(MergeRequest.FamilyIds), "The two families' ids; the older family survives.") with
            {
                Constrain = schema => (schema.MinItems, schema.MaxItems) = (2, 2),
            },
            Field.Optional(nameof(MergeRequest.Note), "Why, kept with the merge."),
        ],
        [typeof(SplitRequest)] =
        [
            Field.Required(nameof(SplitRequest.Persons), "The persons to move to a new family; at least one person must stay.") with
            {
                Constrain = schema => schema.MinItems = 1,
            },
            Field.Optional(nameof(SplitRequest.Note), "Why, kept with the split."),
        ],
        [typeof(PersonIdentifier)] =
        [
            Field.Optional(nameof(PersonIdentifier.System), "The case system holding the person (as LAS), with id."),
            Field.Optional(nameof(PersonIdentifier.Id), "The person's id in that system."),
            Field.Optional(nameof(PersonIdentifier.NhsNumber), "The person's NHS number, instead of system and id."),
        ],
    };

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (!Requests.TryGetValue(context.JsonTypeInfo.Type, out var fields))
        {
            return Task.CompletedTask;
        }

        schema.Required = fields.Where(field => field.IsRequired).Select(field => field.JsonName).ToHashSet(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            if (schema.Properties?.TryGetValue(field.JsonName, out var property) == true && property is OpenApiSchema described)
            {
                field.Describe(described);
            }
        }

        if (context.JsonTypeInfo.Type == typeof(PersonIdentifier))
        {
            // The split endpoint takes a person by system and id together, or by NHS number.
            schema.AnyOf = [Present(nameof(PersonIdentifier.System), nameof(PersonIdentifier.Id)), Present(nameof(PersonIdentifier.NhsNumber))];
        }

        return Task.CompletedTask;
    }

    /// <summary>An object in which each of <paramref name="properties"/> is a string.</summary>
    private static OpenApiSchema Present(params string[] properties) => new()
    {
        Required = properties.Select(JsonName).ToHashSet(StringComparer.Ordinal),
        Properties = properties.ToDictionary(JsonName, _ => (IOpenApiSchema)new OpenApiSchema { Type = JsonSchemaType.String }, StringComparer.Ordinal),
    };

    /// <summary>A request property's name in JSON (the web defaults' camel case).</summary>
    private static string JsonName(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);

    private sealed record Field(string Property, bool IsRequired, string Description, IReadOnlyList<string>? Values = null)
    {
        public string JsonName => WriteRequestSchemas.JsonName(Property);

        public Action<OpenApiSchema>? Constrain { get; init; }

        public static Field Required(string property, string description) => new(property, IsRequired: true, description);

        public static Field Optional(string property, string description) => new(property, IsRequired: false, description);

        /// <summary>Required and not blank (the domain's rule for text).</summary>
        public static Field Text(string property, string description) => Required(property, description) with { Constrain = schema => schema.MinLength = 1 };

        public static Field Closed(string property, string description, IReadOnlyList<string> values) => new(property, IsRequired: true, description, values);

        public void Describe(OpenApiSchema schema)
        {
            // Null is taken as missing: an optional field may be null, a required one may not.
            if (IsRequired)
            {
                schema.Type &= ~JsonSchemaType.Null;
            }

            schema.Description = Description;
            if (Values is not null)
            {
                schema.Enum = [.. Values.Select(value => (JsonNode)JsonValue.Create(value))];
            }

            Constrain?.Invoke(schema);
        }
    }
}
