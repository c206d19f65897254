using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Npgsql;

namespace YoungCarers.Api.Reads;

/// <summary>
/// Column values that repeat from row to row (an obligation's kind, service, status, statutory basis
/// and policy version), each read once into a string and escaped once for JSON, then found again
/// by the row's bytes: a page of 50 obligations would otherwise decode about 250 of these strings,
/// the bases a few hundred characters each, and escape the bases again when writing the page.
/// </summary>
internal sealed class RepeatedTexts(JavaScriptEncoder? encoder)
{
    /// <summary>Distinct texts kept: a few dozen in practice (kinds, statuses, policy versions), so the bound is never reached.</summary>
    public const int MaxTexts = 512;

    /// <summary>Longer values are read as they are, not kept.</summary>
    public const int MaxTextBytes = 4_096;

    private readonly ConcurrentDictionary<byte[], Text> _byBytes = new(Utf8Bytes.Comparer);
    private readonly ConditionalWeakTable<string, Text> _byString = [];

    /// <summary>The column's text: the kept string when the same bytes were read before.</summary>
    public string Read(NpgsqlDataReader row, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(row);
        var length = row.GetBytes(ordinal, 0, null, 0, 0);
        if (length > MaxTextBytes)
        {
            return row.GetString(ordinal);
        }

        var bytes = ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            var read = (int)row.GetBytes(ordinal, 0, bytes, 0, (int)length);
            var utf8 = bytes.AsSpan(0, read);
            if (_byBytes.GetAlternateLookup<ReadOnlySpan<byte>>().TryGetValue(utf8, out var kept))
            {
                return kept.Value;
            }

            var text = Encoding.UTF8.GetString(utf8);
            if (_byBytes.Count < MaxTexts)
            {
                var added = _byBytes.GetOrAdd(utf8.ToArray(), _ => new Text(text, JsonEncodedText.Encode(text, encoder)));
                _byString.TryAdd(added.Value, added);
                return added.Value;
            }

            return text;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }

    /// <summary>The text escaped for JSON: kept for the strings <see cref="Read"/> returned, encoded afresh for any other.</summary>
    public JsonEncodedText Encoded(string text) =>
        _byString.TryGetValue(text, out var kept) ? kept.Encoded : JsonEncodedText.Encode(text, encoder);

    private sealed record Text(string Value, JsonEncodedText Encoded);

    /// <summary>Compares keys by their bytes, and looks them up by a span of bytes without an array.</summary>
    private sealed class Utf8Bytes : IEqualityComparer<byte[]>, IAlternateEqualityComparer<ReadOnlySpan<byte>, byte[]>
    {
        public static readonly Utf8Bytes Comparer = new();

        public bool Equals(byte[]? x, byte[]? y) => x is null ? y is null : y is not null && x.AsSpan().SequenceEqual(y);

        public int GetHashCode(byte[] obj) => GetHashCode(obj.AsSpan());

        public bool Equals(ReadOnlySpan<byte> alternate, byte[] other) => alternate.SequenceEqual(other);

        public int GetHashCode(ReadOnlySpan<byte> alternate)
        {
            var hash = new HashCode();
            hash.AddBytes(alternate);
            return hash.ToHashCode();
        }

        public byte[] Create(ReadOnlySpan<byte> alternate) => alternate.ToArray();
    }
}
