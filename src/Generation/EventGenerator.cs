using System.Text;

namespace YoungCarers.Generation;

/// <summary>
/// Synthetic inbound events for demos, tests and benchmarks: NDJSON, one CloudEvents 1.0 envelope
/// per line, telling the storylines of <see cref="GenerationOptions.Families"/> families whose
/// young carers are (and are not) handed over between adult and children's social care. Output is
/// streamed (one block of families is held at a time) and depends on nothing but the options.
/// </summary>
public static class EventGenerator
{
    private const int ChunkBytes = 256 * 1024;

    /// <summary>The lines, lazily, with what each was meant to be.</summary>
    public static IEnumerable<GeneratedLine> Generate(GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Lines(options);
    }

    /// <summary>Writes the lines as NDJSON (UTF-8, each line ended by <c>\n</c>): the bytes <see cref="Generate"/> describes.</summary>
    public static async Task WriteNdjsonAsync(Stream destination, GenerationOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        using var renderer = new LineRenderer();
        var chunk = new byte[ChunkBytes];
        var used = 0;
        foreach (var line in LinePlan.Lines(options))
        {
            var bytes = renderer.Render(line);
            if (used + bytes.Length + 1 > chunk.Length)
            {
                // Some streams (Stream.Null among them) ignore the token; a long run must still stop.
                cancellationToken.ThrowIfCancellationRequested();
                await destination.WriteAsync(chunk.AsMemory(0, used), cancellationToken);
                used = 0;
                if (bytes.Length + 1 > chunk.Length)
                {
                    chunk = new byte[bytes.Length + 1];
                }
            }

            bytes.Span.CopyTo(chunk.AsSpan(used));
            used += bytes.Length;
            chunk[used++] = (byte)'\n';
        }

        await destination.WriteAsync(chunk.AsMemory(0, used), cancellationToken);
        await destination.FlushAsync(cancellationToken);
    }

    private static IEnumerable<GeneratedLine> Lines(GenerationOptions options)
    {
        using var renderer = new LineRenderer();
        foreach (var line in LinePlan.Lines(options))
        {
            yield return new GeneratedLine(
                Encoding.UTF8.GetString(renderer.Render(line).Span),
                IntendedValid: line.Defect.Kind == LineDefect.None,
                Household.KeyOf(line.Event.Family),
                LineRenderer.TypeOf(line),
                line.Defect.Kind,
                line.IsDuplicate);
        }
    }
}
