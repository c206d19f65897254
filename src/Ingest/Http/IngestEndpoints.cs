using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using YoungCarers.Domain.Contract;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;

namespace YoungCarers.Ingest.Http;

/// <summary><c>POST /events</c>: one CloudEvent, or a batch of them, from systems that cannot publish to Kafka.</summary>
public static class IngestEndpoints
{
    public const int MaxBatchSize = 1000;

    private static readonly string[] AcceptedContentTypes =
        ["application/cloudevents+json", "application/cloudevents-batch+json", "application/json"];

    public static IEndpointRouteBuilder MapIngestEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/events", PostEventsAsync)
            .WithName("PostEvents")
            .WithSummary("Submit one CloudEvent or a batch of up to 1,000.")
            .Produces<IngestResponse>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        return endpoints;
    }

    private static async Task<IResult> PostEventsAsync(HttpContext context, IIngestPipeline pipeline, QuarantineStore quarantine, CancellationToken cancellationToken)
    {
        var mediaType = context.Request.ContentType?.Split(';')[0].Trim();
        if (mediaType is null || !AcceptedContentTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"Send {string.Join(", ", AcceptedContentTypes)}.");
        }

        var body = await RequestBodyLimits.Events.ReadAsync(context, cancellationToken);
        if (body is null)
        {
            return RequestBodyLimits.Events.TooLarge();
        }

        if (body.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Empty request", "The body must be a CloudEvent or a JSON array of them.");
        }

        var arrival = Arrival.Http(context.TraceIdentifier);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = RequestBodyLimits.Events.MaxJsonDepth });
        }
        catch (JsonException)
        {
            // Refused as a request, but kept: it may be an event someone needs.
            var id = (await quarantine.AddAsync([new QuarantineEntry(arrival, body, null, null, null,
                [new ValidationError("$", ValidationRules.MalformedJson, "The request body is not well-formed JSON.")])], cancellationToken))[0];
            return Problem(StatusCodes.Status400BadRequest, "Malformed JSON", "The request body is not well-formed JSON; it was quarantined.",
                new Dictionary<string, object?> { ["quarantineId"] = id });
        }

        using (document)
        {
            IReadOnlyList<InboundPayload> payloads;
            switch (document.RootElement.ValueKind)
            {
                case JsonValueKind.Object:
                    payloads = [new InboundPayload(body, arrival)];
                    break;
                case JsonValueKind.Array when document.RootElement.GetArrayLength() is 0:
                    return Problem(StatusCodes.Status400BadRequest, "Empty batch", "A batch holds 1 to 1,000 events.");
                case JsonValueKind.Array when document.RootElement.GetArrayLength() > MaxBatchSize:
                    return Problem(StatusCodes.Status413PayloadTooLarge, "Batch too large", $"A batch holds at most {MaxBatchSize} events; split it.");
                case JsonValueKind.Array:
                    payloads = [.. document.RootElement.EnumerateArray().Select((element, index) => new InboundPayload(
                        Encoding.UTF8.GetBytes(element.GetRawText()),
                        arrival with { Origin = new Dictionary<string, string>(arrival.Origin) { ["index"] = index.ToString(System.Globalization.CultureInfo.InvariantCulture) } }))];
                    break;
                default:
                    return Problem(StatusCodes.Status400BadRequest, "Not an event", "The body must be a CloudEvent (a JSON object) or a JSON array of them.");
            }

            var results = await pipeline.IngestAsync(payloads, cancellationToken);
            return TypedResults.Ok(IngestResponse.From(results));
        }
    }

    internal static IResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
}
