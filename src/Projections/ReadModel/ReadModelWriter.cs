using Npgsql;

namespace YoungCarers.Projections.ReadModel;

/// <summary>Removes families' rows from a read model schema (<see cref="ReadModelRows"/> writes them).</summary>
internal static class ReadModelWriter
{
    /// <summary>Removes every row of these families (to be written again in the same transaction).</summary>
    public static async Task DeleteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string schema, string[] familyIds, CancellationToken cancellationToken)
    {
        if (familyIds.Length == 0)
        {
            return;
        }

        var s = ReadModelSchema.Quote(schema);
        await using var command = new NpgsqlCommand($"""
            DELETE FROM {s}.families WHERE family_id = ANY(@ids);
            DELETE FROM {s}.obligations WHERE family_id = ANY(@ids);
            DELETE FROM {s}.flags WHERE family_id = ANY(@ids);
            DELETE FROM {s}.disputes WHERE family_id = ANY(@ids);
            DELETE FROM {s}.deadlines WHERE family_id = ANY(@ids);
            DELETE FROM {s}.young_carers WHERE family_id = ANY(@ids);
            """, connection, transaction);
        command.Parameters.AddWithValue("ids", familyIds);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
