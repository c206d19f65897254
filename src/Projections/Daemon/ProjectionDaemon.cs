using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Connections;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.Projections.Daemon;

public sealed record ProjectionDaemonOptions
{
    public int PageSize { get; init; } = 1000;

    /// <summary>
    /// How often a caught-up leader looks for new events, and a standby for a lost leader. Short,
    /// because it adds to every event's lag and the look (an index probe) costs next to nothing.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(25);

    /// <summary>The wait after a failure before trying again (the page is retried, never skipped).</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Keeps each projection up to date. One instance leads per projection, holding a PostgreSQL
/// session advisory lock on its own connection; others wait and take over when that session
/// ends (the leader stopped, crashed or lost its connection). Each page of events is applied and
/// the checkpoint advanced in one transaction on that connection, and the checkpoint only
/// advances from where this leader last left it, so even two instances that both believe they
/// lead cannot apply an event twice. A page that fails is retried from the checkpoint, never
/// skipped; the run of failures is recorded in <c>projection_failures</c> for readiness.
/// </summary>
public sealed partial class ProjectionDaemon(
    NpgsqlDataSource dataSource,
    IEnumerable<IProjection> projections,
    ProjectionDaemonOptions options,
    ILogger<ProjectionDaemon> logger) : BackgroundService
{
    // pg_advisory_lock(int, int) key space for projection leadership ("YCPR").
    internal const int LockSpace = 0x5943_5052;
    private readonly AllEventsReader _reader = new(dataSource);
    private readonly ProjectionCheckpoints _checkpoints = new(dataSource);

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(projections.Select(projection => RunAsync(projection, stoppingToken)));

    private async Task RunAsync(IProjection projection, CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await LeadAsync(projection, stoppingToken);
                }
                catch (Exception e) when (e is NpgsqlException or LostCheckpointException or ProjectionFailedException)
                {
                    LogFailed(projection.Name, e);
                    await Task.Delay(options.RetryDelay, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping is the normal end, also while waiting to retry: a host that failed to start logs a cancelled task as "BackgroundService failed".
        }
    }

    private async Task LeadAsync(IProjection projection, CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        await SessionLocks.AcquireAsync(connection, LockSpace, SessionLocks.KeyOf(projection.Name), options.PollInterval, stoppingToken);
        LogLeading(projection.Name);
        try
        {
            await FollowAsync(projection, connection, stoppingToken);
        }
        finally
        {
            await SessionLocks.ReleaseAsync(connection, LockSpace, SessionLocks.KeyOf(projection.Name));
        }
    }

    /// <summary>Applies the projection page by page from its checkpoint, for as long as this instance leads it.</summary>
    private async Task FollowAsync(IProjection projection, NpgsqlConnection connection, CancellationToken stoppingToken)
    {
        var position = await _checkpoints.LoadAsync(projection.Name, stoppingToken);
        // A previous leader (this instance or another) may have left a run of failures recorded.
        var failuresMayBeRecorded = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            var page = await _reader.ReadPointersAsync(position, options.PageSize, stoppingToken);
            if (page.Count == 0)
            {
                // Also proves the leadership session is still there.
                await using var ping = new NpgsqlCommand("SELECT 1", connection);
                await ping.ExecuteScalarAsync(stoppingToken);
                await Task.Delay(options.PollInterval, stoppingToken);
                continue;
            }

            try
            {
                await ApplyPageAsync(projection, page, position, failuresMayBeRecorded, connection, stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or ProjectionFailedException && !stoppingToken.IsCancellationRequested)
            {
                await RecordFailureAsync(projection.Name, e, stoppingToken);
                throw;
            }

            failuresMayBeRecorded = false;
            position = page[^1].Position;
        }
    }

    private static async Task ApplyPageAsync(
        IProjection projection,
        IReadOnlyList<EventPointer> page,
        GlobalPosition position,
        bool clearFailures,
        NpgsqlConnection connection,
        CancellationToken stoppingToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(stoppingToken);

        // A rebuild swapping this projection's tables holds this exclusively: wait for it (the
        // checkpoint it sets then tells this leader to reload).
        await ReadModel.ReadModelSchema.EnterSharedAsync(projection.Name, connection, transaction, stoppingToken);
        try
        {
            await projection.ApplyAsync(page, connection, transaction, stoppingToken);
        }
        catch (Exception e) when (e is not (OperationCanceledException or NpgsqlException))
        {
            throw new ProjectionFailedException(projection.Name, page[0].Position, e);
        }

        if (!await ProjectionCheckpoints.AdvanceAsync(projection.Name, position, page[^1].Position, connection, transaction, stoppingToken))
        {
            throw new LostCheckpointException(projection.Name);
        }

        if (clearFailures)
        {
            await ProjectionFailures.ClearAsync(projection.Name, connection, transaction, stoppingToken);
        }

        await transaction.CommitAsync(stoppingToken);
    }

    /// <summary>Records a failed page for readiness; if even that fails, the stalled checkpoint still shows.</summary>
    private async Task RecordFailureAsync(string projection, Exception error, CancellationToken stoppingToken)
    {
        try
        {
            await ProjectionFailures.RecordAsync(dataSource, projection, error, stoppingToken);
        }
        catch (NpgsqlException e)
        {
            LogFailureNotRecorded(projection, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Leading projection {Projection}")]
    private partial void LogLeading(string projection);

    [LoggerMessage(Level = LogLevel.Error, Message = "Projection {Projection} failed; it will retry from its checkpoint")]
    private partial void LogFailed(string projection, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record the failure of projection {Projection}")]
    private partial void LogFailureNotRecorded(string projection, Exception exception);

    private sealed class LostCheckpointException(string projection)
        : Exception($"The checkpoint of projection {projection} moved under this worker: another instance leads it.");
}

/// <summary>A projection threw while applying a page; nothing of the page was kept.</summary>
public sealed class ProjectionFailedException(string projection, GlobalPosition at, Exception inner)
    : Exception($"Projection {projection} failed applying events from {at}.", inner);
