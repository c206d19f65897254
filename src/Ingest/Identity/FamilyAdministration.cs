using System.Globalization;
using Npgsql;
using YoungCarers.Domain.Families;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.Ingest.Identity;

public sealed record MergeOutcome(string SurvivorFamilyId, string AbsorbedFamilyId, bool AlreadyOneFamily);

/// <param name="RowVersion">Changes whenever the candidate does (PostgreSQL's <c>xmin</c>): the <c>If-Match</c> of a decision on it.</param>
public sealed record IdentityCandidate(long CandidateId, Guid PersonId, string FamilyId, Guid OtherPersonId, string OtherFamilyId, string Reason, DateTimeOffset FoundAt, long RowVersion);

/// <summary>What dismissing a candidate did.</summary>
public abstract record CandidateDismissal;

/// <summary>The candidate is dismissed.</summary>
public sealed record CandidateDismissed : CandidateDismissal;

/// <summary>No open candidate has that id; nothing was changed.</summary>
public sealed record CandidateNotOpen : CandidateDismissal;

/// <summary>The candidate is no longer at the version the caller based the dismissal on; nothing was changed.</summary>
public sealed record CandidateStale(long RowVersion) : CandidateDismissal;

/// <summary>A family id that names no family, or a request that makes no sense for the families named.</summary>
public sealed class FamilyAdministrationException(string message, bool noSuchFamily = false) : Exception(message)
{
    /// <summary>True when a family id names no family (rather than a request that makes no sense).</summary>
    public bool NoSuchFamily { get; } = noSuchFamily;
}

/// <summary>
/// The integration team's explicit decisions about identity: merging two families, splitting
/// persons out into a family of their own, and deciding on name-and-birth-date candidates. Each
/// decision is recorded as events in the families' streams, with who decided and why.
/// </summary>
public sealed class FamilyAdministration(PostgresEventStore store, TimeProvider clock)
{
    public const string Source = "urn:youngcarers:integration-team";

    /// <summary>Merges two families; the older survives, as with automatic merges.</summary>
    public Task<MergeOutcome> MergeAsync(string familyId, string otherFamilyId, string decidedBy, string? note, CancellationToken cancellationToken = default) =>
        store.ExecuteAsync((transaction, token) => MergeAsync(transaction, familyId, otherFamilyId, decidedBy, note, null, token), cancellationToken);

    /// <summary>
    /// As <see cref="MergeAsync(string, string, string, string?, CancellationToken)"/>, in the caller's
    /// transaction. With <paramref name="expectedVersions"/> (a stream version for each of the two
    /// ids) both must name live families at exactly those versions.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">A family's stream is at another version.</exception>
    /// <exception cref="StreamArchivedException">A family named was merged into another.</exception>
    public async Task<MergeOutcome> MergeAsync(
        EventStoreTransaction transaction, string familyId, string otherFamilyId, string decidedBy, string? note,
        IReadOnlyDictionary<string, long>? expectedVersions, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await PersonIndex.LockEverythingAsync(transaction, cancellationToken);
        if (expectedVersions is not null)
        {
            await CheckVersionAsync(transaction, familyId, expectedVersions[familyId], cancellationToken);
            await CheckVersionAsync(transaction, otherFamilyId, expectedVersions[otherFamilyId], cancellationToken);
        }

        var first = await LiveFamilyAsync(transaction, familyId, cancellationToken);
        var second = await LiveFamilyAsync(transaction, otherFamilyId, cancellationToken);
        if (first.Id == second.Id)
        {
            return new MergeOutcome(first.Id, familyId == first.Id ? otherFamilyId : familyId, AlreadyOneFamily: true);
        }

        var (survivor, absorbed) = first.CreatedAt <= second.CreatedAt ? (first.Id, second.Id) : (second.Id, first.Id);
        await ExecuteAsync(transaction, """
            UPDATE persons SET family_id = @survivor WHERE family_id = @absorbed;
            UPDATE identity_candidates c SET status = 'merged', decided_at = now(), decided_by = @by
            WHERE c.status = 'open'
              AND EXISTS (SELECT 1 FROM persons p WHERE p.person_id = c.person_id AND p.family_id = @survivor)
              AND EXISTS (SELECT 1 FROM persons p WHERE p.person_id = c.other_person_id AND p.family_id = @survivor);
            """, cancellationToken, ("survivor", survivor), ("absorbed", absorbed), ("by", decidedBy));

        var now = clock.GetUtcNow();
        var eventId = $"merge:{absorbed}";
        await transaction.AppendAsync(
        [
            new StreamAppend(survivor, Expected(expectedVersions, survivor), [Event(new FamilyMerged(absorbed, MergeReason.Explicit, null, null, decidedBy, note), now, $"{eventId}:merged")]),
            new StreamAppend(absorbed, Expected(expectedVersions, absorbed), [Event(new FamilyAbsorbed(survivor, MergeReason.Explicit, null, null, decidedBy, note), now, $"{eventId}:absorbed")]),
        ], cancellationToken);
        await transaction.ArchiveStreamAsync(absorbed, survivor, cancellationToken);
        return new MergeOutcome(survivor, absorbed, AlreadyOneFamily: false);
    }

    /// <summary>Moves the persons (each named by any of their identifiers) out of a family into a new one.</summary>
    /// <returns>The new family's id.</returns>
    public Task<string> SplitAsync(string familyId, IReadOnlyList<IdentityKey> persons, string decidedBy, string? note, CancellationToken cancellationToken = default) =>
        store.ExecuteAsync((transaction, token) => SplitAsync(transaction, familyId, persons, decidedBy, note, null, token), cancellationToken);

    /// <summary>
    /// As <see cref="SplitAsync(string, IReadOnlyList{IdentityKey}, string, string?, CancellationToken)"/>,
    /// in the caller's transaction. With <paramref name="expectedVersion"/> the id must name a live
    /// family whose stream is at exactly that version.
    /// </summary>
    /// <exception cref="WrongExpectedVersionException">The family's stream is at another version.</exception>
    /// <exception cref="StreamArchivedException">The family was merged into another.</exception>
    public async Task<string> SplitAsync(
        EventStoreTransaction transaction, string familyId, IReadOnlyList<IdentityKey> persons, string decidedBy, string? note,
        long? expectedVersion, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(persons);
        await PersonIndex.LockEverythingAsync(transaction, cancellationToken);
        if (expectedVersion is { } expected)
        {
            await CheckVersionAsync(transaction, familyId, expected, cancellationToken);
        }

        var family = await LiveFamilyAsync(transaction, familyId, cancellationToken);
        var known = await PersonIndex.LoadAsync(transaction, persons.ToList(), cancellationToken);
        // Positions in the caller's list, not the identifiers: a refusal's message reaches problem details and logs.
        var unknown = persons.Select((p, index) => (p, index))
            .Where(p => !known.Persons.TryGetValue(p.p, out var person) || person.FamilyId != family.Id)
            .Select(p => p.index.ToString(CultureInfo.InvariantCulture)).ToList();
        if (unknown.Count > 0)
        {
            throw new FamilyAdministrationException(
                $"Persons named who are not in family {family.Id}: {unknown.Count} of {persons.Count}, at positions {string.Join(", ", unknown)} of the persons list (counting from 0).");
        }

        var moving = persons.Select(p => known.Persons[p].PersonId).Distinct().ToArray();
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM persons WHERE family_id = @family", transaction.Connection, transaction.Transaction))
        {
            count.Parameters.AddWithValue("family", family.Id);
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! <= moving.Length)
            {
                throw new FamilyAdministrationException("A split must leave at least one person in the family.");
            }
        }

        var newFamily = IdentityPlanner.NewFamilyId(Guid.CreateVersion7());
        await ExecuteAsync(transaction, "UPDATE persons SET family_id = @new WHERE person_id = ANY(@persons)", cancellationToken, ("new", newFamily), ("persons", moving));
        var named = persons.Select(p => p.ToString()).ToList();
        var now = clock.GetUtcNow();
        await transaction.AppendAsync(
        [
            new StreamAppend(family.Id, expectedVersion is { } version ? ExpectedVersion.Exactly(version) : ExpectedVersion.Any, [Event(new FamilySplit(newFamily, named, decidedBy, note), now, $"split:{newFamily}")]),
            new StreamAppend(newFamily, ExpectedVersion.NoStream, [Event(new FamilySplitFrom(family.Id, named, decidedBy, note), now, $"split-from:{newFamily}")]),
        ], cancellationToken);
        return newFamily;
    }

    public async Task<IReadOnlyList<IdentityCandidate>> ListCandidatesAsync(long afterId, int limit, CancellationToken cancellationToken = default) =>
        await store.ExecuteAsync(async (transaction, token) =>
        {
            await using var command = new NpgsqlCommand("""
                SELECT c.candidate_id, c.person_id, p.family_id, c.other_person_id, o.family_id, c.reason, c.found_at, c.xmin::text::bigint
                FROM identity_candidates c
                JOIN persons p ON p.person_id = c.person_id
                JOIN persons o ON o.person_id = c.other_person_id
                WHERE c.status = 'open' AND c.candidate_id > @after AND p.family_id <> o.family_id
                ORDER BY c.candidate_id
                LIMIT @limit
                """, transaction.Connection, transaction.Transaction);
            command.Parameters.AddWithValue("after", afterId);
            command.Parameters.AddWithValue("limit", limit);
            await using var reader = await command.ExecuteReaderAsync(token);
            var candidates = new List<IdentityCandidate>();
            while (await reader.ReadAsync(token))
            {
                candidates.Add(new IdentityCandidate(reader.GetInt64(0), reader.GetGuid(1), reader.GetString(2), reader.GetGuid(3), reader.GetString(4), reader.GetString(5), reader.GetFieldValue<DateTimeOffset>(6), reader.GetInt64(7)));
            }

            return candidates;
        }, cancellationToken);

    /// <summary>
    /// Records, in the caller's transaction, that a candidate pair are different people, if the
    /// candidate is at <paramref name="expectedRowVersion"/> (what the caller saw is what it decides on).
    /// </summary>
    public static async Task<CandidateDismissal> DismissCandidateAsync(
        EventStoreTransaction transaction, long candidateId, long expectedRowVersion, string decidedBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await using (var select = new NpgsqlCommand(
            "SELECT status, xmin::text::bigint FROM identity_candidates WHERE candidate_id = @id FOR UPDATE", transaction.Connection, transaction.Transaction))
        {
            select.Parameters.AddWithValue("id", candidateId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return new CandidateNotOpen();
            }

            if (reader.GetInt64(1) != expectedRowVersion)
            {
                return new CandidateStale(reader.GetInt64(1));
            }

            if (reader.GetString(0) != "open")
            {
                return new CandidateNotOpen();
            }
        }

        await ExecuteAsync(transaction, "UPDATE identity_candidates SET status = 'dismissed', decided_at = now(), decided_by = @by WHERE candidate_id = @id",
            cancellationToken, ("id", candidateId), ("by", decidedBy));
        return new CandidateDismissed();
    }

    private static ExpectedVersion Expected(IReadOnlyDictionary<string, long>? expectedVersions, string familyId) =>
        expectedVersions is not null && expectedVersions.TryGetValue(familyId, out var version) ? ExpectedVersion.Exactly(version) : ExpectedVersion.Any;

    /// <summary>That the family named is live and its stream at <paramref name="expected"/>: what the caller saw is what it changes.</summary>
    private static async Task CheckVersionAsync(EventStoreTransaction transaction, string familyId, long expected, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT version, successor_id FROM streams WHERE stream_id = @id", transaction.Connection, transaction.Transaction);
        command.Parameters.AddWithValue("id", familyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            throw new FamilyAdministrationException($"There is no family {familyId}.", noSuchFamily: true);
        }

        if (!reader.IsDBNull(1))
        {
            throw new StreamArchivedException(familyId, reader.GetString(1));
        }

        if (reader.GetInt64(0) != expected)
        {
            throw new WrongExpectedVersionException(familyId, ExpectedVersion.Exactly(expected), reader.GetInt64(0));
        }
    }

    private static NewEvent Event(IFamilyEvent e, DateTimeOffset now, string id)
    {
        var (type, json) = FamilyEventSerializer.Serialize(e);
        return new NewEvent(type, json, now, Source, id, new EventMetadata { Channel = "integration-team" });
    }

    /// <summary>The live family an id names (following merges), with when it was created.</summary>
    private static async Task<(string Id, DateTimeOffset CreatedAt)> LiveFamilyAsync(EventStoreTransaction transaction, string familyId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            WITH RECURSIVE chain(stream_id, successor_id, created_at) AS (
                SELECT stream_id, successor_id, created_at FROM streams WHERE stream_id = @id
                UNION ALL
                SELECT s.stream_id, s.successor_id, s.created_at FROM streams s JOIN chain c ON s.stream_id = c.successor_id
            )
            SELECT stream_id, created_at FROM chain WHERE successor_id IS NULL
            """, transaction.Connection, transaction.Transaction);
        command.Parameters.AddWithValue("id", familyId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? (reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1))
            : throw new FamilyAdministrationException($"There is no family {familyId}.", noSuchFamily: true);
    }

    private static async Task ExecuteAsync(EventStoreTransaction transaction, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, transaction.Connection, transaction.Transaction);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
