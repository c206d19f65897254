using System.Buffers;
using System.Text;
using Npgsql;
using NpgsqlTypes;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.Ingest.Identity;

/// <summary>
/// The person index in PostgreSQL, read and written inside the event store transaction that
/// appends the events it learns from.
/// </summary>
public static class PersonIndex
{
    // pg_advisory_xact_lock(int, int) key space for identity locks ("YCID").
    private const int LockSpace = 0x5943_4944;
    private const int GlobalLock = -1;

    /// <summary>
    /// A transaction mentioning more identifiers than this takes the global lock instead. Each lock
    /// is a slot in the server's shared lock table, sized by max_locks_per_transaction (64 by
    /// default) times max_connections: a 1,000-event batch names about 800 identifiers, and a few
    /// such batches at once fit in the default table.
    /// </summary>
    private const int MaxIdentifierLocks = 1024;

    /// <summary>
    /// Serialises transactions that mention the same identifiers, so two of them can never both
    /// decide a new person (or family) is needed. A transaction locks each identifier's 31-bit hash
    /// under a shared global lock, so two transactions wait for each other only when they share an
    /// identifier (or, about once in two billion pairs of identifiers, a hash); one naming too many
    /// identifiers, or run again because the server's lock table filled up, takes the global lock
    /// exclusively. Advisory locks take no transaction id, so they come before any write, as the
    /// event store requires.
    /// </summary>
    public static async Task LockAsync(EventStoreTransaction transaction, IEnumerable<IdentityKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var commands = new List<NpgsqlBatchCommand>();
        AddLock(commands, keys, transaction.LockTableWasFull);
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction.Transaction);
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// <see cref="LockAsync"/> the keys, then <see cref="LoadAsync"/> them once the locks are held,
    /// in one round trip to the server.
    /// </summary>
    public static async Task<KnownIdentities> LockAndLoadAsync(EventStoreTransaction transaction, IReadOnlyCollection<IdentityKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(keys);
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction.Transaction);
        var (commands, read) = LockAndLoadCommands(keys, transaction.LockTableWasFull);
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await read(reader, cancellationToken);
    }

    /// <summary>
    /// The commands of <see cref="LockAndLoadAsync"/>, to send with others in one round trip, and
    /// how to read what they return (from the reader at the first of their results).
    /// </summary>
    /// <param name="lockEverything">Take the global lock exclusively, whatever the keys.</param>
    internal static (IReadOnlyList<NpgsqlBatchCommand> Commands, Func<NpgsqlDataReader, CancellationToken, Task<KnownIdentities>> Read) LockAndLoadCommands(
        IReadOnlyCollection<IdentityKey> keys, bool lockEverything)
    {
        var commands = new List<NpgsqlBatchCommand>();
        var lockResults = AddLock(commands, keys, lockEverything);
        commands.Add(LoadCommand(keys));
        return (commands, async (reader, cancellationToken) =>
        {
            for (var i = 0; i < lockResults; i++)
            {
                await reader.NextResultAsync(cancellationToken);
            }

            return await ReadKnownAsync(reader, cancellationToken);
        });
    }

    /// <summary>Adds the statements that take the locks; returns how many.</summary>
    private static int AddLock(List<NpgsqlBatchCommand> commands, IEnumerable<IdentityKey> keys, bool lockEverything)
    {
        var locks = keys.Select(LockKey).Distinct().Order().ToArray();
        if (lockEverything || locks.Length > MaxIdentifierLocks)
        {
            commands.Add(Command("SELECT pg_advisory_xact_lock(@space, @global)", ("space", LockSpace), ("global", GlobalLock)));
            return 1;
        }

        commands.Add(Command("SELECT pg_advisory_xact_lock_shared(@space, @global)", ("space", LockSpace), ("global", GlobalLock)));
        commands.Add(Command("SELECT count(pg_advisory_xact_lock(@space, k)) FROM (SELECT unnest(@keys::int[]) AS k ORDER BY 1) AS ordered",
            ("space", LockSpace), ("keys", locks)));
        return 2;
    }

    /// <summary>Excludes every other identity change: for the integration team's rare, explicit merges and splits.</summary>
    public static async Task LockEverythingAsync(EventStoreTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock(@space, @global)", transaction.Connection, transaction.Transaction);
        command.Parameters.AddWithValue("space", LockSpace);
        command.Parameters.AddWithValue("global", GlobalLock);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<KnownIdentities> LoadAsync(EventStoreTransaction transaction, IReadOnlyCollection<IdentityKey> keys, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(keys);
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction.Transaction) { BatchCommands = { LoadCommand(keys) } };
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        return await ReadKnownAsync(reader, cancellationToken);
    }

    private static NpgsqlBatchCommand LoadCommand(IReadOnlyCollection<IdentityKey> keys) =>
        // Index probes per key, fenced (OFFSET 0) so the planner cannot hash whole tables instead.
        new("""
            SELECT k.scheme, k.value, x.person_id, x.family_id, x.created_at, x.first_seq, x.has_all_details
            FROM unnest(@schemes::text[], @values::text[]) AS k(scheme, value)
            CROSS JOIN LATERAL (
                SELECT p.person_id, p.family_id, s.created_at,
                       p.given_name IS NOT NULL AND p.family_name IS NOT NULL AND p.birth_date IS NOT NULL AS has_all_details,
                       (SELECT e.seq FROM events e WHERE e.stream_id = p.family_id AND e.stream_version = 1) AS first_seq
                FROM person_identifiers i
                JOIN persons p ON p.person_id = i.person_id
                LEFT JOIN streams s ON s.stream_id = p.family_id
                WHERE i.scheme = k.scheme AND i.value = k.value
                OFFSET 0
            ) AS x
            """)
        {
            Parameters =
            {
                new NpgsqlParameter("schemes", keys.Select(k => k.Scheme).ToArray()),
                new NpgsqlParameter("values", keys.Select(k => k.Value).ToArray()),
            },
        };

    private static async Task<KnownIdentities> ReadKnownAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var persons = new Dictionary<IdentityKey, KnownPerson>();
        var familyAges = new Dictionary<string, FamilyAge>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            var familyId = reader.GetString(3);
            persons[new IdentityKey(reader.GetString(0), reader.GetString(1))] = new KnownPerson(reader.GetGuid(2), familyId) { HasAllDetails = reader.GetBoolean(6) };
            familyAges[familyId] = new FamilyAge(
                reader.IsDBNull(4) ? DateTimeOffset.MinValue : reader.GetFieldValue<DateTimeOffset>(4),
                reader.IsDBNull(5) ? 0 : reader.GetInt64(5));
        }

        return new KnownIdentities(persons, familyAges);
    }

    /// <summary>
    /// The commands that write the plan's changes to the index (merged persons, moved families, new
    /// persons and identifiers, match candidates), to send with others of the transaction in one
    /// round trip; none if the plan changes nothing. Given what the plan was made from (loaded in
    /// this transaction), they spare filling in details on persons who cannot gain any.
    /// </summary>
    public static IReadOnlyList<NpgsqlBatchCommand> ApplyCommands(IdentityPlan plan, KnownIdentities? known)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var batch = new List<NpgsqlBatchCommand>();

        // Identifiers never name a deleted person (migration 0107): existing persons that gain
        // identifiers are held until this transaction commits, and merges delete before re-pointing.
        var inserted = plan.NewPersons.ToDictionary(p => p.PersonId);
        var held = plan.NewIdentifiers.Select(i => i.PersonId).Concat(plan.PersonMerges.Select(m => m.Kept))
            .Where(id => !inserted.ContainsKey(id)).Distinct().ToArray();
        if (held.Length > 0)
        {
            Add(batch, "SELECT person_index_hold_persons(@persons)", ("persons", held));
        }

        if (plan.PersonMerges.Count > 0)
        {
            var kept = plan.PersonMerges.Select(m => m.Kept).ToArray();
            var absorbed = plan.PersonMerges.Select(m => m.Absorbed).ToArray();
            Add(batch, "DELETE FROM persons WHERE person_id = ANY(@absorbed)", ("absorbed", absorbed));
            Add(batch, """
                UPDATE person_identifiers i SET person_id = m.kept
                FROM unnest(@kept::uuid[], @absorbed::uuid[]) AS m(kept, absorbed)
                WHERE i.person_id = m.absorbed
                """, ("kept", kept), ("absorbed", absorbed));
            Add(batch, "DELETE FROM identity_candidates WHERE person_id = ANY(@absorbed) OR other_person_id = ANY(@absorbed)", ("absorbed", absorbed));
        }

        if (plan.FamilyMerges.Count > 0)
        {
            Add(batch, """
                UPDATE persons p SET family_id = m.survivor
                FROM unnest(@survivors::text[], @absorbed::text[]) AS m(survivor, absorbed)
                WHERE p.family_id = m.absorbed
                """,
                ("survivors", plan.FamilyMerges.Select(m => m.Survivor).ToArray()),
                ("absorbed", plan.FamilyMerges.Select(m => m.Absorbed).ToArray()));
        }

        if (plan.NewPersons.Count > 0)
        {
            var persons = plan.NewPersons;
            Add(batch, """
                INSERT INTO persons (person_id, family_id, given_name, family_name, birth_date)
                SELECT * FROM unnest(@ids::uuid[], @families::text[], @given::text[], @family::text[], @born::date[])
                """,
                ("ids", persons.Select(p => p.PersonId).ToArray()),
                ("families", persons.Select(p => p.FamilyId).ToArray()),
                ("given", persons.Select(p => p.GivenName).ToArray()),
                ("family", persons.Select(p => p.FamilyName).ToArray()),
                ("born", persons.Select(p => p.BirthDate).ToArray()));
        }

        if (plan.NewIdentifiers.Count > 0)
        {
            Add(batch, """
                INSERT INTO person_identifiers (scheme, value, person_id)
                SELECT * FROM unnest(@schemes::text[], @values::text[], @persons::uuid[])
                """,
                ("schemes", plan.NewIdentifiers.Select(i => i.Key.Scheme).ToArray()),
                ("values", plan.NewIdentifiers.Select(i => i.Key.Value).ToArray()),
                ("persons", plan.NewIdentifiers.Select(i => i.PersonId).ToArray()));
        }

        // Details missing on a known person are filled in from later sightings, never overwritten.
        var complete = known?.Persons.Values.Where(p => p.HasAllDetails).Select(p => p.PersonId).ToHashSet();
        var details = plan.Sightings
            .Where(s => s.Sighting.GivenName is not null || s.Sighting.FamilyName is not null || s.Sighting.BirthDate is not null)
            .DistinctBy(s => s.PersonId)
            .Where(s => CanGainDetails(s.PersonId, s.Sighting, inserted, complete))
            .ToList();
        if (details.Count > 0)
        {
            Add(batch, """
                UPDATE persons p
                SET given_name = coalesce(p.given_name, d.given), family_name = coalesce(p.family_name, d.family), birth_date = coalesce(p.birth_date, d.born)
                FROM unnest(@ids::uuid[], @given::text[], @family::text[], @born::date[]) AS d(id, given, family, born)
                WHERE p.person_id = d.id AND (p.given_name IS NULL OR p.family_name IS NULL OR p.birth_date IS NULL)
                """,
                ("ids", details.Select(d => d.PersonId).ToArray()),
                ("given", details.Select(d => d.Sighting.GivenName).ToArray()),
                ("family", details.Select(d => d.Sighting.FamilyName).ToArray()),
                ("born", details.Select(d => d.Sighting.BirthDate).ToArray()));
        }

        // Matched once their details are in: a person first seen without a birth date (often an
        // adult) is matched when a later sighting gives it, as if it had come first.
        var matched = plan.NewPersons.Select(p => p.PersonId).Concat(details.Select(d => d.PersonId)).Distinct().ToArray();
        if (matched.Length > 0)
        {
            Add(batch, """
                INSERT INTO identity_candidates (person_id, other_person_id, reason)
                SELECT least(n.person_id, p.person_id), greatest(n.person_id, p.person_id), 'same-name-and-birth-date'
                FROM unnest(@new::uuid[]) AS k(person_id)
                CROSS JOIN LATERAL (
                    SELECT n.person_id, n.family_id, n.given_name, n.family_name, n.birth_date FROM persons n
                    WHERE n.person_id = k.person_id AND n.birth_date IS NOT NULL
                    OFFSET 0
                ) AS n
                CROSS JOIN LATERAL (
                    SELECT p.person_id FROM persons p
                    WHERE lower(p.family_name) = lower(n.family_name) AND p.birth_date = n.birth_date
                      AND lower(p.given_name) = lower(n.given_name) AND p.family_id <> n.family_id
                    OFFSET 0
                ) AS p
                ON CONFLICT (person_id, other_person_id) DO NOTHING
                """, ("new", matched));
        }

        return batch;
    }

    /// <summary>
    /// False when filling in the sighting's details would change nothing: a person inserted by this
    /// plan with every detail the sighting has, or a known person who has every detail already.
    /// </summary>
    private static bool CanGainDetails(Guid personId, PersonSighting sighting, Dictionary<Guid, NewPerson> inserted, HashSet<Guid>? complete)
    {
        if (inserted.TryGetValue(personId, out var person))
        {
            return (person.GivenName is null && sighting.GivenName is not null)
                || (person.FamilyName is null && sighting.FamilyName is not null)
                || (person.BirthDate is null && sighting.BirthDate is not null);
        }

        return complete is null || !complete.Contains(personId);
    }

    private static void Add(List<NpgsqlBatchCommand> batch, string sql, params (string Name, object Value)[] parameters) =>
        batch.Add(Command(sql, parameters));

    private static NpgsqlBatchCommand Command(string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value switch
            {
                string?[] texts => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = texts },
                DateOnly?[] dates => new NpgsqlParameter(name, NpgsqlDbType.Array | NpgsqlDbType.Date) { Value = dates },
                _ => new NpgsqlParameter(name, value),
            });
        }

        return command;
    }

    /// <summary>
    /// A stable lock key (FNV-1a of the key's UTF-8), the same in every process; never negative,
    /// so never the global lock's.
    /// </summary>
    private static int LockKey(IdentityKey key)
    {
        var hash = Fnv1a(2166136261u, key.Scheme);
        hash = (hash ^ 0) * 16777619u;
        return (int)(Fnv1a(hash, key.Value) & 0x7FFF_FFFF);
    }

    private static uint Fnv1a(uint hash, string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        var utf8 = rented ?? stackalloc byte[256];
        foreach (var b in utf8[..Encoding.UTF8.GetBytes(text, utf8)])
        {
            hash = (hash ^ b) * 16777619u;
        }

        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return hash;
    }
}
