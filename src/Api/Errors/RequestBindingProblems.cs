using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace YoungCarers.Api.Errors;

/// <summary>
/// A query value, route value or body the framework cannot bind (an <c>asOf</c> that is not an
/// instant, a <c>limit</c> that is not a number, a body field of the wrong JSON type) is answered
/// with problem details naming the parameter and what it must be, instead of the framework's bare
/// 400. The value sent is never repeated: it may be personal data.
/// </summary>
internal sealed partial class RequestBindingProblems(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || httpContext.Response.HasStarted)
        {
            return false;
        }

        var (title, detail, parameter) = Describe(bad);
        httpContext.Response.StatusCode = bad.StatusCode;
        var problem = new ProblemDetails { Status = bad.StatusCode, Title = title, Detail = detail };
        if (parameter is not null)
        {
            problem.Extensions["parameter"] = parameter;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static (string Title, string Detail, string? Parameter) Describe(BadHttpRequestException bad)
    {
        if (bad.InnerException is JsonException json)
        {
            var field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : null;
            return ("Invalid request body", field is null
                ? "The request body is not valid JSON of the shape this endpoint takes (see the OpenAPI document)."
                : $"{field} in the request body has the wrong JSON type (see the OpenAPI document for its type).", field);
        }

        if (BindFailure().Match(bad.Message) is { Success: true } bind)
        {
            var name = bind.Groups["name"].Value;
            return ($"Invalid {name}", $"{name} must be {Expected(bind.Groups["type"].Value)}.", name);
        }

        if (Missing().Match(bad.Message) is { Success: true } missing)
        {
            var name = missing.Groups["name"].Value;
            return missing.Groups["source"].Value == "body"
                ? ("Missing request body", "This endpoint takes a JSON request body (see the OpenAPI document).", null)
                : ($"Missing {name}", $"{name} is required.", name);
        }

        return (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType ? "Unsupported media type" : "Invalid request", bad.Message, null);
    }

    private static string Expected(string type) => Unwrapped(type) switch
    {
        "DateTimeOffset" or "DateTime" => "an instant in RFC 3339 form, such as 2025-04-01T09:00:00Z",
        "DateOnly" => "a date, yyyy-mm-dd",
        "int" or "long" or "short" => "a whole number",
        "decimal" or "double" or "float" => "a number",
        "bool" => "true or false",
        "Guid" => "a UUID",
        _ => "a valid value",
    };

    /// <summary>The framework names an optional parameter's type Nullable&lt;T&gt;.</summary>
    private static string Unwrapped(string type) =>
        type.StartsWith("Nullable<", StringComparison.Ordinal) && type.EndsWith('>') ? type["Nullable<".Length..^1] : type.TrimEnd('?');

    // The framework's wording (RequestDelegateFactory): stable across releases, and the only place the parameter is named.
    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>\w+)" from""")]
    private static partial Regex BindFailure();

    [GeneratedRegex("""^Required parameter "(?<type>\S+) (?<name>\w+)" was not provided from (?<source>\w+)""")]
    private static partial Regex Missing();
}

internal static class RequestBindingProblemsRegistration
{
    /// <summary>Binding failures reach <see cref="RequestBindingProblems"/> as exceptions rather than bare 400s.</summary>
    public static IServiceCollection AddRequestBindingProblems(this IServiceCollection services)
    {
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<RequestBindingProblems>();
        return services;
    }
}
