using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.RateLimiting;

/// <summary>
/// Per-client request limits (a fixed window per token client id, or per remote address for callers
/// without a valid token), from the <c>RateLimiting</c> section: <c>PermitLimit</c> requests per
/// <c>Window</c>, <c>Enabled</c>. Over the limit: 429 with <c>Retry-After</c> and problem details.
/// Health probes are never limited.
/// </summary>
internal static class RateLimitingRegistration
{
    public const string Section = "RateLimiting";
    public const int DefaultPermitLimit = 600;
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    public static WebApplicationBuilder AddServiceRateLimiting(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(Section);
        if (!section.GetValue("Enabled", true))
        {
            return builder;
        }

        var permitLimit = section.GetValue("PermitLimit", DefaultPermitLimit);
        var window = section.GetValue<TimeSpan?>("Window") ?? DefaultWindow;
        if (permitLimit < 1 || window <= TimeSpan.Zero)
        {
            throw new SecurityConfigurationException("RateLimiting:PermitLimit must be at least 1 and RateLimiting:Window longer than zero.");
        }

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                context.Request.Path.StartsWithSegments("/health")
                    ? RateLimitPartition.GetNoLimiter("health")
                    : RateLimitPartition.GetFixedWindowLimiter(PartitionKey(context), _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = permitLimit,
                        Window = window,
                        QueueLimit = 0,
                        AutoReplenishment = true,
                    }));
            options.OnRejected = OnRejectedAsync;
        });
        return builder;
    }

    public static WebApplication UseServiceRateLimiting(this WebApplication app)
    {
        if (app.Services.GetService<Microsoft.Extensions.Options.IOptions<RateLimiterOptions>>()?.Value.GlobalLimiter is not null)
        {
            app.UseRateLimiter();
        }

        return app;
    }

    /// <summary>The token's client when the caller has a valid one; otherwise the remote address.</summary>
    internal static string PartitionKey(HttpContext context) =>
        CallerIdentity.ClientOf(context.User) is { } client
            ? $"client:{client}"
            : $"address:{context.Connection.RemoteIpAddress?.ToString() ?? "unknown"}";

    private static async ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : (TimeSpan?)null;
        var seconds = (int)Math.Ceiling(Math.Max(1, retryAfter?.TotalSeconds ?? 1));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var problem = new ProblemDetails
        {
            Status = StatusCodes.Status429TooManyRequests,
            Title = "Too many requests",
            Detail = $"This client has used its requests for now; retry after {seconds} s.",
        };
        problem.Extensions["retryAfterSeconds"] = seconds;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>()
            .TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem });
    }
}
