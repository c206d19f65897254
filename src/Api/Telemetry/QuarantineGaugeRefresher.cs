using Npgsql;

namespace YoungCarers.Api.Telemetry;

/// <summary>Counts the open quarantine entries every <c>OpenTelemetry:QuarantineRefresh</c> (30 s) for the gauge, off the collection path.</summary>
internal sealed partial class QuarantineGaugeRefresher(NpgsqlDataSource dataSource, IConfiguration configuration, ILogger<QuarantineGaugeRefresher> logger) : BackgroundService
{
    private static readonly TimeSpan FirstCountDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        ServiceMetrics.RegisterQuarantineGauge();
        var interval = configuration.GetValue<TimeSpan?>("OpenTelemetry:QuarantineRefresh") ?? TimeSpan.FromSeconds(30);
        using var timer = new PeriodicTimer(interval);
        // The first count waits a little, for start-up's schema migration.
        await Task.Delay(interval < FirstCountDelay ? interval : FirstCountDelay, stoppingToken);
        do
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT count(*) FROM quarantine WHERE status = 'open'");
                ServiceMetrics.SetQuarantineOpen((long)(await command.ExecuteScalarAsync(stoppingToken))!);
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                // The schema may not be there yet, or the database is down (readiness reports that).
                LogRefreshFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not count open quarantine entries")]
    private partial void LogRefreshFailed(Exception error);
}
