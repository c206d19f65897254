using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;
using Microsoft.IdentityModel.Tokens;

namespace YoungCarers.Api.Security;

/// <summary>
/// Answers a refused request with RFC 9457 problem details: 401 (no token, or one that is invalid or
/// expired; with the bearer challenge in <c>WWW-Authenticate</c>) or 403 (a valid token without the
/// scope the endpoint needs, named in the answer and in an <c>insufficient_scope</c> challenge).
/// </summary>
internal sealed class ProblemAuthorizationResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Challenged)
        {
            await ForEachSchemeAsync(policy, scheme => context.ChallengeAsync(scheme));
            var failure = (await context.AuthenticateAsync()).Failure;
            var detail = failure switch
            {
                SecurityTokenExpiredException => "The bearer token has expired.",
                not null => "The bearer token is not valid.",
                null when context.Request.Headers.Authorization.Count > 0 => "The Authorization header holds no bearer token.",
                _ => "This endpoint needs a bearer token (Authorization: Bearer ...).",
            };
            await WriteAsync(context, StatusCodes.Status401Unauthorized, "Authentication required", detail, null);
        }
        else if (authorizeResult.Forbidden)
        {
            await ForEachSchemeAsync(policy, scheme => context.ForbidAsync(scheme));
            var missing = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<ScopeRequirement>().Select(r => r.Scope).ToList() ?? [];
            if (missing.Count > 0)
            {
                context.Response.Headers.WWWAuthenticate = $"Bearer error=\"insufficient_scope\", scope=\"{string.Join(' ', missing)}\"";
            }

            await WriteAsync(context, StatusCodes.Status403Forbidden, "Insufficient scope",
                missing.Count > 0 ? $"This endpoint needs the scope {string.Join(" and ", missing)}, which the token does not grant." : "The token does not allow this request.",
                missing.Count > 0 ? new Dictionary<string, object?> { ["requiredScopes"] = missing } : null);
        }
        else
        {
            await next(context);
        }
    }

    private static async Task ForEachSchemeAsync(AuthorizationPolicy policy, Func<string?, Task> action)
    {
        if (policy.AuthenticationSchemes.Count == 0)
        {
            await action(null);
            return;
        }

        foreach (var scheme in policy.AuthenticationSchemes)
        {
            await action(scheme);
        }
    }

    private async Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        foreach (var (key, value) in extensions ?? new Dictionary<string, object?>())
        {
            problem.Extensions[key] = value;
        }

        await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
