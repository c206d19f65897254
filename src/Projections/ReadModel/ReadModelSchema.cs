using Npgsql;
using YoungCarers.EventStore.Connections;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// Names and locks of the family read model. Its tables live in the <see cref="Live"/> schema:
/// <c>families</c>, <c>obligations</c>, <c>flags</c>, <c>disputes</c> and <c>deadlines</c> (see
/// <c>Schema/Scripts/0201_read_model.sql</c>).
/// </summary>
public static class ReadModelSchema
{
    /// <summary>The schema the read API reads.</summary>
    public const string Live = "read_model";

    /// <summary>Where a rebuild builds the next read model before swapping it in.</summary>
    public const string Rebuilding = "read_model_rebuild";

    /// <summary>Where the replaced read model goes for the moment between the swap and its drop.</summary>
    public const string Retired = "read_model_retired";

    // pg_advisory_*(int, int) key spaces.
    internal const int FamilyLockSpace = 0x5943_464D;   // "YCFM": one family's rows are being rewritten
    internal const int PauseLockSpace = 0x5943_5053;    // "YCPS": shared by writers of a projection, exclusive for a rebuild's swap
    internal const int DeadlineLockSpace = 0x5943_444C; // "YCDL": deadline worker leadership
    internal const int RebuildLockSpace = 0x5943_5242;  // "YCRB": one rebuild at a time

    public static string Quote(string schema) => "\"" + schema.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>
    /// Inside a writer's transaction: waits while a rebuild is swapping <paramref name="projection"/>'s
    /// schema, and keeps the swap waiting until this transaction ends.
    /// </summary>
    internal static async Task EnterSharedAsync(string projection, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock_shared(@space, @key)", connection, transaction);
        command.Parameters.AddWithValue("space", PauseLockSpace);
        command.Parameters.AddWithValue("key", SessionLocks.KeyOf(projection));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
