using Npgsql;
using YoungCarers.Projections;
using YoungCarers.Projections.ReadModel;

namespace YoungCarers.Api.Admin;

/// <summary>
/// Once the database answers (after the migrations): a read model built with older rules
/// (<see cref="ReadModelRules"/>) is rebuilt in the background by the rebuild worker, while the old
/// one keeps serving, so a release that changes the rules or the documents reaches every family, not
/// only those whose events move on. Only an instance that maintains the projections asks;
/// concurrent asks queue one rebuild. Start-up does not wait for it: a service whose database is
/// down still starts, and asks once the database is back.
/// </summary>
internal sealed partial class ReadModelRulesCheck(
    NpgsqlDataSource dataSource, ProjectionsOptions projections, ProjectionRebuildWorker worker, ILogger<ReadModelRulesCheck> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!projections.Enabled)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await CheckAsync(stoppingToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogUnavailable(e);
            }

            try
            {
                await Task.Delay(ProjectionRebuildWorker.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        if (await ReadModelRules.BuiltWithAsync(dataSource, cancellationToken) is not { } builtWith)
        {
            await ReadModelRules.RecordForNewReadModelAsync(dataSource, cancellationToken);
            return;
        }

        if (builtWith >= ReadModelRules.Current)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var (rebuild, created) = await ProjectionRebuilds.RequestAsync(
            connection, transaction, $"service start: read model rules {builtWith}, this release {ReadModelRules.Current}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogRebuildForRules(builtWith, ReadModelRules.Current, rebuild.RebuildId, created ? "queued" : "already queued");
        worker.Wake();
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The read model was built with rules version {BuiltWith}; this release has {Current}: rebuild {RebuildId} {State}, the old read model serves until it swaps in")]
    private partial void LogRebuildForRules(int builtWith, int current, long rebuildId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot compare the read model's rules version with this release's; trying again shortly")]
    private partial void LogUnavailable(Exception exception);
}
