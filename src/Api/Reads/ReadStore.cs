using Npgsql;
using NpgsqlTypes;
using YoungCarers.Api.Audit;
using YoungCarers.Domain.Families;
using YoungCarers.Projections.ReadModel;

namespace YoungCarers.Api.Reads;

/// <summary>
/// The read API's queries: the live read model (always through <see cref="ReadModelSchema.Live"/>,
/// which a rebuild swaps by renaming) and, for timelines and merges as known at an instant, the event store.
/// </summary>
internal sealed class ReadStore(NpgsqlDataSource dataSource)
{
    public const int MaxMergeDepth = 1000;

    public static readonly string Schema = ReadModelSchema.Quote(ReadModelSchema.Live);

    public NpgsqlDataSource DataSource => dataSource;

    /// <summary>
    /// The read model's row for an id: (survivor_id, document text), the document only when the family
    /// is live (survivor_id null); no row when the read model does not know the id. Run with the
    /// access record it is read for (<see cref="AccessAudit.RecordWithReadAsync"/>): one round trip for both.
    /// </summary>
    public static AuditedRead LiveDocumentRead(string familyId) => new(
        $"SELECT survivor_id, CASE WHEN survivor_id IS NULL THEN document::text END FROM {Schema}.families WHERE family_id = @id",
        () => [new NpgsqlParameter<string>("id", familyId)]);

    /// <summary>The live family and its document for the survivor an id was merged into (following further merges), or null.</summary>
    public async Task<(string FamilyId, string DocumentJson)?> SurvivorDocumentAsync(string survivorId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            WITH RECURSIVE chain(family_id, survivor_id, depth) AS (
                SELECT family_id, survivor_id, 0 FROM {Schema}.families WHERE family_id = @id
                UNION ALL
                SELECT f.family_id, f.survivor_id, c.depth + 1
                FROM {Schema}.families f JOIN chain c ON f.family_id = c.survivor_id
                WHERE c.depth < {MaxMergeDepth}
            )
            SELECT f.family_id, f.document::text
            FROM chain c JOIN {Schema}.families f ON f.family_id = c.family_id
            WHERE c.survivor_id IS NULL
            LIMIT 1
            """);
        command.Parameters.AddWithValue("id", survivorId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetString(0), reader.GetString(1)) : null;
    }

    /// <summary>
    /// The family that answers for <paramref name="familyId"/>: itself, or the family it was merged
    /// into, as recorded by <paramref name="knownAt"/> (all recorded merges when null). Null when the
    /// id had no events recorded by then.
    /// </summary>
    public async Task<string?> ResolveAsync(string familyId, DateTimeOffset? knownAt, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            WITH RECURSIVE chain(id, depth) AS (
                SELECT stream_id, 0 FROM events
                WHERE stream_id = @id AND (@known_at::timestamptz IS NULL OR recorded_at <= @known_at::timestamptz)
                LIMIT 1
            ), resolved(id, depth) AS (
                SELECT id, depth FROM chain
                UNION ALL
                SELECT (SELECT e.data->>'survivorFamilyId' FROM events e
                        WHERE e.stream_id = r.id AND e.type = @absorbed
                          AND (@known_at::timestamptz IS NULL OR e.recorded_at <= @known_at::timestamptz)
                        ORDER BY e.stream_version DESC LIMIT 1),
                       r.depth + 1
                FROM resolved r
                WHERE r.id IS NOT NULL AND r.depth < {MaxMergeDepth}
            )
            SELECT id FROM resolved WHERE id IS NOT NULL ORDER BY depth DESC LIMIT 1
            """);
        command.Parameters.AddWithValue("id", familyId);
        command.Parameters.AddWithValue("absorbed", FamilyAbsorbed.TypeName);
        command.Parameters.Add(Instant("known_at", knownAt));
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>A family's events and those of every family merged into it (as recorded by <paramref name="knownAt"/>), by occurrence.</summary>
    public async Task<List<TimelineEvent>> TimelineAsync(
        string familyId, DateTimeOffset? asOf, DateTimeOffset? knownAt, (DateTimeOffset OccurredAt, long Position)? after, int take, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            WITH RECURSIVE tree(id, depth) AS (
                SELECT @id::text, 0
                UNION ALL
                SELECT e.data->>'absorbedFamilyId', t.depth + 1
                FROM events e JOIN tree t ON e.stream_id = t.id
                WHERE e.type = @merged AND t.depth < {MaxMergeDepth}
                  AND (@known_at::timestamptz IS NULL OR e.recorded_at <= @known_at::timestamptz)
            )
            SELECT e.seq, e.stream_id, e.stream_version, e.type, e.source, e.source_event_id, e.occurred_at, e.recorded_at
            FROM events e
            WHERE e.stream_id IN (SELECT id FROM tree)
              AND (@known_at::timestamptz IS NULL OR e.recorded_at <= @known_at::timestamptz)
              AND (@as_of::timestamptz IS NULL OR e.occurred_at <= @as_of::timestamptz)
              AND (@after_at::timestamptz IS NULL OR (e.occurred_at, e.seq) > (@after_at::timestamptz, @after_seq::bigint))
            ORDER BY e.occurred_at, e.seq
            LIMIT @take
            """);
        command.Parameters.AddWithValue("id", familyId);
        command.Parameters.AddWithValue("merged", FamilyMerged.TypeName);
        command.Parameters.Add(Instant("known_at", knownAt));
        command.Parameters.Add(Instant("as_of", asOf));
        command.Parameters.Add(Instant("after_at", after?.OccurredAt));
        command.Parameters.Add(new NpgsqlParameter("after_seq", NpgsqlDbType.Bigint) { Value = (object?)after?.Position ?? DBNull.Value });
        command.Parameters.AddWithValue("take", take);
        var items = new List<TimelineEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new TimelineEvent(
                reader.GetInt64(0), reader.GetString(1), reader.GetInt64(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.GetFieldValue<DateTimeOffset>(6).ToUniversalTime(), reader.GetFieldValue<DateTimeOffset>(7).ToUniversalTime()));
        }

        return items;
    }

    /// <summary>The family (as the person index recorded it) of the person with this identifier, or null.</summary>
    public async Task<string?> FamilyOfPersonAsync(string scheme, string value, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT p.family_id FROM person_identifiers i JOIN persons p ON p.person_id = i.person_id
            WHERE i.scheme = @scheme AND i.value = @value
            """);
        command.Parameters.AddWithValue("scheme", scheme);
        command.Parameters.AddWithValue("value", value);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>The live family a stream now belongs to (following <c>streams.successor_id</c>).</summary>
    public async Task<string?> LiveStreamAsync(string streamId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            WITH RECURSIVE chain(stream_id, successor_id, depth) AS (
                SELECT stream_id, successor_id, 0 FROM streams WHERE stream_id = @id
                UNION ALL
                SELECT s.stream_id, s.successor_id, c.depth + 1
                FROM streams s JOIN chain c ON s.stream_id = c.successor_id
                WHERE c.depth < {MaxMergeDepth}
            )
            SELECT stream_id FROM chain WHERE successor_id IS NULL LIMIT 1
            """);
        command.Parameters.AddWithValue("id", streamId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    public static NpgsqlParameter Instant(string name, DateTimeOffset? value) =>
        new(name, NpgsqlDbType.TimestampTz) { Value = value is { } v ? v.ToUniversalTime() : DBNull.Value };

    public static NpgsqlParameter Text(string name, string? value) =>
        new(name, NpgsqlDbType.Text) { Value = (object?)value ?? DBNull.Value };

    public static NpgsqlParameter Date(string name, DateOnly? value) =>
        new(name, NpgsqlDbType.Date) { Value = (object?)value ?? DBNull.Value };
}

/// <param name="Position">The event's global position in the store (its recording order).</param>
/// <param name="FamilyId">The stream it was appended to: the family itself or one merged into it.</param>
public sealed record TimelineEvent(
    long Position, string FamilyId, long StreamVersion, string Type, string Source, string SourceEventId, DateTimeOffset OccurredAt, DateTimeOffset RecordedAt);
