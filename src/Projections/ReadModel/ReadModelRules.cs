using Npgsql;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// The version of the rules and document shapes the read model is built with. Families are
/// re-evaluated only when their events or deadlines move them, so after a release that changes
/// either, the others would keep the old answers until a rebuild: the service compares the version
/// that built the read model with <see cref="Current"/> on start and rebuilds when it is older.
/// </summary>
public static class ReadModelRules
{
    /// <summary>
    /// Raise it with any change to what the read model holds for the same events: 2 added the
    /// flags' basis and services and the obligations' waiver, stopped an open enquiry holding
    /// falls-between-services down, and matched a declined referral's flag to its own young carer.
    /// </summary>
    public const int Current = 2;

    /// <summary>The version that built the read model; null for a database whose read model nothing has built yet.</summary>
    public static async Task<int?> BuiltWithAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand("SELECT version FROM read_model_rules WHERE projection = @projection");
        command.Parameters.AddWithValue("projection", FamilyReadModelProjection.ProjectionName);
        return await command.ExecuteScalarAsync(cancellationToken) as int?;
    }

    /// <summary>
    /// Records <see cref="Current"/> where no version is recorded: migration 0212 recorded one for
    /// every read model built before it, and a rebuild records its own, so the read model here has
    /// been built only by this release's projection.
    /// </summary>
    public static async Task RecordForNewReadModelAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand("""
            INSERT INTO read_model_rules (projection, version) VALUES (@projection, @version)
            ON CONFLICT (projection) DO NOTHING
            """);
        command.Parameters.AddWithValue("projection", FamilyReadModelProjection.ProjectionName);
        command.Parameters.AddWithValue("version", Current);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>In the rebuild's swap: the read model swapped in was built with <see cref="Current"/>.</summary>
    internal const string RecordRebuiltSql = """
        INSERT INTO read_model_rules (projection, version, recorded_at) VALUES (@projection, @rules_version, now())
        ON CONFLICT (projection) DO UPDATE SET version = excluded.version, recorded_at = excluded.recorded_at;
        """;
}
