using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace YoungCarers.Api.Health;

internal static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    private static readonly JsonSerializerOptions ReportJson = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter() },
    };

    public static IServiceCollection AddServiceHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(ProjectionHealthOptions.From(configuration));
        services.TryAddSingleton<ProjectionStatusReader>();
        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [ReadyTag])
            .AddCheck<ProjectionHealthCheck>("projections", tags: [ReadyTag]);
        return services;
    }

    /// <summary>
    /// <c>/health/live</c>: the process is up (no dependencies checked, so an orchestrator does not
    /// restart it for a database outage). <c>/health/ready</c>: it can serve (database reachable and
    /// no projection stalled; 503 otherwise), answered as JSON with each check's status and the
    /// projections' lag. Both anonymous, for orchestrators' probes; they say nothing about families.
    /// </summary>
    public static WebApplication MapServiceHealthChecks(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new() { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new()
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReportAsync,
        }).AllowAnonymous();
        return app;
    }

    /// <summary>Each check's status, description and data; never an exception's message or stack.</summary>
    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        var body = new
        {
            status = report.Status,
            checks = report.Entries.ToDictionary(
                entry => entry.Key,
                entry => new
                {
                    status = entry.Value.Status,
                    description = entry.Value.Description,
                    data = entry.Value.Data.Count == 0 ? null : entry.Value.Data,
                },
                StringComparer.Ordinal),
        };
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, ReportJson), context.RequestAborted);
    }

    private sealed class DatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (NpgsqlException e)
            {
                return HealthCheckResult.Unhealthy("The database is unreachable.", e);
            }
        }
    }
}
