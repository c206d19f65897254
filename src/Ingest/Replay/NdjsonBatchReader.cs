using System.Buffers;
using System.IO.Pipelines;

namespace YoungCarers.Ingest.Replay;

/// <summary>One non-blank line of an NDJSON file: its 1-based line number and its bytes, without the line ending.</summary>
public readonly record struct NdjsonLine(long LineNumber, ReadOnlyMemory<byte> Bytes);

/// <summary>
/// Consecutive lines of an NDJSON file. The line bytes live in a pooled buffer that goes back to the
/// pool on dispose, so the batch must not be used after that.
/// </summary>
public sealed class NdjsonBatch : IDisposable
{
    private byte[]? _buffer;

    internal NdjsonBatch(byte[] buffer, IReadOnlyList<NdjsonLine> lines, long endOffset, long endLine)
    {
        _buffer = buffer;
        Lines = lines;
        EndOffset = endOffset;
        EndLine = endLine;
    }

    /// <summary>The non-blank lines, in file order (may be empty when the batch read only blank lines).</summary>
    public IReadOnlyList<NdjsonLine> Lines { get; }

    /// <summary>The byte offset just past the batch's last line and its line ending: where the next batch starts.</summary>
    public long EndOffset { get; }

    /// <summary>How many lines of the file (blank ones included) lie before <see cref="EndOffset"/>.</summary>
    public long EndLine { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _buffer, null) is { } buffer)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

/// <summary>
/// Reads an NDJSON stream a batch of lines at a time, never holding more than a batch (and the
/// read buffer) in memory. Lines end with <c>\n</c> or <c>\r\n</c>; the last line may have no
/// ending; blank lines are counted but skipped; a UTF-8 byte order mark at the very start is dropped.
/// </summary>
public sealed class NdjsonBatchReader : IAsyncDisposable
{
    /// <summary>A line longer than this stops the read: it is not an event, and holding it would cost unbounded memory.</summary>
    public const int DefaultMaxLineBytes = 16 * 1024 * 1024;

    private const int ReadBufferBytes = 256 * 1024;
    private const int InitialBatchBytes = 256 * 1024;
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    private readonly PipeReader _reader;
    private readonly int _batchSize;
    private readonly int _maxLineBytes;
    private long _offset;
    private long _line;
    private bool _completed;

    /// <param name="stream">Positioned at <paramref name="startOffset"/>, which must be the start of a line.</param>
    /// <param name="startOffset">The stream position's byte offset in the file, for the offsets the batches report.</param>
    /// <param name="startLine">How many lines lie before <paramref name="startOffset"/>, for the line numbers.</param>
    public NdjsonBatchReader(Stream stream, long startOffset, long startLine, int batchSize, int maxLineBytes = DefaultMaxLineBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        ArgumentOutOfRangeException.ThrowIfNegative(startLine);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: ReadBufferBytes, minimumReadSize: ReadBufferBytes / 4, leaveOpen: true));
        _offset = startOffset;
        _line = startLine;
        _batchSize = batchSize;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>The next batch of up to the batch size non-blank lines, or null at the end of the stream.</summary>
    /// <exception cref="InvalidDataException">A line is longer than the maximum.</exception>
    public async ValueTask<NdjsonBatch?> ReadBatchAsync(CancellationToken cancellationToken = default)
    {
        if (_completed)
        {
            return null;
        }

        var batch = new BatchBuilder(_batchSize);
        var consumedAny = false;
        try
        {
            while (true)
            {
                var result = await _reader.ReadAsync(cancellationToken);
                var buffer = result.Buffer;
                while (batch.Count < _batchSize && TryTakeLine(ref buffer, out var line))
                {
                    Add(batch, line, line.Length + 1);
                    consumedAny = true;
                }

                if (batch.Count < _batchSize && result.IsCompleted && !buffer.IsEmpty)
                {
                    // The last line, with no line ending.
                    Add(batch, buffer, buffer.Length);
                    consumedAny = true;
                    buffer = buffer.Slice(buffer.End);
                }

                if (batch.Count >= _batchSize)
                {
                    // Lines may remain in the buffer: leave them unexamined so the next read returns at once.
                    _reader.AdvanceTo(buffer.Start);
                    break;
                }

                if (buffer.Length > _maxLineBytes)
                {
                    throw TooLong(_line + 1);
                }

                _reader.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted)
                {
                    _completed = true;
                    break;
                }
            }
        }
        catch
        {
            batch.Release();
            throw;
        }

        if (!consumedAny)
        {
            batch.Release();
            return null;
        }

        return batch.Build(_offset, _line);
    }

    public async ValueTask DisposeAsync() => await _reader.CompleteAsync();

    private void Add(BatchBuilder batch, ReadOnlySequence<byte> line, long consumedBytes)
    {
        var isFirstLineOfFile = _offset == 0;
        _offset += consumedBytes;
        _line++;
        if (line.Length > _maxLineBytes)
        {
            throw TooLong(_line);
        }

        if (isFirstLineOfFile && line.Length >= ByteOrderMark.Length && StartsWithByteOrderMark(line))
        {
            line = line.Slice(ByteOrderMark.Length);
        }

        if (line.Length > 0 && EndsWith(line, (byte)'\r'))
        {
            line = line.Slice(0, line.Length - 1);
        }

        if (!IsBlank(line))
        {
            batch.Add(_line, line);
        }
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        if (buffer.PositionOf((byte)'\n') is not { } end)
        {
            line = default;
            return false;
        }

        line = buffer.Slice(0, end);
        buffer = buffer.Slice(buffer.GetPosition(1, end));
        return true;
    }

    private static bool StartsWithByteOrderMark(ReadOnlySequence<byte> line)
    {
        Span<byte> start = stackalloc byte[3];
        line.Slice(0, 3).CopyTo(start);
        return start.SequenceEqual(ByteOrderMark);
    }

    private static bool EndsWith(ReadOnlySequence<byte> line, byte value)
    {
        Span<byte> last = stackalloc byte[1];
        line.Slice(line.Length - 1).CopyTo(last);
        return last[0] == value;
    }

    private static bool IsBlank(ReadOnlySequence<byte> line)
    {
        foreach (var segment in line)
        {
            if (segment.Span.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r') >= 0)
            {
                return false;
            }
        }

        return true;
    }

    private InvalidDataException TooLong(long lineNumber) =>
        new($"Line {lineNumber} is longer than {_maxLineBytes:N0} bytes: this is not an NDJSON file of events.");

    /// <summary>Copies lines into one pooled buffer, growing it as needed.</summary>
    private sealed class BatchBuilder(int capacity)
    {
        private byte[] _bytes = ArrayPool<byte>.Shared.Rent(InitialBatchBytes);
        private int _used;
        private readonly List<(long LineNumber, int Start, int Length)> _lines = new(capacity);

        public int Count => _lines.Count;

        public void Add(long lineNumber, ReadOnlySequence<byte> line)
        {
            var length = (int)line.Length;
            if (_used + length > _bytes.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_bytes.Length * 2, _used + length));
                _bytes.AsSpan(0, _used).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_bytes);
                _bytes = larger;
            }

            line.CopyTo(_bytes.AsSpan(_used));
            _lines.Add((lineNumber, _used, length));
            _used += length;
        }

        public NdjsonBatch Build(long endOffset, long endLine)
        {
            var bytes = _bytes;
            var lines = _lines.Select(l => new NdjsonLine(l.LineNumber, bytes.AsMemory(l.Start, l.Length))).ToArray();
            return new NdjsonBatch(bytes, lines, endOffset, endLine);
        }

        public void Release() => ArrayPool<byte>.Shared.Return(_bytes);
    }
}
