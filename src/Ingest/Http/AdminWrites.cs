using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace YoungCarers.Ingest.Http;

/// <summary>Who did a write, for every write endpoint: the events' "decided by" and the admin audit.</summary>
public static class Actor
{
    /// <summary>The claims, in order of preference, that name the calling client.</summary>
    public static IReadOnlyList<string> ClientClaimTypes { get; } = ["client_id", "azp", "appid", "sub"];

    /// <summary>The calling client's id, or null for an anonymous caller.</summary>
    public static string? ClientOf(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (user.Identity?.IsAuthenticated != true)
        {
            return null;
        }

        foreach (var type in ClientClaimTypes)
        {
            if (user.FindFirst(type)?.Value is { Length: > 0 } value)
            {
                return value;
            }
        }

        return user.Identity.Name;
    }

    /// <summary>The calling client, or "unknown" (every write needs a token, so only a misconfiguration gets there).</summary>
    public static string Client(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ClientOf(context.User) ?? "unknown";
    }

    /// <summary>
    /// The person the request names as having done it (a practitioner acting through a case system
    /// that holds the token), else the calling client.
    /// </summary>
    public static string Of(HttpContext context, string? named = null) =>
        string.IsNullOrWhiteSpace(named) ? Client(context) : named.Trim();
}

/// <summary>
/// Marks a write that needs <c>Idempotency-Key</c> and, when <see cref="IfMatch"/> is given,
/// <c>If-Match</c> (described by it), so the OpenAPI document says so.
/// </summary>
public sealed record WriteHeaders(string? IfMatch);

/// <summary>A write's <c>Idempotency-Key</c>, per calling client, with a digest of the request it came with.</summary>
public sealed record IdempotentRequest(string Client, string Key, byte[] Digest)
{
    public const string Header = "Idempotency-Key";

    /// <summary>Set (to <c>true</c>) on an answer repeated for a retried key: nothing was done this time.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public const int MaxKeyLength = 200;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The request's key, or null when it has none or one too long to be a key.</summary>
    public static string? KeyOf(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var key = context.Request.Headers[Header].ToString().Trim();
        return key.Length is 0 or > MaxKeyLength ? null : key;
    }

    /// <summary>The key and a digest of the method, path and <paramref name="body"/>; null (and a 400 problem) when the key is missing or too long.</summary>
    public static IdempotentRequest? From(HttpContext context, ReadOnlySpan<byte> body, out IResult? problem)
    {
        if (KeyOf(context) is not { } key)
        {
            problem = IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Idempotency-Key required",
                $"Send an Idempotency-Key header (1 to {MaxKeyLength} characters) unique to this change.");
            return null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{context.Request.Method} {context.Request.Path.Value}\n"));
        hash.AppendData(body);
        problem = null;
        return new IdempotentRequest(Actor.Client(context), key, hash.GetHashAndReset());
    }

    /// <summary>As <see cref="From(HttpContext, ReadOnlySpan{byte}, out IResult?)"/>, for a body bound to <paramref name="request"/>.</summary>
    public static IdempotentRequest? FromJsonBody<TRequest>(HttpContext context, TRequest request, out IResult? problem) =>
        From(context, JsonSerializer.SerializeToUtf8Bytes(request, Json), out problem);

    internal static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Json);
}

/// <summary>An administrative action for the audit: who did what to which target.</summary>
public sealed record AdminAction(string Actor, string Action, string Target)
{
    /// <summary>The target of an attempt that named none the audit can record (a merge without two families, a rebuild refused).</summary>
    public const string NoTarget = "none";
}

/// <summary>
/// Idempotency keys and the admin audit, inside the transaction that does the write: the stored
/// answer and the audit row commit with the write or not at all, so a crash between them cannot
/// leave a write without its key (and a retry doing it twice) or without its audit. Refused
/// attempts, which write nothing, are audited after their answer is decided.
/// </summary>
public static class AdminRequestLog
{
    // pg_advisory_xact_lock(int, int) key space for idempotency keys ("YCIK").
    private const int LockSpace = 0x5943_494B;

    /// <summary>
    /// Holds back other requests with the same client and key until this transaction ends, and
    /// returns the answer stored for the key: the first answer again (with <c>Idempotent-Replayed</c>),
    /// or 422 when the key came with a different request. Null when the key is new.
    /// </summary>
    public static async Task<IResult?> BeginAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IdempotentRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var command = new NpgsqlCommand("""
            SELECT pg_advisory_xact_lock(@space, hashtext(@client || ' ' || @key));
            SELECT request_hash, status_code, location, response::text FROM admin_requests WHERE client = @client AND idempotency_key = @key;
            """, connection, transaction);
        command.Parameters.AddWithValue("space", LockSpace);
        command.Parameters.AddWithValue("client", request.Client);
        command.Parameters.AddWithValue("key", request.Key);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        return reader.GetFieldValue<byte[]>(0).AsSpan().SequenceEqual(request.Digest)
            ? new StoredAnswer(reader.GetInt32(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3), Replayed: true)
            : KeyReused();
    }

    /// <summary>422: the key came with a different request before.</summary>
    public static IResult KeyReused() =>
        IngestEndpoints.Problem(StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused",
            "This Idempotency-Key was already used for a different request; use a new key for a new change.");

    /// <summary>Stores the answer under the key and audits the action, in the transaction; returns the answer.</summary>
    public static async Task<IResult> CompleteAsync<T>(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IdempotentRequest request, AdminAction action, int statusCode, T response, string? location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var json = IdempotentRequest.Serialize(response);
        await using var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                RememberCommand(request, statusCode, json, location),
                AuditCommand(request.Client, action, request.Key, new JsonObject { ["status"] = statusCode, ["response"] = JsonNode.Parse(json) }),
            },
        };
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return new StoredAnswer(statusCode, location, json, Replayed: false);
    }

    /// <summary>
    /// Stores, in the transaction, what a retry with the key gets (<paramref name="response"/> with
    /// <paramref name="statusCode"/> and <paramref name="location"/>), without an audit row: for
    /// writes that are not administrative and are recorded as events saying who did them.
    /// </summary>
    public static async Task RememberAsync<T>(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IdempotentRequest request, int statusCode, T response, string? location, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        await using var batch = new NpgsqlBatch(connection, transaction) { BatchCommands = { RememberCommand(request, statusCode, IdempotentRequest.Serialize(response), location) } };
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Audits <paramref name="answer"/> when it refuses the attempt (a 4xx problem: nothing was done
    /// and nothing stored under the key), with its status and title only (a problem's detail may
    /// name persons), in a transaction of its own since the attempt's was rolled back; returns the
    /// answer. Any other answer was audited with its write, or replays one that was.
    /// </summary>
    public static async Task<IResult> AuditRefusalAsync(NpgsqlDataSource dataSource, HttpContext context, AdminAction action, IResult answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        if (answer is not ProblemHttpResult { StatusCode: >= 400 and < 500 } refused)
        {
            return answer;
        }

        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(AuditCommand(Actor.Client(context), action, IdempotentRequest.KeyOf(context),
            new JsonObject { ["status"] = refused.StatusCode, ["title"] = refused.ProblemDetails.Title }));
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return answer;
    }

    /// <summary>A 409 problem for a stale <c>If-Match</c>, with the current version(s) under <paramref name="versionName"/>.</summary>
    public static IResult Stale(string detail, string versionName, object currentVersion) =>
        IngestEndpoints.Problem(StatusCodes.Status409Conflict, "Stale If-Match", detail, new Dictionary<string, object?> { [versionName] = currentVersion });

    /// <summary>428: the write needs <c>If-Match</c>.</summary>
    public static IResult IfMatchRequired(string detail) =>
        IngestEndpoints.Problem(StatusCodes.Status428PreconditionRequired, "If-Match required", detail);

    /// <summary>
    /// The one version <c>If-Match</c> names (quoted or not); else null with 428 when there is no
    /// <c>If-Match</c> (<paramref name="required"/> says what to send) or 400 (<paramref name="form"/> says what it holds).
    /// </summary>
    public static long? IfMatchVersion(HttpContext context, string required, string form, out IResult? problem)
    {
        switch (IfMatchTags(context))
        {
            case []:
                problem = IfMatchRequired(required);
                return null;
            case [var tag] when TryParseVersion(tag, out var version):
                problem = null;
                return version;
            default:
                problem = IngestEndpoints.Problem(StatusCodes.Status400BadRequest, "Invalid If-Match", form);
                return null;
        }
    }

    /// <summary>The entity tags in <c>If-Match</c>, unquoted; empty when there is no header; null when one is weak (<c>W/"..."</c>) or malformed.</summary>
    public static IReadOnlyList<string>? IfMatchTags(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var tags = new List<string>();
        foreach (var value in context.Request.Headers.IfMatch)
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var tag = part.Length >= 2 && part[0] == '"' && part[^1] == '"' ? part[1..^1] : part;
                if (tag.Length == 0 || tag.Contains('"', StringComparison.Ordinal))
                {
                    return null;
                }

                tags.Add(tag);
            }
        }

        return tags;
    }

    /// <summary>A version: a whole number, as in every tag this service issues.</summary>
    public static bool TryParseVersion(string text, out long version) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out version);

    private static NpgsqlBatchCommand RememberCommand(IdempotentRequest request, int statusCode, string json, string? location) => new("""
        INSERT INTO admin_requests (client, idempotency_key, request_hash, status_code, location, response)
        VALUES (@client, @key, @hash, @status, @location, @response::json)
        """)
    {
        Parameters =
        {
            new("client", request.Client),
            new("key", request.Key),
            new("hash", request.Digest),
            new("status", statusCode),
            new("location", (object?)location ?? DBNull.Value),
            new("response", json),
        },
    };

    private static NpgsqlBatchCommand AuditCommand(string client, AdminAction action, string? key, JsonObject outcome)
    {
        ArgumentNullException.ThrowIfNull(action);
        return new("""
            INSERT INTO admin_audit (client, actor, action, target, idempotency_key, outcome)
            VALUES (@client, @actor, @action, @target, @key, @outcome::jsonb)
            """)
        {
            Parameters =
            {
                new("client", client),
                new("actor", action.Actor),
                new("action", action.Action),
                new("target", action.Target),
                new("key", (object?)key ?? DBNull.Value),
                new("outcome", outcome.ToJsonString()),
            },
        };
    }

    /// <summary>An answer as stored: the same status, <c>Location</c> and body the first time and on every replay.</summary>
    private sealed record StoredAnswer(int StatusCode, string? Location, string Json, bool Replayed) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            httpContext.Response.StatusCode = StatusCode;
            if (Location is not null)
            {
                httpContext.Response.Headers.Location = Location;
            }

            if (Replayed)
            {
                httpContext.Response.Headers[IdempotentRequest.ReplayedHeader] = "true";
            }

            if (StatusCode == StatusCodes.Status204NoContent)
            {
                return;
            }

            httpContext.Response.ContentType = StatusCode >= 400 ? "application/problem+json; charset=utf-8" : "application/json; charset=utf-8";
            await httpContext.Response.WriteAsync(Json, httpContext.RequestAborted);
        }
    }
}
