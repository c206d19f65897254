namespace YoungCarers.Api.Reads;

/// <summary>A JSON body known in full: sent with its length, headers and body in one write, not chunked.</summary>
internal sealed class JsonBytesResult(ReadOnlyMemory<byte> body) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext) => SendAsync(httpContext, body);

    /// <summary>Sends <paramref name="body"/> as a 200 response; once this returns, the response has its own copy.</summary>
    public static async Task SendAsync(HttpContext httpContext, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.ContentLength = body.Length;
        await httpContext.Response.BodyWriter.WriteAsync(body, httpContext.RequestAborted);
    }
}
