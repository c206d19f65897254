using System.Globalization;
using System.IO.Hashing;
using Microsoft.Extensions.Primitives;

namespace YoungCarers.Api.Reads;

/// <summary>
/// Entity tags for the read API's answers: a hash of the body's bytes, sent with Cache-Control
/// "private, no-cache" so a client revalidates each time, and 304 without a body when the
/// request's If-None-Match already names the tag (strong or weak, in a list, or <c>*</c>).
/// </summary>
internal static class EntityTags
{
    public const string CacheControl = "private, no-cache";

    /// <summary>Sends <paramref name="body"/> as a 200 response with <paramref name="tag"/>, or 304 when the caller has it already.</summary>
    public static Task SendAsync(HttpContext httpContext, ReadOnlyMemory<byte> body, string tag)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var headers = httpContext.Response.Headers;
        headers.ETag = tag;
        headers.CacheControl = CacheControl;
        if (Matches(httpContext.Request.Headers.IfNoneMatch, tag))
        {
            httpContext.Response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        return JsonBytesResult.SendAsync(httpContext, body);
    }

    /// <summary>
    /// A quoted hex XxHash128 of the bytes: an entity tag only has to change with the body, which needs
    /// no cryptographic hash, and this one runs on every read, the busiest included.
    /// </summary>
    public static string Of(ReadOnlySpan<byte> body) =>
        string.Create(34, XxHash128.HashToUInt128(body), static (text, hash) =>
        {
            text[0] = '"';
            hash.TryFormat(text[1..^1], out _, "x32", CultureInfo.InvariantCulture);
            text[^1] = '"';
        });

    /// <summary>Whether an If-None-Match header names <paramref name="tag"/> (weak comparison, as RFC 9110 has for it) or is <c>*</c>.</summary>
    public static bool Matches(StringValues ifNoneMatch, string tag)
    {
        foreach (var value in ifNoneMatch)
        {
            var text = value.AsSpan();
            foreach (var range in text.Split(','))
            {
                var candidate = text[range].Trim();
                if (candidate.StartsWith("W/", StringComparison.Ordinal))
                {
                    candidate = candidate[2..];
                }

                if (candidate is "*" || candidate.SequenceEqual(tag))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
