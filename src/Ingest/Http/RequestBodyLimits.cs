using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using YoungCarers.Domain.Contract;

namespace YoungCarers.Ingest.Http;

/// <summary>
/// The caps on a request body: its size in bytes and how deeply its JSON may nest. <c>POST /events</c>
/// reads its body with <see cref="ReadAsync"/>; every other write carries its caps as endpoint metadata
/// (<see cref="RequestBodyLimitsExtensions.WithBodyLimits{TBuilder}"/>) and <see cref="RequestBodyLimitsExtensions.UseRequestBodyLimits"/> enforces them before
/// the body is bound: 413 problem details for a body too large, 400 for JSON nested too deeply.
/// </summary>
public sealed record RequestBodyLimits(long MaxBytes, int MaxJsonDepth)
{
    /// <summary>A full batch of the largest events allowed would be 256 MiB; real batches are far smaller. One level more than an event may have, for the batch array around them.</summary>
    public static RequestBodyLimits Events { get; } = new(16 * 1024 * 1024, InboundLimits.MaxJsonDepth + 1);

    /// <summary>A quarantined event resubmitted corrected: one event's caps.</summary>
    public static RequestBodyLimits CorrectedEvent { get; } = new(InboundLimits.MaxEventBytes, InboundLimits.MaxJsonDepth);

    /// <summary>
    /// The dispute, obligation and administrative writes: a few ids and free-text fields of at most
    /// 2,000 characters, nested three levels at most, so 64 KiB and 32 levels leave ample room for any
    /// real request while bounding what parsing one costs.
    /// </summary>
    public static RequestBodyLimits Writes { get; } = new(64 * 1024, 32);

    /// <summary>The whole body, or null when it exceeds <see cref="MaxBytes"/>.</summary>
    public async Task<byte[]?> ReadAsync(HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.ContentLength > MaxBytes)
        {
            return null;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBytes;
        }

        var buffer = new ArrayBufferWriter<byte>();
        try
        {
            while (true)
            {
                var read = await context.Request.Body.ReadAsync(buffer.GetMemory(64 * 1024), cancellationToken);
                if (read == 0)
                {
                    return buffer.WrittenSpan.ToArray();
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > MaxBytes)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }

    /// <summary>413: the body exceeds <see cref="MaxBytes"/>.</summary>
    public IResult TooLarge() =>
        IngestEndpoints.Problem(StatusCodes.Status413PayloadTooLarge, "Request too large", $"A request body is at most {MaxBytes} bytes.");

    /// <summary>
    /// Whether <paramref name="json"/> nests deeper than <see cref="MaxJsonDepth"/> (the outermost
    /// object or array is level 1). JSON that is not well formed is not judged here: binding refuses it.
    /// </summary>
    public bool TooDeep(ReadOnlySpan<byte> json)
    {
        // One level more than allowed, so the reader stops at the first level too deep instead of failing on it.
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxJsonDepth + 1 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= MaxJsonDepth)
                {
                    return true;
                }
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }
}

/// <summary>Puts write endpoints under <see cref="RequestBodyLimits"/>.</summary>
public static class RequestBodyLimitsExtensions
{
    /// <summary>Puts an endpoint's body under <paramref name="limits"/> (enforced by <see cref="UseRequestBodyLimits"/>).</summary>
    public static TBuilder WithBodyLimits<TBuilder>(this TBuilder builder, RequestBodyLimits limits)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(limits);

    /// <summary>
    /// Enforces the caps an endpoint carries before its body is bound, and leaves the body, read in
    /// full, for binding. Requests to endpoints without caps (every read) pass at the cost of a method check.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyLimits(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsGet(context.Request.Method) || context.GetEndpoint()?.Metadata.GetMetadata<RequestBodyLimits>() is not { } limits)
            {
                await next(context);
                return;
            }

            var body = await limits.ReadAsync(context, context.RequestAborted);
            IResult? refused = body is null ? limits.TooLarge()
                : limits.TooDeep(body) ? IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Request body too deep",
                    $"JSON in the request body is nested at most {limits.MaxJsonDepth} levels deep.")
                : null;
            if (refused is not null)
            {
                await refused.ExecuteAsync(context);
                return;
            }

            context.Request.Body = new MemoryStream(body!, writable: false);
            await next(context);
        });
}
