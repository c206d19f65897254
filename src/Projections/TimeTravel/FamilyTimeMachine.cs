using System.Runtime.CompilerServices;
using Npgsql;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using YoungCarers.Projections.ReadModel;

namespace YoungCarers.Projections.TimeTravel;

/// <summary>A family evaluated at a past (or present) instant, bitemporally.</summary>
/// <param name="RequestedFamilyId">The id asked about.</param>
/// <param name="FamilyId">The family that answers: the survivor when the requested family had been merged (as known then).</param>
/// <param name="FactCount">How many events the answer was built from.</param>
public sealed record FamilySnapshot(
    string RequestedFamilyId,
    string FamilyId,
    DateTimeOffset AsOf,
    DateTimeOffset? KnownAt,
    int FactCount,
    FamilyView View,
    IReadOnlyList<Obligation> Obligations,
    IReadOnlyList<Flag> Flags,
    IReadOnlyList<Dispute> Disputes,
    FamilyDocument Document)
{
    public bool AnsweredBySurvivor => !string.Equals(RequestedFamilyId, FamilyId, StringComparison.Ordinal);
}

/// <summary>
/// Bitemporal reads (SPEC section 8): a family as it stood at <c>asOf</c> (events that happened
/// by then, the clock set to then), optionally only from what the service had recorded by
/// <c>knownAt</c> ("what did the service show at K?"). Computed from the event store, never from
/// the read model tables, so it answers for any instant.
/// </summary>
public sealed class FamilyTimeMachine(NpgsqlDataSource dataSource, LocalPolicy policy)
{
    private const int MaxMergeDepth = 1000;

    /// <summary>Families whose events are read in one statement when every family is evaluated.</summary>
    internal int FamiliesPerRead { get; init; } = 1_000;

    /// <returns>Null when the family did not exist (had no events recorded by <paramref name="knownAt"/>).</returns>
    public async Task<FamilySnapshot?> AtAsync(string familyId, DateTimeOffset asOf, DateTimeOffset? knownAt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(familyId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // One snapshot for every read, so the answer is consistent with itself.
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);

        var survivor = await ResolveAsync(familyId, knownAt, connection, transaction, cancellationToken);
        if (survivor is null)
        {
            return null;
        }

        var streams = await MergedTreeAsync(survivor, knownAt, connection, transaction, cancellationToken);
        var stored = await ReadFactsAsync(streams, asOf, knownAt, connection, transaction, cancellationToken).ToListAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        var facts = FamilyFacts.Order(survivor, stored);
        var state = FamilyProjection.Replay(facts);
        var evaluation = FamilyProjection.Evaluate(state, asOf, policy);
        var (view, disputes) = (evaluation.View, evaluation.Disputes);
        var flags = FamilyDocuments.Canonical(evaluation.Flags);
        var obligations = FamilyDocuments.Canonical(evaluation.Obligations);
        var document = FamilyDocuments.FromCanonical(survivor, VersionOf(survivor, stored), asOf, evaluation.NextChange, policy.Version, view, obligations, flags, disputes);
        return new FamilySnapshot(familyId, survivor, asOf, knownAt, facts.Count, view, obligations, flags, disputes, document);
    }

    /// <summary>
    /// Every family that answered for itself at <paramref name="knownAt"/> (no merge recorded by then had
    /// absorbed it), evaluated as <see cref="AtAsync"/> evaluates one, in family id order (ordinal);
    /// families with no event that happened by <paramref name="asOf"/> and was recorded by
    /// <paramref name="knownAt"/> are left out. Reads the whole store, <see cref="FamiliesPerRead"/> families at a time,
    /// in one snapshot; each record is garbage once the caller has moved on.
    /// </summary>
    public async IAsyncEnumerable<FamilyRecord> EveryFamilyAtAsync(
        DateTimeOffset asOf, DateTimeOffset knownAt, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var trees = await TreesKnownAtAsync(knownAt, connection, transaction, cancellationToken);
        var chunks = trees.Chunk(FamiliesPerRead).ToList();
        // The next chunk's events are read while this one's families are evaluated.
        var reading = chunks.Count > 0 ? ReadChunkAsync(chunks[0], asOf, knownAt, connection, transaction, cancellationToken) : null;
        try
        {
            for (var i = 0; i < chunks.Count; i++)
            {
                var facts = await reading!;

                // The walk allocates about a gigabyte a second, and the server collector, left to decide,
                // let the service's RSS rise from 115 MB to 430-490 MB for it (100,000 families); collecting
                // the young generations once a chunk, when the last chunk is garbage, held it to 260 MB
                // in the same time.
                GC.Collect(1, GCCollectionMode.Forced, blocking: true);
                reading = i + 1 < chunks.Count ? ReadChunkAsync(chunks[i + 1], asOf, knownAt, connection, transaction, cancellationToken) : null;
                foreach (var (root, _) in chunks[i])
                {
                    if (facts.Remove(root, out var stored))
                    {
                        yield return FamilyEvaluator.Evaluate(root, VersionOf(root, stored), stored, asOf, policy);
                    }
                }
            }
        }
        finally
        {
            // The connection is disposed only once a read in flight is over, however the caller stopped.
            if (reading is not null)
            {
                await ((Task)reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>The family's version as its facts show it: the last of its own stream's (merged streams have versions of their own).</summary>
    private static long VersionOf(string familyId, List<StoredFact> stored) =>
        stored.Where(fact => fact.StreamId == familyId).Select(fact => fact.StreamVersion).DefaultIfEmpty(0).Max();

    /// <summary>The chunk's events that happened by <paramref name="asOf"/> and were recorded by <paramref name="knownAt"/>, by family, each in stream order.</summary>
    private static async Task<Dictionary<string, List<StoredFact>>> ReadChunkAsync(
        (string Root, List<string> Streams)[] chunk, DateTimeOffset asOf, DateTimeOffset knownAt, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var rootOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (root, streams) in chunk)
        {
            foreach (var stream in streams)
            {
                rootOf[stream] = root;
            }
        }

        var facts = new Dictionary<string, List<StoredFact>>(chunk.Length, StringComparer.Ordinal);
        await foreach (var fact in ReadFactsAsync([.. rootOf.Keys], asOf, knownAt, connection, transaction, cancellationToken))
        {
            var root = rootOf[fact.StreamId];
            if (!facts.TryGetValue(root, out var family))
            {
                facts[root] = family = [];
            }

            family.Add(fact);
        }

        return facts;
    }

    /// <summary>
    /// Every stream's family as known at <paramref name="knownAt"/>: each stream under the family it had
    /// been merged into by then (following merges recorded by then), in family id order.
    /// </summary>
    private static async Task<List<(string Root, List<string> Streams)>> TreesKnownAtAsync(
        DateTimeOffset knownAt, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        // A stream's successor is set in the transaction that records its family.absorbed event.
        var successors = new Dictionary<string, string?>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""
            SELECT s.stream_id,
                   CASE WHEN s.successor_id IS NOT NULL AND EXISTS (
                       SELECT 1 FROM events e WHERE e.stream_id = s.stream_id AND e.type = @absorbed AND e.recorded_at <= @known_at)
                   THEN s.successor_id END
            FROM streams s
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("absorbed", FamilyAbsorbed.TypeName);
            command.Parameters.AddWithValue("known_at", knownAt.ToUniversalTime());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                successors[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
            }
        }

        var trees = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (stream, successor) in successors)
        {
            var root = stream;
            var next = successor;
            for (var depth = 0; next is not null; depth++)
            {
                if (depth >= MaxMergeDepth)
                {
                    throw new InvalidOperationException($"Family {stream} names survivors more than {MaxMergeDepth} deep.");
                }

                root = next;
                next = successors.GetValueOrDefault(root);
            }

            if (!trees.TryGetValue(root, out var streams))
            {
                trees[root] = streams = [];
            }

            streams.Add(stream);
        }

        return [.. trees.Select(tree => (tree.Key, tree.Value))];
    }

    /// <summary>Follows <c>family.absorbed</c> events (recorded by <paramref name="knownAt"/>) to the family that answers.</summary>
    private static async Task<string?> ResolveAsync(string familyId, DateTimeOffset? knownAt, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var current = familyId;
        for (var depth = 0; depth < MaxMergeDepth; depth++)
        {
            await using var command = new NpgsqlCommand("""
                SELECT count(*), max(CASE WHEN type = @absorbed THEN data::text END)
                FROM events
                WHERE stream_id = @id AND (@known_at::timestamptz IS NULL OR recorded_at <= @known_at::timestamptz)
                """, connection, transaction);
            command.Parameters.AddWithValue("absorbed", FamilyAbsorbed.TypeName);
            command.Parameters.AddWithValue("id", current);
            command.Parameters.Add(KnownAt(knownAt));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(0) == 0)
            {
                return null;
            }

            if (reader.IsDBNull(1))
            {
                return current;
            }

            current = ((FamilyAbsorbed)FamilyEventSerializer.Deserialize(FamilyAbsorbed.TypeName, reader.GetString(1))).SurvivorFamilyId;
        }

        throw new InvalidOperationException($"Family {familyId} names survivors more than {MaxMergeDepth} deep.");
    }

    /// <summary>The family's stream and every stream merged into it (recursively) by <paramref name="knownAt"/>.</summary>
    private static async Task<List<string>> MergedTreeAsync(string survivor, DateTimeOffset? knownAt, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        var tree = new List<string> { survivor };
        var seen = new HashSet<string>(StringComparer.Ordinal) { survivor };
        for (var i = 0; i < tree.Count && i < MaxMergeDepth * 100; i++)
        {
            await using var command = new NpgsqlCommand("""
                SELECT data::text FROM events
                WHERE stream_id = @id AND type = @merged AND (@known_at::timestamptz IS NULL OR recorded_at <= @known_at::timestamptz)
                ORDER BY stream_version
                """, connection, transaction);
            command.Parameters.AddWithValue("id", tree[i]);
            command.Parameters.AddWithValue("merged", FamilyMerged.TypeName);
            command.Parameters.Add(KnownAt(knownAt));
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var absorbed = ((FamilyMerged)FamilyEventSerializer.Deserialize(FamilyMerged.TypeName, reader.GetString(0))).AbsorbedFamilyId;
                if (seen.Add(absorbed))
                {
                    tree.Add(absorbed);
                }
            }
        }

        return tree;
    }

    private static NpgsqlParameter KnownAt(DateTimeOffset? knownAt) =>
        new("known_at", NpgsqlTypes.NpgsqlDbType.TimestampTz) { Value = knownAt is { } k ? k.ToUniversalTime() : DBNull.Value };

    /// <summary>The streams' events that happened by <paramref name="asOf"/> (and were recorded by <paramref name="knownAt"/>), in stream order, as they are read.</summary>
    private static async IAsyncEnumerable<StoredFact> ReadFactsAsync(
        List<string> streams, DateTimeOffset asOf, DateTimeOffset? knownAt, NpgsqlConnection connection, NpgsqlTransaction transaction,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT {StoredFact.Columns}
            FROM events e
            WHERE e.stream_id = ANY(@ids)
              AND e.occurred_at <= @as_of
              AND (@known_at::timestamptz IS NULL OR e.recorded_at <= @known_at::timestamptz)
            ORDER BY e.stream_id, e.stream_version
            """, connection, transaction);
        command.Parameters.AddWithValue("ids", streams.ToArray());
        command.Parameters.AddWithValue("as_of", asOf.ToUniversalTime());
        command.Parameters.Add(KnownAt(knownAt));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            yield return StoredFact.Read(reader, 0);
        }
    }
}
