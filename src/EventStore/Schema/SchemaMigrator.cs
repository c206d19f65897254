using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;
using YoungCarers.EventStore.Connections;

namespace YoungCarers.EventStore.Schema;

/// <summary>
/// Applies the numbered SQL scripts embedded (as <c>Schema/Scripts/NNNN_name.sql</c>) in the event
/// store's assembly and in any feature assemblies given, each once, in version order, each in its
/// own transaction. Versions are unique across assemblies: the event store owns 0001-0099 and each
/// feature takes its own hundred. Safe to run from several processes at once and on every start-up.
/// </summary>
public sealed partial class SchemaMigrator
{
    // Arbitrary, fixed: serialises migrators of this schema across processes.
    internal const long MigrationLockKey = 0x5943_4D49_4752_4154;
    private readonly NpgsqlDataSource _dataSource;

    public SchemaMigrator(NpgsqlDataSource dataSource, params IEnumerable<Assembly> featureAssemblies)
    {
        _dataSource = dataSource;
        Scripts = LoadScripts([typeof(SchemaMigrator).Assembly, .. featureAssemblies]);
    }

    public IReadOnlyList<MigrationScript> Scripts { get; }

    /// <returns>The versions applied by this call (empty when the schema was already current).</returns>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, null, "SELECT pg_advisory_lock(@key)", cancellationToken, ("key", MigrationLockKey));
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     integer     PRIMARY KEY,
                    name        text        NOT NULL,
                    checksum    text        NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);

            var applied = await ReadAppliedAsync(connection, cancellationToken);
            var newlyApplied = new List<int>();
            foreach (var script in Scripts)
            {
                if (applied.TryGetValue(script.Version, out var checksum))
                {
                    if (checksum != script.Checksum)
                    {
                        throw new SchemaMigrationException(
                            $"Schema script {script.Name} was changed after it was applied to this database " +
                            $"(stored checksum {checksum}, shipped {script.Checksum}). Shipped scripts are immutable: add a new numbered script instead.");
                    }

                    continue;
                }

                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, script.Sql, cancellationToken);
                await ExecuteAsync(connection, transaction,
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES (@version, @name, @checksum)",
                    cancellationToken, ("version", script.Version), ("name", script.Name), ("checksum", script.Checksum));
                await transaction.CommitAsync(cancellationToken);
                newlyApplied.Add(script.Version);
            }

            var unknown = applied.Keys.Where(version => Scripts.All(script => script.Version != version)).ToList();
            if (unknown.Count > 0)
            {
                throw new SchemaMigrationException(
                    $"This database has schema versions this build does not know ({string.Join(", ", unknown)}): it was migrated by a newer build.");
            }

            return newlyApplied;
        }
        finally
        {
            await SessionLocks.ReleaseAsync(connection, MigrationLockKey);
        }
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<int, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        return applied;
    }

    private static async Task ExecuteAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction? transaction,
        string sql,
        CancellationToken cancellationToken,
        params (string Name, object Value)[] parameters)
    {
        // No command timeout: a script rewriting a large table, or waiting for another process's
        // migration, can rightly take longer than any timeout set for the service's queries.
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<MigrationScript> LoadScripts(IEnumerable<Assembly> assemblies)
    {
        var scripts = new List<MigrationScript>();
        foreach (var (assembly, resource) in assemblies.Distinct().SelectMany(a => a.GetManifestResourceNames().Select(r => (a, r))))
        {
            var match = ScriptName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            var sql = ReadResource(assembly, resource);
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
            scripts.Add(new MigrationScript(int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture), match.Groups["file"].Value, sql, checksum));
        }

        var duplicate = scripts.GroupBy(script => script.Version).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new SchemaMigrationException($"Two schema scripts share version {duplicate.Key}.");
        }

        return [.. scripts.OrderBy(script => script.Version)];
    }

    private static string ReadResource(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new SchemaMigrationException($"Embedded schema script {resource} cannot be read.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^Schema\.(?<file>(?<version>\d{4})_[a-z0-9_]+)\.sql$")]
    private static partial Regex ScriptName();
}

public sealed record MigrationScript(int Version, string Name, string Sql, string Checksum);

public sealed class SchemaMigrationException(string message) : Exception(message);
