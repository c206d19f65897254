namespace YoungCarers.Api.Reads;

/// <summary>A JSON body known in full: sent with its length, headers and body in one write, not chunked.</summary>
internal sealed class JsonBytesResult(ReadOnlyMemory<byte> body) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCodes.Status200OK;
        httpContext.Response.ContentType = "application/json; charset=utf-8";
        httpContext.Response.ContentLength = body.Length;
        await httpContext.Response.BodyWriter.WriteAsync(body, httpContext.RequestAborted);
    }
}
