using Npgsql;
using YoungCarers.Api.Health;
using YoungCarers.Api.Reads;

namespace YoungCarers.Api.Telemetry;

/// <summary>
/// Refreshes <see cref="DatabaseGauges"/> every <c>OpenTelemetry:GaugeRefresh</c> (30 s), off the
/// collection path: open quarantine entries, open and overdue obligations by service, and each
/// projection's lag. Each is read on its own, so one that fails leaves the others current, and only
/// while something collects it: counting a large read model's obligations every 30 s for no one is
/// load on a shared database for nothing.
/// </summary>
internal sealed partial class DatabaseGaugeRefresher(
    NpgsqlDataSource dataSource,
    ProjectionStatusReader projections,
    DatabaseGauges gauges,
    IConfiguration configuration,
    ILogger<DatabaseGaugeRefresher> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRefreshDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue<TimeSpan?>("OpenTelemetry:GaugeRefresh") ?? TimeSpan.FromSeconds(30);
        using var timer = new PeriodicTimer(interval);
        try
        {
            // The first refresh waits a little, for start-up's schema migration.
            await Task.Delay(interval < FirstRefreshDelay ? interval : FirstRefreshDelay, stoppingToken);
            do
            {
                await RefreshAsync(DatabaseGauges.QuarantineOpen, RefreshQuarantineAsync, stoppingToken);
                await RefreshAsync(DatabaseGauges.Obligations, RefreshObligationsAsync, stoppingToken);
                await RefreshAsync(DatabaseGauges.ProjectionLag, async ct => gauges.SetProjections(await projections.ReadAsync(ct)), stoppingToken);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping is the normal end: a host that failed to start logs a cancelled task as "BackgroundService failed".
        }
    }

    private async Task RefreshAsync(string gauge, Func<CancellationToken, Task> refresh, CancellationToken stoppingToken)
    {
        if (!gauges.IsObserved(gauge))
        {
            gauges.Forget(gauge);
            return;
        }

        try
        {
            await refresh(stoppingToken);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
        {
            // The schema may not be there yet, a rebuild may be swapping the read model, or the
            // database is down (readiness reports that); the gauge keeps its last value.
            LogRefreshFailed(gauge, e);
        }
    }

    private async Task RefreshQuarantineAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM quarantine WHERE status = 'open'");
        gauges.SetQuarantineOpen((long)(await command.ExecuteScalarAsync(cancellationToken))!);
    }

    private async Task RefreshObligationsAsync(CancellationToken cancellationToken)
    {
        // The statuses are written into the text, as the obligations list writes its filter, so the
        // planner can count them from the index of obligations not met instead of reading the whole table.
        var statuses = string.Join(", ", DatabaseGauges.CountedStatuses.Select(status => ListEndpoints.Literal(status, ListEndpoints.ObligationStatuses)));
        await using var command = dataSource.CreateCommand($"""
            SELECT owed_by, status, count(*)
            FROM read_model.obligations
            WHERE status IN ({statuses})
            GROUP BY owed_by, status
            """);
        var counts = new Dictionary<(string, string), long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            counts[(reader.GetString(0), reader.GetString(1))] = reader.GetInt64(2);
        }

        gauges.SetObligations(counts);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not refresh the {Gauge} gauge")]
    private partial void LogRefreshFailed(string gauge, Exception error);
}
