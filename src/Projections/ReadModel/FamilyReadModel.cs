using Npgsql;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// Re-evaluates whole families from the event store and rewrites their rows in a read model
/// schema, inside the caller's transaction. Used by the projection (for the families a page of
/// events touched), the deadline worker (for families whose answers change with the clock) and a
/// rebuild's catch-up. A family is always evaluated from all its facts (a single-stream family's
/// earlier ones folded into the state remembered from its last refresh), so writing it again is
/// harmless: the rows only ever say what the store says.
/// </summary>
public sealed class FamilyReadModel(LocalPolicy policy, TimeProvider clock)
{
    private readonly ReplayedFamilies _replayed = new();

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
        Dictionary<string, (long Version, ReplayedFamily Family)> known;
        List<FamilyTree> trees;
        while (true)
        {
            await LockAsync(toLock, skipBusy, locked, busy, connection, transaction, cancellationToken);
            known = Known(locked);
            trees = await ReadTreesAsync(ids, known, connection, transaction, cancellationToken);
            toLock = [.. trees.SelectMany(tree => tree.Streams.Keys).Where(id => !locked.Contains(id) && !busy.Contains(id))];
            if (toLock.Length > 0)
            {
                continue;
            }

            // A remembered state ahead of its stream or not followed by every later event cannot be
            // extended (the store was replaced under this process): forget it and read again.
            var stale = trees.Where(tree => tree.Known is { } version && tree.Facts.Count != tree.Streams[tree.Root] - version).ToList();
            if (stale.Count == 0)
            {
                break;
            }

            stale.ForEach(tree => _replayed.Remove(tree.Root));
        }

        var now = clock.GetUtcNow();
        var rows = new ReadModelRows(schema);
        var roots = new List<string>(trees.Count);
        foreach (var tree in trees)
        {
            if (tree.Streams.Keys.Any(busy.Contains))
            {
                continue;
            }

            var version = tree.Streams[tree.Root];
            var replayed = tree.Known is null
                ? FamilyEvaluator.Replay(tree.Root, tree.Facts)
                : FamilyEvaluator.Append(known[tree.Root].Family, tree.Root, tree.Facts);
            roots.Add(tree.Root);
            rows.Add(FamilyEvaluator.Evaluate(tree.Root, version, replayed, now, policy));
            if (tree.Streams.Count == 1)
            {
                _replayed.Set(tree.Root, version, replayed);
                continue;
            }

            // Merged families replay by time, so appended events may belong anywhere: not remembered.
            foreach (var (stream, streamVersion) in tree.Streams)
            {
                _replayed.Remove(stream);
                if (stream != tree.Root)
                {
                    rows.Add(FamilyEvaluator.Absorbed(stream, tree.Root, streamVersion, now, policy));
                }
            }
        }

        if (rows.FamilyIds.Count == 0)
        {
            return [];
        }

        await rows.ReplaceAsync(connection, transaction, cancellationToken);
        roots.Sort(StringComparer.Ordinal);
        return roots;
    }

    /// <summary>
    /// A live family: its stream, the streams merged into it (each with its version) and their
    /// facts; all of them, or when <see cref="Known"/> is set (a single stream whose state up to that
    /// version is remembered) those after it.
    /// </summary>
    private sealed record FamilyTree(string Root, Dictionary<string, long> Streams, List<StoredFact> Facts)
    {
        public long? Known { get; set; }
    }

    // Each step follows one stream's links by index, whatever the planner guesses of the
    // recursion's size: joined plainly, it hashed the whole streams table at every step. The
    // lateral subqueries are fenced (OFFSET 0), or the planner flattens them into that plain join.
    private const string LiveTreesSql = """
        WITH RECURSIVE chain(stream_id, successor_id, version, depth) AS (
            SELECT stream_id, successor_id, version, 0 FROM streams WHERE stream_id = ANY(@ids)
            UNION ALL
            SELECT s.stream_id, s.successor_id, s.version, c.depth + 1
            FROM chain c CROSS JOIN LATERAL (SELECT * FROM streams WHERE stream_id = c.successor_id OFFSET 0) s
            WHERE c.depth < 1000
        ),
        tree(root, stream_id, version, depth) AS (
            SELECT stream_id, stream_id, version, 0
            FROM (SELECT DISTINCT stream_id, version FROM chain WHERE successor_id IS NULL) AS live
            UNION ALL
            SELECT t.root, s.stream_id, s.version, t.depth + 1
            FROM tree t CROSS JOIN LATERAL (SELECT * FROM streams WHERE successor_id = t.stream_id OFFSET 0) s
            WHERE t.depth < 1000
        )
        """;

    /// <summary>Every stream of the live families the streams <c>@ids</c> belong to.</summary>
    internal const string MembersSql = $"{LiveTreesSql} SELECT DISTINCT stream_id FROM tree";

    /// <summary>
    /// The streams of <see cref="MembersSql"/> with their live family and the facts of each after
    /// its remembered version (<c>@known_ids</c>, <c>@known_versions</c>). The facts are read by one
    /// index probe a stream, fenced (OFFSET 0): flattened into a join, a young store's statistics
    /// made the planner overestimate the trees and merge-join the whole events index instead,
    /// reading every event for each page.
    /// </summary>
    internal const string TreesSql = $"""
        {LiveTreesSql},
        sized AS (SELECT root, stream_id, version, count(*) OVER (PARTITION BY root) AS streams FROM tree)
        SELECT t.root, t.stream_id, t.version, k.version, f.*
        FROM sized t
        LEFT JOIN unnest(@known_ids::text[], @known_versions::bigint[]) AS k(stream_id, version)
            ON k.stream_id = t.stream_id AND t.streams = 1
        LEFT JOIN LATERAL (
            SELECT {StoredFact.Columns} FROM events e WHERE e.stream_id = t.stream_id AND e.stream_version > coalesce(k.version, 0)
            OFFSET 0
        ) AS f ON true
        """;

    /// <summary>Every stream of the live families these streams belong to: the rows a refresh writes.</summary>
    private static async Task<string[]> ResolveMembersAsync(string[] streamIds, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // For the rest of the transaction: PostgreSQL's estimates of these recursive statements can
        // pass jit_above_cost, and compiling them took longer than running them, on every page. And
        // the service prepares its statements: a generic plan of the deletes by family (ANY of an
        // array of unknown size) scanned whole read model tables, so each is planned for its page.
        await using var command = new NpgsqlCommand(
            $"SET LOCAL jit = off; SET LOCAL plan_cache_mode = force_custom_plan; {MembersSql}", connection, transaction);
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

    private Dictionary<string, (long Version, ReplayedFamily Family)> Known(HashSet<string> streamIds)
    {
        var known = new Dictionary<string, (long, ReplayedFamily)>(StringComparer.Ordinal);
        foreach (var id in streamIds)
        {
            if (_replayed.TryGet(id, out var version, out var family))
            {
                known[id] = (version, family);
            }
        }

        return known;
    }

    /// <summary>
    /// The live families these streams belong to, each with every stream merged into it
    /// (recursively) and their facts, in one statement and so from one snapshot. A single-stream
    /// family whose state is <paramref name="known"/> up to a version gets only the facts after it.
    /// </summary>
    private static async Task<List<FamilyTree>> ReadTreesAsync(
        string[] streamIds, Dictionary<string, (long Version, ReplayedFamily Family)> known, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(TreesSql, connection, transaction);
        command.Parameters.AddWithValue("ids", streamIds);
        command.Parameters.AddWithValue("known_ids", known.Keys.ToArray());
        command.Parameters.AddWithValue("known_versions", known.Values.Select(entry => entry.Version).ToArray());
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
                tree.Known = reader.GetInt64(3);
            }

            if (!reader.IsDBNull(4))
            {
                tree.Facts.Add(StoredFact.Read(reader, 4));
            }
        }

        return [.. trees.Values.OrderBy(tree => tree.Root, StringComparer.Ordinal)];
    }
}
