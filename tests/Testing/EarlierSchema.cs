using Npgsql;
using YoungCarers.EventStore.Schema;

namespace YoungCarers.Testing;

/// <summary>Databases as a deployment had them before a migration, for testing what the migration does to their rows.</summary>
public static class EarlierSchema
{
    /// <summary>Brings a new database to the schema before <paramref name="version"/>, recorded as the migrator records it.</summary>
    public static async Task ApplyBeforeAsync(NpgsqlDataSource dataSource, SchemaMigrator migrator, int version)
    {
        ArgumentNullException.ThrowIfNull(migrator);
        await ExecuteAsync(dataSource, """
            CREATE TABLE schema_migrations (
                version     integer     PRIMARY KEY,
                name        text        NOT NULL,
                checksum    text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now())
            """);
        foreach (var script in migrator.Scripts.Where(script => script.Version < version))
        {
            await ExecuteAsync(dataSource, script.Sql);
            await ExecuteAsync(dataSource, "INSERT INTO schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)",
                ("version", script.Version), ("name", script.Name), ("checksum", script.Checksum));
        }
    }

    public static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync();
    }
}
