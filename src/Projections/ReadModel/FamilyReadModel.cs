using Npgsql;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// Re-evaluates whole families from the event store and rewrites their rows in a read model
/// schema, inside the caller's transaction. Used by the projection (for the families a page of
/// events touched), the deadline worker (for families whose answers change with the clock) and a
/// rebuild's catch-up. A family is always evaluated from all its facts, so writing it again is
/// harmless: the rows only ever say what the store says.
/// </summary>
public sealed class FamilyReadModel(LocalPolicy policy, TimeProvider clock)
{
    public LocalPolicy Policy => policy;

    public TimeProvider Clock => clock;

    /// <summary>
    /// Rewrites the live families these streams belong to (an absorbed stream's survivor), and a
    /// pointer row for every stream merged into them.
    /// </summary>
    /// <param name="skipBusy">
    /// True to leave out families another transaction is rewriting right now instead of waiting
    /// for it (the deadline worker; they are picked up again later). False waits (the projection).
    /// </param>
    /// <returns>The live family ids written.</returns>
    public async Task<IReadOnlyList<string>> RefreshAsync(
        IEnumerable<string> streamIds,
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string schema,
        bool skipBusy,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(streamIds);
        var ids = streamIds.Distinct(StringComparer.Ordinal).ToArray();
        if (ids.Length == 0)
        {
            return [];
        }

        var roots = await ResolveLiveAsync(ids, connection, transaction, cancellationToken);
        roots = await LockAsync(roots, skipBusy, connection, transaction, cancellationToken);
        if (roots.Length == 0)
        {
            return [];
        }

        var now = clock.GetUtcNow();
        var records = new List<FamilyRecord>(roots.Length);
        var versions = await ReadVersionsAsync(roots, connection, transaction, cancellationToken);
        var facts = await ReadTreesAsync(roots, connection, transaction, cancellationToken);
        foreach (var root in roots)
        {
            var tree = facts.GetValueOrDefault(root) ?? [];
            records.Add(FamilyEvaluator.Evaluate(root, versions.GetValueOrDefault(root), tree, now, policy));
            foreach (var absorbed in tree.Select(fact => fact.StreamId).Where(id => id != root).Distinct(StringComparer.Ordinal))
            {
                records.Add(FamilyEvaluator.Absorbed(absorbed, root, tree.Count(fact => fact.StreamId == absorbed), now, policy));
            }
        }

        await ReadModelWriter.DeleteAsync(connection, transaction, schema, [.. records.Select(record => record.FamilyId)], cancellationToken);
        await ReadModelWriter.CopyAsync(connection, schema, records, cancellationToken);
        return roots;
    }

    private static async Task<string[]> ResolveLiveAsync(string[] streamIds, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            WITH RECURSIVE chain(stream_id, successor_id, depth) AS (
                SELECT stream_id, successor_id, 0 FROM streams WHERE stream_id = ANY(@ids)
                UNION ALL
                SELECT s.stream_id, s.successor_id, c.depth + 1
                FROM streams s JOIN chain c ON s.stream_id = c.successor_id
                WHERE c.depth < 1000
            )
            SELECT DISTINCT stream_id FROM chain WHERE successor_id IS NULL ORDER BY stream_id
            """, connection, transaction);
        command.Parameters.AddWithValue("ids", streamIds);
        var roots = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            roots.Add(reader.GetString(0));
        }

        return [.. roots];
    }

    // Families are locked in key order, so two writers never wait on each other in a cycle.
    private static async Task<string[]> LockAsync(string[] roots, bool skipBusy, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(skipBusy
            ? """
              SELECT id FROM unnest(@ids) AS id
              WHERE pg_try_advisory_xact_lock(@space, hashtext(id))
              """
            : """
              SELECT count(pg_advisory_xact_lock(@space, k))
              FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest(@ids) AS id ORDER BY 1 OFFSET 0) AS keys
              """, connection, transaction);
        command.Parameters.AddWithValue("ids", roots);
        command.Parameters.AddWithValue("space", ReadModelSchema.FamilyLockSpace);
        if (!skipBusy)
        {
            await command.ExecuteScalarAsync(cancellationToken);
            return roots;
        }

        var locked = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            locked.Add(reader.GetString(0));
        }

        return [.. locked];
    }

    private static async Task<Dictionary<string, long>> ReadVersionsAsync(string[] roots, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT stream_id, version FROM streams WHERE stream_id = ANY(@ids)", connection, transaction);
        command.Parameters.AddWithValue("ids", roots);
        var versions = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            versions[reader.GetString(0)] = reader.GetInt64(1);
        }

        return versions;
    }

    /// <summary>Each live family's facts: its own stream's and those of every stream merged into it, recursively.</summary>
    private static async Task<Dictionary<string, List<StoredFact>>> ReadTreesAsync(string[] roots, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            WITH RECURSIVE tree(root, stream_id, depth) AS (
                SELECT stream_id, stream_id, 0 FROM streams WHERE stream_id = ANY(@ids)
                UNION ALL
                SELECT t.root, s.stream_id, t.depth + 1
                FROM streams s JOIN tree t ON s.successor_id = t.stream_id
                WHERE t.depth < 1000
            )
            SELECT t.root, {StoredFact.Columns}
            FROM tree t JOIN events e ON e.stream_id = t.stream_id
            ORDER BY t.root, e.stream_id, e.stream_version
            """, connection, transaction);
        command.Parameters.AddWithValue("ids", roots);
        var facts = new Dictionary<string, List<StoredFact>>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var root = reader.GetString(0);
            if (!facts.TryGetValue(root, out var list))
            {
                facts[root] = list = [];
            }

            list.Add(StoredFact.Read(reader, 1));
        }

        return facts;
    }
}
