using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Npgsql;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// One table's rows encoded in PostgreSQL's binary COPY format as they are added, then sent in one
/// COPY. A rebuild evaluates thousands of families before it writes them: held as bytes rather than
/// as the records they came from, they give the garbage collector nothing to trace or promote.
/// Each value is written as the column's binary input function reads it, so the column types must
/// be as written here: text, bigint, integer, boolean, date, timestamptz, json and text[] (a value
/// written as JSON may go to a json or a text column: the binary form of both is the text).
/// </summary>
internal sealed class BinaryCopyRows(string copyStatement) : IBufferWriter<byte>
{
    private const uint TextOid = 25;

    // Npgsql's infinity conventions, which the rows written through its importer followed before.
    private const long InfinityMicroseconds = long.MaxValue;
    private const long NegativeInfinityMicroseconds = long.MinValue;
    private const int InfinityDays = int.MaxValue;
    private const int NegativeInfinityDays = int.MinValue;

    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
    private static readonly int PostgresEpochDay = new DateOnly(2000, 1, 1).DayNumber;

    // The signature, no flags and no header extension; the trailer is a row of -1 columns.
    private static readonly byte[] Header = [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0, 0, 0, 0, 0, 0, 0, 0, 0];
    private static readonly byte[] Trailer = [0xFF, 0xFF];

    private byte[] _buffer = new byte[4096];
    private int _length;

    public int Rows { get; private set; }

    public void StartRow(short columns)
    {
        Reserve(2);
        BinaryPrimitives.WriteInt16BigEndian(_buffer.AsSpan(_length), columns);
        _length += 2;
        Rows++;
    }

    public void Null() => WriteInt32(-1);

    public void Text(string value)
    {
        Reserve(4 + Encoding.UTF8.GetMaxByteCount(value.Length));
        var written = Encoding.UTF8.GetBytes(value, _buffer.AsSpan(_length + 4));
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), written);
        _length += 4 + written;
    }

    public void TextOrNull(string? value)
    {
        if (value is null)
        {
            Null();
        }
        else
        {
            Text(value);
        }
    }

    /// <summary>
    /// A value serialized as JSON straight into the rows (for a <c>json</c> or <c>text</c> column), as
    /// <see cref="JsonSerializer.SerializeToUtf8Bytes{TValue}(TValue, JsonTypeInfo{TValue})"/> would write it.
    /// </summary>
    public void Json<T>(T value, JsonTypeInfo<T> typeInfo)
    {
        var lengthAt = _length;
        WriteInt32(0);
        using (var json = new Utf8JsonWriter(this, new JsonWriterOptions { Encoder = typeInfo.Options.Encoder, Indented = typeInfo.Options.WriteIndented, SkipValidation = true }))
        {
            JsonSerializer.Serialize(json, value, typeInfo);
        }

        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(lengthAt), _length - lengthAt - 4);
    }

    void IBufferWriter<byte>.Advance(int count) => _length += count;

    Memory<byte> IBufferWriter<byte>.GetMemory(int sizeHint)
    {
        Reserve(Math.Max(sizeHint, 256));
        return _buffer.AsMemory(_length);
    }

    Span<byte> IBufferWriter<byte>.GetSpan(int sizeHint)
    {
        Reserve(Math.Max(sizeHint, 256));
        return _buffer.AsSpan(_length);
    }

    public void Bigint(long value)
    {
        WriteInt32(8);
        Reserve(8);
        BinaryPrimitives.WriteInt64BigEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    public void Integer(int value)
    {
        WriteInt32(4);
        WriteInt32(value);
    }

    public void IntegerOrNull(int? value)
    {
        if (value is { } v)
        {
            Integer(v);
        }
        else
        {
            Null();
        }
    }

    public void Boolean(bool value)
    {
        WriteInt32(1);
        Reserve(1);
        _buffer[_length++] = value ? (byte)1 : (byte)0;
    }

    public void Date(DateOnly value)
    {
        WriteInt32(4);
        WriteInt32(value == DateOnly.MaxValue ? InfinityDays
            : value == DateOnly.MinValue ? NegativeInfinityDays
            : value.DayNumber - PostgresEpochDay);
    }

    public void DateOrNull(DateOnly? value)
    {
        if (value is { } v)
        {
            Date(v);
        }
        else
        {
            Null();
        }
    }

    /// <summary>A <c>timestamptz</c>: microseconds since 2000-01-01 UTC, truncated as Npgsql truncates.</summary>
    public void Timestamp(DateTimeOffset value)
    {
        Bigint(value == DateTimeOffset.MaxValue ? InfinityMicroseconds
            : value == DateTimeOffset.MinValue ? NegativeInfinityMicroseconds
            : (value.UtcTicks - PostgresEpochTicks) / 10);
    }

    public void TimestampOrNull(DateTimeOffset? value)
    {
        if (value is { } v)
        {
            Timestamp(v);
        }
        else
        {
            Null();
        }
    }

    /// <summary>A one-dimensional <c>text[]</c> without nulls (an empty one has no dimensions).</summary>
    public void TextArray(IReadOnlyList<string> values)
    {
        var start = _length;
        WriteInt32(0);
        WriteInt32(values.Count == 0 ? 0 : 1);
        WriteInt32(0);
        WriteInt32(unchecked((int)TextOid));
        if (values.Count > 0)
        {
            WriteInt32(values.Count);
            WriteInt32(1);
            for (var i = 0; i < values.Count; i++)
            {
                Text(values[i]);
            }
        }

        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(start), _length - start - 4);
    }

    /// <summary>Sends the rows added since the last COPY in one COPY (nothing when there are none), then forgets them.</summary>
    public async Task CopyAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (Rows == 0)
        {
            return;
        }

        await using var stream = await connection.BeginRawBinaryCopyAsync(copyStatement, cancellationToken);
        await stream.WriteAsync(Header, cancellationToken);
        await stream.WriteAsync(_buffer.AsMemory(0, _length), cancellationToken);
        await stream.WriteAsync(Trailer, cancellationToken);
        Clear();
    }

    /// <summary>Forgets the rows added since the last COPY, keeping the buffer for the next ones.</summary>
    public void Clear()
    {
        _length = 0;
        Rows = 0;
    }

    private void WriteInt32(int value)
    {
        Reserve(4);
        BinaryPrimitives.WriteInt32BigEndian(_buffer.AsSpan(_length), value);
        _length += 4;
    }

    private void Reserve(int bytes)
    {
        if (_length + bytes <= _buffer.Length)
        {
            return;
        }

        Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
    }
}
