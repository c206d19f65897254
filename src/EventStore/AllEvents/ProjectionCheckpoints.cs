using System.Globalization;
using Npgsql;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.EventStore.AllEvents;

/// <summary>
/// Where each projection has got to in the all-events order. Save it in the same transaction as
/// the projection's own writes, so a crash can neither lose nor repeat an event's effect.
/// </summary>
public sealed class ProjectionCheckpoints(NpgsqlDataSource dataSource)
{
    public async Task<GlobalPosition> LoadAsync(string projection, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT transaction_id::text, seq FROM projection_checkpoints WHERE projection = @projection");
        command.Parameters.AddWithValue("projection", projection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new GlobalPosition(ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetInt64(1))
            : GlobalPosition.Start;
    }

    /// <summary>
    /// Moves the checkpoint from <paramref name="from"/> to <paramref name="to"/> inside the caller's
    /// transaction, only if it is still at <paramref name="from"/>: a second worker that believes it
    /// leads (after a lost connection, say) finds it moved, rolls back and so never applies an event twice.
    /// </summary>
    /// <returns>False when the checkpoint was no longer at <paramref name="from"/>.</returns>
    public static async Task<bool> AdvanceAsync(
        string projection,
        GlobalPosition from,
        GlobalPosition to,
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO projection_checkpoints AS c (projection, transaction_id, seq, updated_at)
            VALUES (@projection, @to_transaction::xid8, @to_seq, now())
            ON CONFLICT (projection) DO UPDATE
            SET transaction_id = excluded.transaction_id, seq = excluded.seq, updated_at = excluded.updated_at
            WHERE c.transaction_id = @from_transaction::xid8 AND c.seq = @from_seq
            RETURNING 1
            """, connection, transaction);
        command.Parameters.AddWithValue("projection", projection);
        command.Parameters.AddWithValue("to_transaction", to.TransactionId.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("to_seq", to.Sequence);
        command.Parameters.AddWithValue("from_transaction", from.TransactionId.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("from_seq", from.Sequence);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }
}
