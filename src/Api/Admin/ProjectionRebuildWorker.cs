using Npgsql;
using YoungCarers.EventStore.Connections;
using YoungCarers.Projections;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.Rebuild;

namespace YoungCarers.Api.Admin;

/// <summary>
/// Runs queued read model rebuilds (<see cref="ReadModelRebuild"/>) in the service, one at a time
/// across instances: the instance that runs one holds a session advisory lock for as long as it
/// runs, so a row left <c>running</c> with no holder belonged to a stopped instance. It starts as
/// soon as this instance queues one, and looks for rebuilds other instances queued every
/// <see cref="PollInterval"/>. First it queues one itself if the read model was built with older
/// rules than this release's.
/// </summary>
internal sealed partial class ProjectionRebuildWorker(NpgsqlDataSource dataSource, FamilyReadModel model, ProjectionsOptions projections, ILogger<ProjectionRebuildWorker> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(5);

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _queued = new(0, 1);

    /// <summary>Wakes the worker: a rebuild was just queued.</summary>
    public void Wake()
    {
        if (_queued.CurrentCount == 0)
        {
            try
            {
                _queued.Release();
            }
            catch (SemaphoreFullException)
            {
                // Woken twice at once: already awake.
            }
        }
    }

    public override void Dispose()
    {
        _queued.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // An instance that does not maintain projections (a read-only replica) leaves requests queued
        // for one that does: a rebuild writes the whole read model.
        if (!projections.Enabled)
        {
            return;
        }

        try
        {
            var rulesChecked = false;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (!rulesChecked)
                    {
                        await QueueRebuildForOlderRulesAsync(stoppingToken);
                        rulesChecked = true;
                    }

                    await RunQueuedAsync(stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
                {
                    LogUnavailable(e);
                }

                await _queued.WaitAsync(PollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping is the normal end, also while looking for a rebuild: a host that failed to start logs a cancelled task as "BackgroundService failed".
        }
    }

    /// <summary>
    /// Once, when the database first answers: a read model built with older rules
    /// (<see cref="ReadModelRules"/>) is rebuilt, while the old one keeps serving, so a release that
    /// changes the rules or the documents reaches every family, not only those whose events move on.
    /// Instances starting together queue one rebuild.
    /// </summary>
    private async Task QueueRebuildForOlderRulesAsync(CancellationToken stoppingToken)
    {
        if (await ReadModelRules.BuiltWithAsync(dataSource, stoppingToken) is not { } builtWith)
        {
            await ReadModelRules.RecordForNewReadModelAsync(dataSource, stoppingToken);
            return;
        }

        if (builtWith >= ReadModelRules.Current)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        await using var transaction = await connection.BeginTransactionAsync(stoppingToken);
        var (rebuild, created) = await ProjectionRebuilds.RequestAsync(
            connection, transaction, $"service start: read model rules {builtWith}, this release {ReadModelRules.Current}", stoppingToken);
        await transaction.CommitAsync(stoppingToken);
        LogRebuildForRules(builtWith, ReadModelRules.Current, rebuild.RebuildId, created ? "queued" : "already queued");
    }

    private async Task RunQueuedAsync(CancellationToken stoppingToken)
    {
        await using var runner = await dataSource.OpenConnectionAsync(stoppingToken);
        if (!await SessionLocks.TryAcquireAsync(runner, ProjectionRebuilds.RunnerLockSpace, 0, stoppingToken))
        {
            return;
        }

        try
        {
            // Holding the lock, so any row still running was left by an instance that stopped.
            await using (var sweep = new NpgsqlCommand(
                $"UPDATE projection_rebuilds SET status = 'failed', finished_at = now(), error = '{ProjectionRebuilds.Abandoned}' WHERE status = 'running'", runner))
            {
                await sweep.ExecuteNonQueryAsync(stoppingToken);
            }

            await using var claim = new NpgsqlCommand("""
                UPDATE projection_rebuilds SET status = 'running', started_at = now()
                WHERE rebuild_id = (SELECT min(rebuild_id) FROM projection_rebuilds WHERE status = 'queued')
                RETURNING rebuild_id
                """, runner);
            if (await claim.ExecuteScalarAsync(stoppingToken) is long rebuildId)
            {
                await RunAsync(rebuildId, stoppingToken);
            }
        }
        finally
        {
            await SessionLocks.ReleaseAsync(runner, ProjectionRebuilds.RunnerLockSpace, 0);
        }
    }

    private async Task RunAsync(long rebuildId, CancellationToken stoppingToken)
    {
        LogStarted(rebuildId);
        var progress = new LatestProgress();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var reporting = ReportProgressAsync(rebuildId, progress, done.Token);
        try
        {
            var result = await new ReadModelRebuild(dataSource, model).RunAsync(new RebuildOptions(), progress, stoppingToken);
            await done.CancelAsync();
            await reporting;
            await FinishAsync(rebuildId, "succeeded", "swap", result.Events + result.CatchUpEvents, result.Families, null);
            LogSucceeded(rebuildId, result.Events + result.CatchUpEvents, result.Families);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await done.CancelAsync();
            await reporting;
            var error = stoppingToken.IsCancellationRequested ? "stopped: the service shut down during the rebuild" : $"{e.GetType().Name}: {e.Message}";
            await FinishAsync(rebuildId, "failed", progress.Latest?.Phase, progress.Latest?.Events ?? 0, null, error);
            LogFailed(e, rebuildId);
        }
    }

    private async Task ReportProgressAsync(long rebuildId, LatestProgress progress, CancellationToken done)
    {
        using var timer = new PeriodicTimer(ProgressInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(done))
            {
                if (progress.Latest is { } latest)
                {
                    await using var command = dataSource.CreateCommand(
                        "UPDATE projection_rebuilds SET phase = @phase, events_processed = @events WHERE rebuild_id = @id AND status = 'running'");
                    command.Parameters.AddWithValue("id", rebuildId);
                    command.Parameters.AddWithValue("phase", latest.Phase);
                    command.Parameters.AddWithValue("events", latest.Events);
                    await command.ExecuteNonQueryAsync(done);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The rebuild finished; its final figures are written by FinishAsync.
        }
    }

    private async Task FinishAsync(long rebuildId, string status, string? phase, long events, int? families, string? error)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE projection_rebuilds
            SET status = @status, finished_at = now(), phase = @phase, events_processed = @events, families = @families, error = @error
            WHERE rebuild_id = @id
            """);
        command.Parameters.AddWithValue("id", rebuildId);
        command.Parameters.AddWithValue("status", status);
        command.Parameters.AddWithValue("phase", (object?)phase ?? DBNull.Value);
        command.Parameters.AddWithValue("events", events);
        command.Parameters.AddWithValue("families", (object?)families ?? DBNull.Value);
        command.Parameters.AddWithValue("error", (object?)error ?? DBNull.Value);
        await command.ExecuteNonQueryAsync(CancellationToken.None);
    }

    /// <summary>Keeps only the latest report; the reporting loop writes it once a second.</summary>
    private sealed class LatestProgress : IProgress<RebuildProgress>
    {
        private RebuildProgress? _latest;

        public RebuildProgress? Latest => Volatile.Read(ref _latest);

        public void Report(RebuildProgress value) => Volatile.Write(ref _latest, value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild {RebuildId} of the read model started")]
    private partial void LogStarted(long rebuildId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuild {RebuildId} of the read model succeeded: {Events} events, {Families} families")]
    private partial void LogSucceeded(long rebuildId, long events, int families);

    [LoggerMessage(Level = LogLevel.Error, Message = "Rebuild {RebuildId} of the read model failed")]
    private partial void LogFailed(Exception exception, long rebuildId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "The read model was built with rules version {BuiltWith}; this release has {Current}: rebuild {RebuildId} {State}, the old read model serves until it swaps in")]
    private partial void LogRebuildForRules(int builtWith, int current, long rebuildId, string state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot look for queued read model rebuilds; trying again shortly")]
    private partial void LogUnavailable(Exception exception);
}
