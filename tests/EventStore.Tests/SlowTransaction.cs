using Npgsql;

namespace YoungCarers.EventStore.Tests;

/// <summary>
/// A writer that takes a global sequence number now and commits (or rolls back) later: the
/// in-flight transaction that gap-skipping readers get wrong.
/// </summary>
internal sealed class SlowTransaction : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    private SlowTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction, long sequence)
    {
        _connection = connection;
        _transaction = transaction;
        Sequence = sequence;
    }

    public long Sequence { get; }

    public static async Task<SlowTransaction> BeginAsync(NpgsqlDataSource dataSource, string streamId, string sourceEventId)
    {
        var connection = await dataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("""
            INSERT INTO streams (stream_id, version, last_transaction_id) VALUES (@stream, 1, pg_current_xact_id());
            INSERT INTO events (stream_id, stream_version, type, data, source, source_event_id, occurred_at)
            VALUES (@stream, 1, 'test.slow.v1', '{}', 'urn:test:slow', @id, now())
            RETURNING seq;
            """, connection, transaction);
        command.Parameters.AddWithValue("stream", streamId);
        command.Parameters.AddWithValue("id", sourceEventId);
        var sequence = (long)(await command.ExecuteScalarAsync())!;
        return new SlowTransaction(connection, transaction, sequence);
    }

    public Task CommitAsync() => _transaction.CommitAsync();

    public Task RollbackAsync() => _transaction.RollbackAsync();

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
