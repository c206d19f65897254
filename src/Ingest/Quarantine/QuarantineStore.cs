using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using YoungCarers.Domain.Contract;
using YoungCarers.EventStore.Streams;

namespace YoungCarers.Ingest.Quarantine;

/// <summary>Where a payload came from: the channel, and channel details (topic and offset, file and line, request id).</summary>
public sealed record Arrival(string Channel, IReadOnlyDictionary<string, string> Origin)
{
    public static Arrival Http(string requestId) => new("http", new Dictionary<string, string> { ["requestId"] = requestId });
}

/// <summary>A payload that failed validation, kept exactly as it arrived.</summary>
public sealed record QuarantineEntry(
    Arrival Arrival,
    ReadOnlyMemory<byte> Payload,
    string? Source,
    string? SourceEventId,
    string? Type,
    IReadOnlyList<ValidationError> Reasons);

/// <summary>Where a resolved entry's event went: the family stream that holds it, and the event's source and id.</summary>
/// <param name="Outcome"><see cref="Accepted"/> (stored then) or <see cref="Duplicate"/> (an event with the same source and id was already stored, so nothing new was).</param>
public sealed record QuarantineResolution(string Outcome, string FamilyId, string Source, string SourceEventId)
{
    public const string Accepted = "accepted";
    public const string Duplicate = "duplicate";
}

/// <param name="Resolution">Where the event went once resolved; null while the entry is open.</param>
/// <param name="RowVersion">Changes whenever the entry does (PostgreSQL's <c>xmin</c>): its <c>ETag</c>.</param>
public sealed record QuarantinedEvent(
    long QuarantineId,
    string Channel,
    IReadOnlyDictionary<string, string> Origin,
    DateTimeOffset ReceivedAt,
    string? Source,
    string? SourceEventId,
    string? Type,
    byte[] Payload,
    IReadOnlyList<ValidationError> Reasons,
    int Deliveries,
    string Status,
    DateTimeOffset? ResolvedAt,
    string? ResolvedBy,
    QuarantineResolution? Resolution,
    long RowVersion);

/// <summary>The quarantine table: nothing that arrives is dropped, however malformed.</summary>
public sealed class QuarantineStore(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Stores the entries (in one statement, durably) and returns their quarantine ids in order. The
    /// same payload quarantined again while still open counts another delivery on the existing entry.
    /// </summary>
    public async Task<IReadOnlyList<long>> AddAsync(IReadOnlyList<QuarantineEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return [];
        }

        await using var command = dataSource.CreateCommand();
        return await AddAsync(command, entries, cancellationToken);
    }

    /// <summary>
    /// As <see cref="AddAsync(IReadOnlyList{QuarantineEntry}, CancellationToken)"/>, inside an event
    /// store transaction: the entries are durable when it commits, and gone if it rolls back.
    /// </summary>
    public static async Task<IReadOnlyList<long>> AddAsync(EventStoreTransaction transaction, IReadOnlyList<QuarantineEntry> entries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(entries);
        if (entries.Count == 0)
        {
            return [];
        }

        await using var command = new NpgsqlCommand(null, transaction.Connection, transaction.Transaction);
        return await AddAsync(command, entries, cancellationToken);
    }

    private static async Task<IReadOnlyList<long>> AddAsync(NpgsqlCommand command, IReadOnlyList<QuarantineEntry> entries, CancellationToken cancellationToken)
    {
        var hashes = entries.Select(e => SHA256.HashData(e.Payload.Span)).ToArray();
        // One row per distinct payload: ON CONFLICT may not touch a row twice in one statement.
        var distinct = entries.Zip(hashes).DistinctBy(pair => Convert.ToHexString(pair.Second)).ToList();
        command.CommandText = """
            INSERT INTO quarantine (channel, origin, source, source_event_id, type, payload, payload_hash, errors)
            SELECT * FROM unnest(@channels::text[], @origins::jsonb[], @sources::text[], @ids::text[], @types::text[],
                                 @payloads::bytea[], @hashes::bytea[], @errors::jsonb[])
            ON CONFLICT (payload_hash) WHERE status = 'open'
            DO UPDATE SET deliveries = quarantine.deliveries + 1
            RETURNING quarantine_id, payload_hash
            """;
        var rows = distinct.Select(pair => pair.First).ToList();
        command.Parameters.AddWithValue("channels", rows.Select(e => e.Arrival.Channel).ToArray());
        command.Parameters.Add(new NpgsqlParameter("origins", NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
        {
            Value = rows.Select(e => JsonSerializer.Serialize(e.Arrival.Origin, Json)).ToArray(),
        });
        command.Parameters.AddWithValue("sources", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(e => e.Source).ToArray());
        command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(e => e.SourceEventId).ToArray());
        command.Parameters.AddWithValue("types", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(e => e.Type).ToArray());
        command.Parameters.AddWithValue("payloads", rows.Select(e => e.Payload.ToArray()).ToArray());
        command.Parameters.AddWithValue("hashes", distinct.Select(pair => pair.Second).ToArray());
        command.Parameters.Add(new NpgsqlParameter("errors", NpgsqlDbType.Array | NpgsqlDbType.Jsonb)
        {
            Value = rows.Select(e => JsonSerializer.Serialize(e.Reasons, Json)).ToArray(),
        });

        var idsByHash = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                idsByHash[Convert.ToHexString(reader.GetFieldValue<byte[]>(1))] = reader.GetInt64(0);
            }
        }

        return [.. hashes.Select(hash => idsByHash[Convert.ToHexString(hash)])];
    }

    /// <summary>Open entries in arrival order, after <paramref name="afterId"/> (cursor paging).</summary>
    public async Task<IReadOnlyList<QuarantinedEvent>> ListOpenAsync(long afterId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"""
            {SelectColumns} WHERE status = 'open' AND quarantine_id > @after ORDER BY quarantine_id LIMIT @limit
            """);
        command.Parameters.AddWithValue("after", afterId);
        command.Parameters.AddWithValue("limit", limit);
        return await ReadAllAsync(command, cancellationToken);
    }

    public async Task<QuarantinedEvent?> GetAsync(long quarantineId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand($"{SelectColumns} WHERE quarantine_id = @id");
        command.Parameters.AddWithValue("id", quarantineId);
        return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>As <see cref="GetAsync(long, CancellationToken)"/>, in the caller's transaction.</summary>
    public static async Task<QuarantinedEvent?> GetAsync(NpgsqlTransaction transaction, long quarantineId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await using var command = new NpgsqlCommand($"{SelectColumns} WHERE quarantine_id = @id", transaction.Connection, transaction);
        command.Parameters.AddWithValue("id", quarantineId);
        return (await ReadAllAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>Closes an open entry once a corrected version of it has been accepted.</summary>
    /// <returns>False when the entry was not open (already resolved by someone else).</returns>
    public async Task<bool> ResolveAsync(long quarantineId, string resolvedBy, QuarantineResolution resolution, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand();
        return await ResolveAsync(command, quarantineId, resolvedBy, resolution, null, cancellationToken);
    }

    /// <summary>
    /// As <see cref="ResolveAsync(long, string, QuarantineResolution, CancellationToken)"/>,
    /// in the caller's transaction, and only if the entry is still at <paramref name="rowVersion"/>.
    /// </summary>
    public static async Task<bool> ResolveAsync(
        NpgsqlTransaction transaction, long quarantineId, string resolvedBy, QuarantineResolution resolution, long rowVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await using var command = new NpgsqlCommand(null, transaction.Connection, transaction);
        return await ResolveAsync(command, quarantineId, resolvedBy, resolution, rowVersion, cancellationToken);
    }

    private static async Task<bool> ResolveAsync(
        NpgsqlCommand command, long quarantineId, string resolvedBy, QuarantineResolution resolution, long? rowVersion, CancellationToken cancellationToken)
    {
        command.CommandText = $"""
            UPDATE quarantine SET status = 'resolved', resolved_at = now(), resolved_by = @by, resolution = @resolution::jsonb
            WHERE quarantine_id = @id AND status = 'open' {(rowVersion is null ? "" : "AND xmin::text::bigint = @version")}
            """;
        command.Parameters.AddWithValue("id", quarantineId);
        command.Parameters.AddWithValue("by", resolvedBy);
        command.Parameters.AddWithValue("resolution", JsonSerializer.Serialize(resolution, Json));
        if (rowVersion is { } version)
        {
            command.Parameters.AddWithValue("version", version);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Records a failed resubmission: the entry stays open with the corrected payload's reasons.</summary>
    public async Task RecordFailedResubmissionAsync(long quarantineId, IReadOnlyList<ValidationError> reasons, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand();
        await RecordFailedResubmissionAsync(command, quarantineId, reasons, null, cancellationToken);
    }

    /// <summary>
    /// As <see cref="RecordFailedResubmissionAsync(long, IReadOnlyList{ValidationError}, CancellationToken)"/>,
    /// in the caller's transaction, and only if the entry is still at <paramref name="rowVersion"/>.
    /// </summary>
    /// <returns>False when the entry changed meanwhile (or is no longer open).</returns>
    public static async Task<bool> RecordFailedResubmissionAsync(
        NpgsqlTransaction transaction, long quarantineId, IReadOnlyList<ValidationError> reasons, long rowVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        await using var command = new NpgsqlCommand(null, transaction.Connection, transaction);
        return await RecordFailedResubmissionAsync(command, quarantineId, reasons, rowVersion, cancellationToken);
    }

    private static async Task<bool> RecordFailedResubmissionAsync(
        NpgsqlCommand command, long quarantineId, IReadOnlyList<ValidationError> reasons, long? rowVersion, CancellationToken cancellationToken)
    {
        command.CommandText = $"""
            UPDATE quarantine SET errors = @errors::jsonb, deliveries = deliveries + 1
            WHERE quarantine_id = @id AND status = 'open' {(rowVersion is null ? "" : "AND xmin::text::bigint = @version")}
            """;
        command.Parameters.AddWithValue("id", quarantineId);
        command.Parameters.AddWithValue("errors", JsonSerializer.Serialize(reasons, Json));
        if (rowVersion is { } version)
        {
            command.Parameters.AddWithValue("version", version);
        }

        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<long> CountOpenAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM quarantine WHERE status = 'open'");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private const string SelectColumns = """
        SELECT quarantine_id, channel, origin::text, received_at, source, source_event_id, type, payload, errors::text,
               deliveries, status, resolved_at, resolved_by, resolution::text, xmin::text::bigint
        FROM quarantine
        """;

    private static async Task<IReadOnlyList<QuarantinedEvent>> ReadAllAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var entries = new List<QuarantinedEvent>();
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new QuarantinedEvent(
                reader.GetInt64(0),
                reader.GetString(1),
                JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2), Json) ?? [],
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.GetFieldValue<byte[]>(7),
                JsonSerializer.Deserialize<List<ValidationError>>(reader.GetString(8), Json) ?? [],
                reader.GetInt32(9),
                reader.GetString(10),
                reader.IsDBNull(11) ? null : reader.GetFieldValue<DateTimeOffset>(11),
                reader.IsDBNull(12) ? null : reader.GetString(12),
                reader.IsDBNull(13) ? null : JsonSerializer.Deserialize<QuarantineResolution>(reader.GetString(13), Json),
                reader.GetInt64(14)));
        }

        return entries;
    }
}
