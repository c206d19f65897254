using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using YoungCarers.EventStore.Connections;
using YoungCarers.Projections.ReadModel;

namespace YoungCarers.Projections.Deadlines;

public sealed record DeadlineWorkerOptions
{
    /// <summary>Families re-evaluated per transaction.</summary>
    public int BatchSize { get; init; } = 100;

    /// <summary>How often the leader looks for due families when none were due, and a standby for a lost leader.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The wait after a failure before trying again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Fires the durable deadline schedule (<c>read_model.deadlines</c>): a family's answers change with
/// the clock alone (an obligation falls overdue, a child turns 18), so when its <c>due_at</c> passes
/// it is re-evaluated with no new event. One instance leads, by a session advisory lock; each batch
/// takes due rows with <c>FOR UPDATE SKIP LOCKED</c>, rewrites those families and replaces their
/// <c>due_at</c> with the next change in one transaction, so a deadline fires once and a restart
/// loses none.
/// </summary>
public sealed partial class DeadlineWorker(
    NpgsqlDataSource dataSource,
    FamilyReadModel model,
    DeadlineWorkerOptions options,
    ILogger<DeadlineWorker> logger) : BackgroundService
{
    private long _familiesFired;

    /// <summary>How many family evaluations this instance has fired (for tests and operators).</summary>
    public long FamiliesFired => Interlocked.Read(ref _familiesFired);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await LeadAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever failed (the database, a family that cannot be evaluated), the batch was
                // rolled back and its rows stay due: try again rather than stop the host.
                LogFailed(e);
                try
                {
                    await Task.Delay(options.RetryDelay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Fires every family due now, one batch per transaction; returns how many were re-evaluated.</summary>
    public async Task<int> FireDueAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var total = 0;
        while (true)
        {
            var (taken, fired) = await FireBatchAsync(connection, cancellationToken);
            total += fired;
            // A short batch means nothing more is due; a batch of families all being rewritten by
            // the projection right now is left for the next poll rather than spun on.
            if (taken < options.BatchSize || fired == 0)
            {
                return total;
            }
        }
    }

    private async Task LeadAsync(CancellationToken stoppingToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
        await SessionLocks.AcquireAsync(connection, ReadModelSchema.DeadlineLockSpace, 0, options.PollInterval, stoppingToken);

        LogLeading();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await FireDueAsync(connection, stoppingToken);
                await Task.Delay(options.PollInterval, stoppingToken);
            }
        }
        finally
        {
            await SessionLocks.ReleaseAsync(connection, ReadModelSchema.DeadlineLockSpace, 0);
        }
    }

    private async Task<(int Taken, int Fired)> FireBatchAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ReadModelSchema.EnterSharedAsync(FamilyReadModelProjection.ProjectionName, connection, transaction, cancellationToken);
        var due = new List<string>();
        await using (var command = new NpgsqlCommand($"""
            SELECT family_id FROM {ReadModelSchema.Quote(ReadModelSchema.Live)}.deadlines
            WHERE due_at <= @now
            ORDER BY due_at
            LIMIT @batch
            FOR UPDATE SKIP LOCKED
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("now", model.Clock.GetUtcNow());
            command.Parameters.AddWithValue("batch", options.BatchSize);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                due.Add(reader.GetString(0));
            }
        }

        if (due.Count == 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (0, 0);
        }

        // Families the projection is rewriting right now are skipped: it writes their schedule too.
        var fired = await model.RefreshAsync(due, connection, transaction, ReadModelSchema.Live, skipBusy: true, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Interlocked.Add(ref _familiesFired, fired.Count);
        return (due.Count, fired.Count);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Leading the deadline schedule")]
    private partial void LogLeading();

    [LoggerMessage(Level = LogLevel.Error, Message = "The deadline worker failed; it will retry")]
    private partial void LogFailed(Exception exception);
}
