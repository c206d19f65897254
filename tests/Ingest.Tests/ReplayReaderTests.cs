using System.Text;
using YoungCarers.Ingest.Replay;

namespace YoungCarers.Ingest.Tests;

public sealed class ReplayReaderTests
{
    [Fact]
    public async Task Lines_end_with_lf_or_crlf_blank_lines_are_skipped_and_the_last_line_needs_no_ending()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"a\":1}\r\n\r\n{\"b\":2}\n   \n\t\r\n{\"c\":3}");

        var (lines, offsets) = await ReadAllAsync(bytes, batchSize: 10);

        Assert.Equal([(1L, "{\"a\":1}"), (3L, "{\"b\":2}"), (6L, "{\"c\":3}")], lines);
        Assert.Equal([(bytes.LongLength, 6L)], offsets);
    }

    [Fact]
    public async Task Batches_report_the_offset_and_line_count_just_past_their_last_line()
    {
        var bytes = Encoding.UTF8.GetBytes("1\n22\n\n333\n4444\n");

        var (lines, offsets) = await ReadAllAsync(bytes, batchSize: 2);

        Assert.Equal(["1", "22", "333", "4444"], lines.Select(l => l.Text));
        // "1\n22\n" is 5 bytes; "\n333\n4444\n" takes the second batch to the end.
        Assert.Equal([(5L, 2L), (15L, 5L)], offsets);
    }

    [Fact]
    public async Task Reading_from_an_offset_numbers_lines_from_the_given_line()
    {
        var bytes = Encoding.UTF8.GetBytes("1\n22\n333\n");
        await using var stream = new MemoryStream(bytes);
        stream.Seek(5, SeekOrigin.Begin);
        await using var reader = new NdjsonBatchReader(stream, startOffset: 5, startLine: 2, batchSize: 10);

        using var batch = await reader.ReadBatchAsync();

        var line = Assert.Single(batch!.Lines);
        Assert.Equal((3L, "333"), (line.LineNumber, Encoding.UTF8.GetString(line.Bytes.Span)));
        Assert.Equal((9L, 3L), (batch.EndOffset, batch.EndLine));
        Assert.Null(await reader.ReadBatchAsync());
    }

    [Fact]
    public async Task A_byte_order_mark_at_the_start_of_the_file_is_not_part_of_the_first_line()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("{}\n{}\n")).ToArray();

        var (lines, offsets) = await ReadAllAsync(bytes, batchSize: 10);

        Assert.Equal([(1L, "{}"), (2L, "{}")], lines);
        Assert.Equal(bytes.LongLength, offsets[^1].Offset);
    }

    [Fact]
    public async Task Lines_longer_than_the_read_buffer_and_many_small_lines_across_buffer_boundaries_come_through_whole()
    {
        var random = new Random(7);
        var expected = Enumerable.Range(0, 3000)
            .Select(i => i % 500 == 0 ? new string('x', 300_000 + random.Next(1000)) : new string((char)('a' + (i % 26)), random.Next(1, 200)))
            .ToList();
        var bytes = Encoding.UTF8.GetBytes(string.Join("\n", expected) + "\n");

        var (lines, offsets) = await ReadAllAsync(bytes, batchSize: 128);

        Assert.Equal(expected, lines.Select(l => l.Text));
        Assert.Equal(Enumerable.Range(1, 3000).Select(i => (long)i), lines.Select(l => l.Line));
        Assert.Equal(bytes.LongLength, offsets[^1].Offset);
        Assert.Equal(24, offsets.Count);
    }

    [Fact]
    public async Task A_line_longer_than_the_maximum_stops_the_read()
    {
        var bytes = Encoding.UTF8.GetBytes("{}\n" + new string('x', 5000) + "\n{}\n");
        await using var stream = new MemoryStream(bytes);
        await using var reader = new NdjsonBatchReader(stream, 0, 0, batchSize: 10, maxLineBytes: 1000);

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await reader.ReadBatchAsync());

        Assert.Contains("Line 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_empty_file_has_no_batches()
    {
        var (lines, offsets) = await ReadAllAsync([], batchSize: 10);

        Assert.Empty(lines);
        Assert.Empty(offsets);
    }

    private static async Task<(List<(long Line, string Text)> Lines, List<(long Offset, long EndLine)> Offsets)> ReadAllAsync(byte[] bytes, int batchSize)
    {
        // A stream that returns few bytes per read, so lines straddle the reader's buffer segments.
        await using var stream = new TrickleStream(bytes, chunk: 4093);
        await using var reader = new NdjsonBatchReader(stream, 0, 0, batchSize);
        var lines = new List<(long, string)>();
        var offsets = new List<(long, long)>();
        while (await reader.ReadBatchAsync() is { } batch)
        {
            using (batch)
            {
                Assert.True(batch.Lines.Count <= batchSize);
                lines.AddRange(batch.Lines.Select(l => (l.LineNumber, Encoding.UTF8.GetString(l.Bytes.Span))));
                offsets.Add((batch.EndOffset, batch.EndLine));
            }
        }

        return (lines, offsets);
    }

    private sealed class TrickleStream(byte[] bytes, int chunk) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, chunk));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, chunk)]);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(buffer.Length, chunk)], cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, chunk), cancellationToken);
    }
}
