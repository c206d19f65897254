using System.Text.Json;
using Microsoft.Extensions.Options;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace YoungCarers.Api.Reads;

/// <summary>
/// A JSON body known in full, sent with its entity tag (<see cref="EntityTags"/>): with its length,
/// headers and body in one write, not chunked.
/// </summary>
/// <param name="entityTag">The body's tag when it is not the hash of the body itself.</param>
internal sealed class JsonBytesResult(ReadOnlyMemory<byte> body, string? entityTag = null) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => EntityTags.SendAsync(httpContext, body, entityTag ?? EntityTags.Of(body.Span));

    /// <summary>
    /// <paramref name="value"/> written once with the service's JSON options, as <c>TypedResults.Ok</c>
    /// would write it, so that its bytes can be tagged before they are sent.
    /// </summary>
    public static JsonBytesResult Ok<T>(HttpContext httpContext, T value) => new(Serialize(httpContext, value));

    /// <summary>
    /// As <see cref="Ok{T}(HttpContext, T)"/>, tagged by <paramref name="taggedAs"/>: the value without
    /// what differs on every request (the instant it was computed), so an unchanged answer is still 304.
    /// </summary>
    public static JsonBytesResult Ok<T>(HttpContext httpContext, T value, T taggedAs) =>
        new(Serialize(httpContext, value), EntityTags.Of(Serialize(httpContext, taggedAs)));

    /// <summary>Sends <paramref name="body"/> as a 200 response; once this returns, the response has its own copy.</summary>
    public static async Task SendAsync(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.ContentLength = body.Length;
        await httpContext.Response.BodyWriter.WriteAsync(body, httpContext.RequestAborted);
    }

    private static byte[] Serialize<T>(HttpContext httpContext, T value)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        return JsonSerializer.SerializeToUtf8Bytes(value, httpContext.RequestServices.GetRequiredService<IOptions<HttpJsonOptions>>().Value.SerializerOptions);
    }
}
