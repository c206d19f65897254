using System.Globalization;
using System.Text;

namespace YoungCarers.Api.Reads;

/// <summary>One page of a list: its items, and the cursor for the next page (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor)
{
    /// <summary>The instant the families were evaluated at, for a page asked about one (asOf); null for the live read model.</summary>
    public DateTimeOffset? AsOf { get; init; }

    /// <summary>Only events the service had recorded by this instant counted; null for the live read model.</summary>
    public DateTimeOffset? KnownAt { get; init; }
}

/// <summary>
/// Opaque cursors for keyset paging: the sort key of the last item on a page, base64url encoded.
/// Callers pass back <c>nextCursor</c> as <c>cursor</c>; anything else is refused with 400.
/// </summary>
internal static class ReadPaging
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
    private const char Separator = '\u001f';

    public static int Limit(int? limit) => Math.Clamp(limit ?? DefaultLimit, 1, MaxLimit);

    /// <summary>A date as the read API takes and writes it, in query strings and cursors alike: yyyy-mm-dd, nothing else.</summary>
    public static bool TryParseDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    public static string Encode(params string[] parts) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Join(Separator, parts))).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The cursor's parts, or null when it is not one this service issued with that many parts.</summary>
    public static string[]? Decode(string cursor, int parts)
    {
        var base64 = cursor.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        var bytes = new byte[base64.Length];
        if (!Convert.TryFromBase64String(base64, bytes, out var written))
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(bytes, 0, written);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }

        var split = text.Split(Separator);
        return split.Length == parts ? split : null;
    }

    /// <summary>Items beyond <paramref name="limit"/> were fetched only to know whether there is a next page.</summary>
    public static Page<T> PageOf<T>(List<T> fetched, int limit, Func<T, string> cursorOf)
    {
        if (fetched.Count <= limit)
        {
            return new Page<T>(fetched, null);
        }

        fetched.RemoveRange(limit, fetched.Count - limit);
        return new Page<T>(fetched, cursorOf(fetched[^1]));
    }
}

/// <summary>RFC 9457 problem details for the read API: never any personal data in title or detail.</summary>
internal static class ReadProblems
{
    public static IResult BadRequest(string title, string detail, string? parameter = null) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail,
            extensions: parameter is null ? null : new Dictionary<string, object?> { ["parameter"] = parameter });

    public static IResult InvalidDate(string parameter) =>
        BadRequest($"Invalid {parameter}", $"{parameter} must be a date, yyyy-mm-dd (for example 2025-04-01), with no time of day.", parameter);

    public static IResult InvalidCursor() => BadRequest("Invalid cursor", "Pass back the nextCursor of the previous page unchanged.", "cursor");

    public static IResult NotFound(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: title, detail: detail);

    public static IResult OneOf(string parameter, IEnumerable<string> allowed) =>
        BadRequest($"Invalid {parameter}", $"{parameter} must be one of: {string.Join(", ", allowed)}.", parameter);
}
