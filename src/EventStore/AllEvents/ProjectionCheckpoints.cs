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

    /// <summary>Records the checkpoint inside the caller's transaction.</summary>
    public static async Task SaveAsync(
        string projection,
        GlobalPosition position,
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO projection_checkpoints (projection, transaction_id, seq, updated_at)
            VALUES (@projection, @transaction_id::xid8, @seq, now())
            ON CONFLICT (projection) DO UPDATE
            SET transaction_id = excluded.transaction_id, seq = excluded.seq, updated_at = excluded.updated_at
            """, connection, transaction);
        command.Parameters.AddWithValue("projection", projection);
        command.Parameters.AddWithValue("transaction_id", position.TransactionId.ToString(CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("seq", position.Sequence);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
