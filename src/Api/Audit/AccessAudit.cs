using System.Diagnostics;
using Npgsql;
using NpgsqlTypes;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Audit;

/// <summary>One request's read of family data: who, with which scopes, which families (none, one, or a list page's), which resource, why.</summary>
public sealed record AccessRecord(string Client, IReadOnlyList<string> Scopes, IReadOnlyList<string> FamilyIds, string Resource, string Purpose, string? TraceId);

/// <summary>A recorded access, as <c>GET /audit/access</c> lists it.</summary>
/// <param name="FamilyIds">The families the request read: one for a family read, a list page's families, or none.</param>
public sealed record AccessAuditEntry(long Id, DateTimeOffset At, string Client, IReadOnlyList<string> Scopes, IReadOnlyList<string> FamilyIds, string Resource, string Purpose, string? TraceId);

/// <summary>Filters for <see cref="AccessAudit.ListAsync"/>: all optional; newest first, before <see cref="Before"/> (the cursor).</summary>
public sealed record AccessAuditQuery(string? FamilyId = null, string? Client = null, DateTimeOffset? From = null, DateTimeOffset? To = null, long? Before = null, int Limit = 50);

/// <param name="NextCursor">Pass as <c>cursor</c> for the next (older) page; null on the last page.</param>
public sealed record AccessAuditPage(IReadOnlyList<AccessAuditEntry> Items, string? NextCursor);

/// <summary>
/// The append-only access log (<c>access_audit</c>; the database refuses UPDATE, DELETE and TRUNCATE).
/// Family read endpoints record every access before they return data: with
/// <see cref="AccessAuditEndpointExtensions.WithAccessAudit{TBuilder}"/> on the endpoint, or by calling
/// <see cref="RecordAsync(HttpContext, IEnumerable{string?}, CancellationToken)"/> when the families are known only after a look-up.
/// A request's records are written together with those of concurrent requests (<see cref="AccessAuditWriter"/>),
/// and the request goes on only once they are committed.
/// </summary>
public sealed class AccessAudit
{
    public const int MaxPageSize = 200;
    public const int MaxPurposeLength = 500;

    /// <summary>The header in which callers state why they read family data.</summary>
    public const string PurposeHeader = "X-Access-Purpose";

    internal const string RecordedCountKey = "YoungCarers.AccessAudit.Recorded";

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly AccessAuditWriter _writer;

    internal AccessAudit(NpgsqlDataSource dataSource, TimeProvider clock, AccessAuditWriter writer)
    {
        _dataSource = dataSource;
        _clock = clock;
        _writer = writer;
    }

    /// <summary>Records accesses (one row each) in one statement; returns their ids.</summary>
    public async Task<IReadOnlyList<long>> RecordAsync(IReadOnlyList<AccessRecord> records, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(records);
        var at = _clock.GetUtcNow();
        return await InsertAsync(_dataSource, [.. records.Select(record => (record, at))], cancellationToken);
    }

    /// <summary>Records one access.</summary>
    public async Task<long> RecordAsync(AccessRecord record, CancellationToken cancellationToken = default) =>
        (await RecordAsync([record], cancellationToken))[0];

    /// <summary>
    /// Records the current request's access to these families (one row naming them all, or none): the
    /// caller from its token, the purpose from the <see cref="PurposeHeader"/> header (the endpoint
    /// must use <see cref="AccessAuditEndpointExtensions.WithAccessAudit{TBuilder}"/>, which checks it).
    /// </summary>
    public async Task RecordAsync(HttpContext context, IEnumerable<string?> familyIds, CancellationToken cancellationToken = default) =>
        await RecordAsync(context, familyIds, null, cancellationToken);

    /// <summary>
    /// Records the current request's access to <paramref name="familyId"/> as <see cref="RecordAsync(HttpContext, IEnumerable{string?}, CancellationToken)"/>
    /// does, and runs <paramref name="read"/> (the family's data) in the same round trip and transaction:
    /// its rows come back once the record is committed.
    /// </summary>
    internal Task<IReadOnlyList<object?[]>> RecordWithReadAsync(HttpContext context, string familyId, AuditedRead read, CancellationToken cancellationToken) =>
        RecordAsync(context, [familyId], read, cancellationToken);

    /// <summary>
    /// Runs a page query (<paramref name="read"/>, its rows in the page's order) and records the
    /// current request's access to the families of its first <see cref="AuditedRead.ShownRows"/> rows:
    /// the query goes with concurrent requests' reads (<see cref="AccessAuditWriter"/>), its record in
    /// the same insert as theirs, and its rows come back once the record is committed.
    /// </summary>
    internal async Task<List<TRow>> ReadPageAsync<TRow>(HttpContext context, AuditedRead<TRow> read, CancellationToken cancellationToken)
        where TRow : class
    {
        var rows = await _writer.ReadAsync([RecordOf(context, [])], _clock.GetUtcNow(), read, cancellationToken);
        NoteRecorded(context);
        return rows;
    }

    private Task<IReadOnlyList<object?[]>> RecordAsync(HttpContext context, IEnumerable<string?> familyIds, AuditedRead? read, CancellationToken cancellationToken) =>
        WriteAsync(context, [RecordOf(context, familyIds)], _clock.GetUtcNow(), read, cancellationToken);

    /// <summary>Writes through the batching writer and notes on the request that its access is recorded.</summary>
    private async Task<IReadOnlyList<object?[]>> WriteAsync(
        HttpContext context, IReadOnlyList<AccessRecord> records, DateTimeOffset at, AuditedRead? read, CancellationToken cancellationToken)
    {
        var rows = await _writer.ReadAsync(records, at, read, cancellationToken);
        NoteRecorded(context);
        return rows;
    }

    private static void NoteRecorded(HttpContext context) =>
        context.Items[RecordedCountKey] = (context.Items[RecordedCountKey] as int? ?? 0) + 1;

    private static AccessRecord RecordOf(HttpContext context, IEnumerable<string?> familyIds)
    {
        ArgumentNullException.ThrowIfNull(context);
        var purpose = PurposeOf(context) ?? throw new InvalidOperationException($"The request states no purpose; add WithAccessAudit() to the endpoint so a missing {PurposeHeader} is refused.");
        return new AccessRecord(
            CallerIdentity.ClientOf(context.User) ?? "anonymous",
            CallerIdentity.ScopesOf(context.User),
            [.. familyIds.OfType<string>().Distinct(StringComparer.Ordinal)],
            ResourceOf(context),
            purpose,
            Activity.Current?.TraceId.ToHexString() ?? context.TraceIdentifier);
    }

    /// <summary>Inserts the rows in one statement (one round trip, one commit), in order; returns their ids.</summary>
    internal static async Task<IReadOnlyList<long>> InsertAsync(
        NpgsqlDataSource dataSource, IReadOnlyList<(AccessRecord Record, DateTimeOffset At)> rows, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        await using var command = dataSource.CreateBatch();
        command.BatchCommands.Add(InsertCommand(rows));
        var ids = new List<long>(rows.Count);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    /// <summary>The insert of the rows, in order, returning their ids.</summary>
    /// <remarks>
    /// Every record's families travel in one flat array, which each row slices by its first index and
    /// count. A list of several families is stored once (<c>access_audit_family_lists</c>, keyed by the
    /// SHA-256 of the list as PostgreSQL sends it) and the row names its digest; lists are written in
    /// digest order, so concurrent batches sharing new lists wait for one another rather than deadlock.
    /// </remarks>
    internal static NpgsqlBatchCommand InsertCommand(IReadOnlyList<(AccessRecord Record, DateTimeOffset At)> rows)
    {
        var families = new List<string>();
        var firsts = new int[rows.Count];
        var counts = new int[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            firsts[i] = families.Count + 1;
            counts[i] = rows[i].Record.FamilyIds.Count;
            families.AddRange(rows[i].Record.FamilyIds);
        }

        return new("""
            WITH r AS MATERIALIZED (
                SELECT r.*, f.ids, CASE WHEN cardinality(f.ids) > 1 THEN sha256(array_send(f.ids)) END AS digest
                FROM unnest(@ats, @clients, @scopes, @firsts, @counts, @resources, @purposes, @traces) WITH ORDINALITY
                    AS r(at, client, scopes, first_family, family_count, resource, purpose, trace_id, n)
                    CROSS JOIN LATERAL (SELECT (@families::text[])[r.first_family : r.first_family + r.family_count - 1] AS ids) f),
            lists AS (
                INSERT INTO access_audit_family_lists (digest, family_ids)
                SELECT DISTINCT ON (digest) digest, ids FROM r WHERE digest IS NOT NULL ORDER BY digest
                ON CONFLICT (digest) DO NOTHING)
            INSERT INTO access_audit (at, client, scopes, family_id, family_list, resource, purpose, trace_id)
            SELECT at, client, string_to_array(scopes, ' '), CASE WHEN cardinality(ids) = 1 THEN ids[1] END, digest, resource, purpose, trace_id
            FROM r
            ORDER BY n
            RETURNING id
            """)
        {
            Parameters =
            {
                new NpgsqlParameter<DateTimeOffset[]>("ats", [.. rows.Select(r => r.At.ToUniversalTime())]),
                new NpgsqlParameter<string[]>("clients", [.. rows.Select(r => r.Record.Client)]),
                new NpgsqlParameter<string[]>("scopes", [.. rows.Select(r => string.Join(' ', r.Record.Scopes))]),
                new NpgsqlParameter<string[]>("families", [.. families]),
                new NpgsqlParameter<int[]>("firsts", firsts),
                new NpgsqlParameter<int[]>("counts", counts),
                new NpgsqlParameter<string[]>("resources", [.. rows.Select(r => r.Record.Resource)]),
                new NpgsqlParameter<string[]>("purposes", [.. rows.Select(r => r.Record.Purpose)]),
                new NpgsqlParameter("traces", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = rows.Select(r => (object?)r.Record.TraceId ?? DBNull.Value).ToArray() },
            },
        };
    }

    /// <summary>Newest first, filtered, at most <see cref="MaxPageSize"/> per page.</summary>
    public async Task<AccessAuditPage> ListAsync(AccessAuditQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var limit = Math.Clamp(query.Limit, 1, MaxPageSize);
        // Only the filters given, so that each one's index serves it.
        var conditions = new List<string>();
        await using var command = _dataSource.CreateCommand();
        void Filter(string condition, string name, object? value, NpgsqlDbType type)
        {
            if (value is not null)
            {
                conditions.Add(condition);
                command.Parameters.Add(new NpgsqlParameter(name, type) { Value = value });
            }
        }

        Filter("a.client = @client", "client", query.Client, NpgsqlDbType.Text);
        Filter("a.at >= @from", "from", query.From?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        Filter("a.at < @to", "to", query.To?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        Filter("a.id < @before", "before", query.Before, NpgsqlDbType.Bigint);
        command.Parameters.AddWithValue("limit", limit);
        var filters = string.Concat(conditions.Select(condition => " AND " + condition));
        // A family is named in one of three places: alone, in a list written inline (before migration
        // 0304), or in shared lists. Each branch takes its newest rows by its own index, so neither a
        // family read millions of times nor one read twice makes the log be walked; an OR across the
        // three would leave the planner to guess which it is.
        var matching = query.FamilyId is null
            ? $"SELECT a.id FROM access_audit a WHERE true{filters} ORDER BY a.id DESC LIMIT @limit"
            : $"""
                SELECT id FROM (
                    (SELECT a.id FROM access_audit a WHERE a.family_id = @family{filters} ORDER BY a.id DESC LIMIT @limit)
                    UNION ALL
                    (SELECT a.id FROM access_audit a WHERE a.family_ids @> ARRAY[@family]{filters} ORDER BY a.id DESC LIMIT @limit)
                    UNION ALL
                    (SELECT newest.id FROM access_audit_family_lists l
                        CROSS JOIN LATERAL (SELECT a.id FROM access_audit a WHERE a.family_list = l.digest{filters} ORDER BY a.id DESC LIMIT @limit) newest
                     WHERE l.family_ids @> ARRAY[@family])) hit
                ORDER BY id DESC LIMIT @limit
                """;
        if (query.FamilyId is not null)
        {
            command.Parameters.Add(new NpgsqlParameter("family", NpgsqlDbType.Text) { Value = query.FamilyId });
        }

        command.CommandText = $"""
            SELECT e.id, e.at, e.client, e.scopes, e.family_ids, e.resource, e.purpose, e.trace_id
            FROM access_audit_entries e
            WHERE e.id IN ({matching})
            ORDER BY e.id DESC
            """;
        var items = new List<AccessAuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new AccessAuditEntry(
                reader.GetInt64(0),
                reader.GetFieldValue<DateTimeOffset>(1),
                reader.GetString(2),
                reader.GetFieldValue<string[]>(3),
                reader.GetFieldValue<string[]>(4),
                reader.GetString(5),
                reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return new AccessAuditPage(items, items.Count == limit ? items[^1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null);
    }

    /// <summary>The stated purpose (trimmed), or null when the header is missing or blank.</summary>
    public static string? PurposeOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var value = context.Request.Headers[PurposeHeader].ToString().Trim();
        return value.Length > 0 ? value : null;
    }

    /// <summary>The method and route template (never the query string, which can name people).</summary>
    internal static string ResourceOf(HttpContext context) =>
        $"{context.Request.Method} {(context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value}";
}
