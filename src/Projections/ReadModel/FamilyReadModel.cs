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
    /// <remarks>
    /// Which families exist and what they hold is read in one statement, so from one snapshot: a
    /// merge committing while a page is applied is either wholly seen or not at all (read in steps,
    /// a stream could be both a live family and merged into another, written twice). Every stream
    /// whose rows are written is locked before that read, so writers of the same family take turns
    /// and each reads what the one before it committed; a merge that committed between choosing the
    /// locks and the read adds streams, which are locked and the read repeated.
    /// </remarks>
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

        var locked = new HashSet<string>(StringComparer.Ordinal);
        var busy = new HashSet<string>(StringComparer.Ordinal);
        var toLock = await ResolveMembersAsync(ids, connection, transaction, cancellationToken);
        List<FamilyTree> trees;
        while (true)
        {
            await LockAsync(toLock, skipBusy, locked, busy, connection, transaction, cancellationToken);
            trees = await ReadTreesAsync(ids, connection, transaction, cancellationToken);
            toLock = [.. trees.SelectMany(tree => tree.Streams.Keys).Where(id => !locked.Contains(id) && !busy.Contains(id))];
            if (toLock.Length == 0)
            {
                break;
            }
        }

        var now = clock.GetUtcNow();
        var records = new List<FamilyRecord>(trees.Count);
        var roots = new List<string>(trees.Count);
        foreach (var tree in trees)
        {
            if (tree.Streams.Keys.Any(busy.Contains))
            {
                continue;
            }

            roots.Add(tree.Root);
            records.Add(FamilyEvaluator.Evaluate(tree.Root, tree.Streams[tree.Root], tree.Facts, now, policy));
            foreach (var (absorbed, version) in tree.Streams)
            {
                if (absorbed != tree.Root)
                {
                    records.Add(FamilyEvaluator.Absorbed(absorbed, tree.Root, version, now, policy));
                }
            }
        }

        if (records.Count == 0)
        {
            return [];
        }

        await ReadModelWriter.DeleteAsync(connection, transaction, schema, [.. records.Select(record => record.FamilyId)], cancellationToken);
        await ReadModelWriter.CopyAsync(connection, schema, records, cancellationToken);
        roots.Sort(StringComparer.Ordinal);
        return roots;
    }

    /// <summary>A live family: its stream, the streams merged into it (each with its version) and all their facts.</summary>
    private sealed record FamilyTree(string Root, Dictionary<string, long> Streams, List<StoredFact> Facts);

    private const string LiveTreesSql = """
        WITH RECURSIVE chain(stream_id, successor_id, depth) AS (
            SELECT stream_id, successor_id, 0 FROM streams WHERE stream_id = ANY(@ids)
            UNION ALL
            SELECT s.stream_id, s.successor_id, c.depth + 1
            FROM streams s JOIN chain c ON s.stream_id = c.successor_id
            WHERE c.depth < 1000
        ),
        tree(root, stream_id, version, depth) AS (
            SELECT s.stream_id, s.stream_id, s.version, 0
            FROM streams s
            WHERE s.stream_id IN (SELECT stream_id FROM chain WHERE successor_id IS NULL)
            UNION ALL
            SELECT t.root, s.stream_id, s.version, t.depth + 1
            FROM streams s JOIN tree t ON s.successor_id = t.stream_id
            WHERE t.depth < 1000
        )
        """;

    /// <summary>Every stream of the live families these streams belong to: the rows a refresh writes.</summary>
    private static async Task<string[]> ResolveMembersAsync(string[] streamIds, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"{LiveTreesSql} SELECT DISTINCT stream_id FROM tree", connection, transaction);
        command.Parameters.AddWithValue("ids", streamIds);
        var members = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            members.Add(reader.GetString(0));
        }

        return [.. members];
    }

    // Families are locked in key order, so two writers never wait on each other in a cycle (only a
    // merge committing between the two reads of a refresh makes it lock more, out of that order; a
    // deadlock then is detected by PostgreSQL and the page retried).
    private static async Task LockAsync(
        string[] ids, bool skipBusy, HashSet<string> locked, HashSet<string> busy, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (ids.Length == 0)
        {
            return;
        }

        await using var command = new NpgsqlCommand(skipBusy
            ? """
              SELECT id, pg_try_advisory_xact_lock(@space, hashtext(id)) FROM unnest(@ids) AS id
              """
            : """
              SELECT count(pg_advisory_xact_lock(@space, k))
              FROM (SELECT DISTINCT hashtext(id) AS k FROM unnest(@ids) AS id ORDER BY 1 OFFSET 0) AS keys
              """, connection, transaction);
        command.Parameters.AddWithValue("ids", ids);
        command.Parameters.AddWithValue("space", ReadModelSchema.FamilyLockSpace);
        if (!skipBusy)
        {
            await command.ExecuteScalarAsync(cancellationToken);
            locked.UnionWith(ids);
            return;
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            (reader.GetBoolean(1) ? locked : busy).Add(reader.GetString(0));
        }
    }

    /// <summary>
    /// The live families these streams belong to, each with every stream merged into it
    /// (recursively) and all their facts, in one statement and so from one snapshot.
    /// </summary>
    private static async Task<List<FamilyTree>> ReadTreesAsync(string[] streamIds, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            {LiveTreesSql}
            SELECT t.root, t.stream_id, t.version, {StoredFact.Columns}
            FROM tree t LEFT JOIN events e ON e.stream_id = t.stream_id
            """, connection, transaction);
        command.Parameters.AddWithValue("ids", streamIds);
        var trees = new Dictionary<string, FamilyTree>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var root = reader.GetString(0);
            if (!trees.TryGetValue(root, out var tree))
            {
                trees[root] = tree = new FamilyTree(root, new Dictionary<string, long>(StringComparer.Ordinal), []);
            }

            tree.Streams[reader.GetString(1)] = reader.GetInt64(2);
            if (!reader.IsDBNull(3))
            {
                tree.Facts.Add(StoredFact.Read(reader, 3));
            }
        }

        return [.. trees.Values.OrderBy(tree => tree.Root, StringComparer.Ordinal)];
    }
}
