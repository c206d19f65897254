using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using YoungCarers.Projections;

namespace YoungCarers.Api.Health;

/// <summary>One projection in the readiness answer: names, counts and times only, nothing about families.</summary>
/// <param name="State">
/// <c>caught-up</c>; <c>behind</c> (events waiting, for less than the stall threshold);
/// <c>catching-up</c> (the oldest waiting event is older than the threshold, but the checkpoint
/// moves); <c>failing</c> (pages failed within the threshold); <c>stalled</c> (events have waited
/// longer than the threshold with the checkpoint standing still).
/// </param>
internal sealed record ProjectionReport(
    string Name,
    HealthStatus Status,
    string State,
    long EventsBehind,
    double SecondsBehind,
    double SecondsWithoutProgress,
    DateTimeOffset? CheckpointUpdatedAt,
    int ConsecutiveFailures,
    DateTimeOffset? LastFailureAt,
    string? LastError)
{
    public static ProjectionReport Of(ProjectionStatus status, TimeSpan stallAfter)
    {
        ArgumentNullException.ThrowIfNull(status);
        var (health, state) = status switch
        {
            { EventsBehind: > 0 } when status.WithoutProgress > stallAfter => (HealthStatus.Unhealthy, "stalled"),
            { ConsecutiveFailures: > 0 } when status.SinceLastFailure <= stallAfter => (HealthStatus.Degraded, "failing"),
            { EventsBehind: > 0 } when status.Lag > stallAfter => (HealthStatus.Degraded, "catching-up"),
            { EventsBehind: > 0 } => (HealthStatus.Healthy, "behind"),
            _ => (HealthStatus.Healthy, "caught-up"),
        };
        return new ProjectionReport(
            status.Projection,
            health,
            state,
            status.EventsBehind,
            Math.Round(status.Lag.TotalSeconds, 3),
            Math.Round(status.WithoutProgress.TotalSeconds, 3),
            status.CheckpointUpdatedAt,
            status.ConsecutiveFailures,
            status.LastFailureAt,
            status.LastError);
    }
}

/// <summary>
/// Readiness of the read model: unhealthy when a projection has stalled (events waiting longer than
/// <c>Projections:StallAfter</c> with its checkpoint standing still), degraded while one fails or
/// catches up from far behind. From the database, so every instance answers alike; an instance with
/// <c>Projections:Enabled</c> false reports the projections but is not judged on them.
/// </summary>
internal sealed class ProjectionHealthCheck(ProjectionStatusReader reader, ProjectionsOptions projections, ProjectionHealthOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ProjectionStatus> statuses;
        try
        {
            statuses = await reader.ReadAsync(cancellationToken);
        }
        catch (NpgsqlException e)
        {
            return new HealthCheckResult(projections.Enabled ? context.Registration.FailureStatus : HealthStatus.Healthy, "The projections' checkpoints cannot be read.", e);
        }

        var reports = statuses.Select(s => ProjectionReport.Of(s, options.StallAfter)).ToList();
        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["stallAfterSeconds"] = options.StallAfter.TotalSeconds,
            ["projections"] = reports,
        };
        if (!projections.Enabled)
        {
            return HealthCheckResult.Healthy("This instance runs no projections (Projections:Enabled is false): they are reported, not judged.", data);
        }

        var worst = reports.Count == 0 ? HealthStatus.Healthy : reports.Min(r => r.Status);
        var description = worst switch
        {
            HealthStatus.Unhealthy => "A projection has stalled.",
            HealthStatus.Degraded => "A projection is failing or catching up.",
            _ => "The projections are keeping up.",
        };
        return new HealthCheckResult(worst, description, data: data);
    }
}

/// <summary>Readiness settings: <c>Projections:StallAfter</c>.</summary>
internal sealed record ProjectionHealthOptions(TimeSpan StallAfter)
{
    public static readonly TimeSpan DefaultStallAfter = TimeSpan.FromSeconds(60);

    public static ProjectionHealthOptions From(IConfiguration configuration)
    {
        var stallAfter = configuration.GetValue("Projections:StallAfter", DefaultStallAfter);
        return stallAfter > TimeSpan.Zero
            ? new ProjectionHealthOptions(stallAfter)
            : throw new InvalidOperationException($"Projections:StallAfter must be a positive duration, not {stallAfter}.");
    }
}
