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
    /// Runs a page query (<paramref name="pageSql"/>, its first column the family of each row, in the
    /// page's order) and records the current request's access to the families of its first
    /// <paramref name="shown"/> rows: the query goes with concurrent requests' reads
    /// (<see cref="AccessAuditWriter"/>), its record in the same insert as theirs, and its rows come
    /// back once the record is committed.
    /// </summary>
    internal Task<IReadOnlyList<object?[]>> ReadPageAsync(
        HttpContext context, string pageSql, int shown, IReadOnlyList<NpgsqlParameter> parameters, CancellationToken cancellationToken) =>
        WriteAsync(
            context,
            [RecordOf(context, [])],
            _clock.GetUtcNow(),
            new AuditedRead(pageSql, () => parameters.Select(parameter => parameter.Clone()), shown),
            cancellationToken);

    private Task<IReadOnlyList<object?[]>> RecordAsync(HttpContext context, IEnumerable<string?> familyIds, AuditedRead? read, CancellationToken cancellationToken) =>
        WriteAsync(context, [RecordOf(context, familyIds)], _clock.GetUtcNow(), read, cancellationToken);

    /// <summary>Writes through the batching writer and notes on the request that its access is recorded.</summary>
    private async Task<IReadOnlyList<object?[]>> WriteAsync(
        HttpContext context, IReadOnlyList<AccessRecord> records, DateTimeOffset at, AuditedRead? read, CancellationToken cancellationToken)
    {
        var rows = await _writer.ReadAsync(records, at, read, cancellationToken);
        context.Items[RecordedCountKey] = (context.Items[RecordedCountKey] as int? ?? 0) + 1;
        return rows;
    }

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
    /// <remarks>Every record's families travel in one flat array, which each row slices by its first index and count.</remarks>
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

        return new($"""
            INSERT INTO access_audit (at, client, scopes, family_id, family_ids, resource, purpose, trace_id)
            SELECT r.at, r.client, string_to_array(r.scopes, ' '), {FamilyColumns("f.ids")}, r.resource, r.purpose, r.trace_id
            FROM unnest(@ats, @clients, @scopes, @firsts, @counts, @resources, @purposes, @traces) WITH ORDINALITY
                AS r(at, client, scopes, first_family, family_count, resource, purpose, trace_id, n)
                CROSS JOIN LATERAL (SELECT (@families::text[])[r.first_family : r.first_family + r.family_count - 1] AS ids) f
            ORDER BY r.n
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

    /// <summary>
    /// The <c>family_id, family_ids</c> values for a record naming the families in the SQL array
    /// <paramref name="ids"/>: one family fills <c>family_id</c>, several fill <c>family_ids</c>, none neither.
    /// </summary>
    private static string FamilyColumns(string ids) =>
        $"CASE WHEN cardinality({ids}) = 1 THEN {ids}[1] END, CASE WHEN cardinality({ids}) > 1 THEN {ids} END";

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

        Filter("(family_id = @family OR family_ids @> ARRAY[@family])", "family", query.FamilyId, NpgsqlDbType.Text);
        Filter("client = @client", "client", query.Client, NpgsqlDbType.Text);
        Filter("at >= @from", "from", query.From?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        Filter("at < @to", "to", query.To?.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        Filter("id < @before", "before", query.Before, NpgsqlDbType.Bigint);
        command.Parameters.AddWithValue("limit", limit);
        command.CommandText = $"""
            SELECT id, at, client, scopes, family_id, family_ids, resource, purpose, trace_id
            FROM access_audit
            {(conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions))}
            ORDER BY id DESC
            LIMIT @limit
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
                reader.IsDBNull(5) ? reader.IsDBNull(4) ? [] : [reader.GetString(4)] : reader.GetFieldValue<string[]>(5),
                reader.GetString(6),
                reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8)));
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
