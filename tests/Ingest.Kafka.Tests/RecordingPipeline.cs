using System.Globalization;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Ingest.Kafka.Tests;

/// <summary>
/// Stands in for the pipeline (which has its own tests against PostgreSQL): records every call, and
/// runs <paramref name="onCall"/> (given the call's number from 1) first, which may hold or fail it.
/// </summary>
public sealed class RecordingPipeline(Func<int, CancellationToken, Task>? onCall = null) : IIngestPipeline
{
    private readonly Lock _lock = new();
    private readonly List<(IReadOnlyList<InboundPayload> Payloads, bool Succeeded)> _calls = [];
    private int _started;

    public IReadOnlyList<(IReadOnlyList<InboundPayload> Payloads, bool Succeeded)> Calls
    {
        get
        {
            lock (_lock)
            {
                return [.. _calls];
            }
        }
    }

    /// <summary>The payloads of the calls that returned, in order.</summary>
    public IReadOnlyList<InboundPayload> Ingested => [.. Calls.Where(c => c.Succeeded).SelectMany(c => c.Payloads)];

    public async Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<InboundPayload> payloads, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref _started);
        var succeeded = false;
        try
        {
            if (onCall is not null)
            {
                await onCall(call, cancellationToken);
            }

            succeeded = true;
            return [.. payloads.Select(_ => new DuplicateResult("urn:test", "id", "family"))];
        }
        finally
        {
            lock (_lock)
            {
                _calls.Add((payloads, succeeded));
            }
        }
    }

    public async Task WaitForIngestedAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Ingested.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Only {Ingested.Count} of {count} payloads were ingested.");
            await Task.Delay(50);
        }
    }

    /// <summary>Where a payload was read from, per its arrival origin.</summary>
    public static (int Partition, long Offset) Position(InboundPayload payload) => (
        int.Parse(payload.Arrival.Origin["partition"], CultureInfo.InvariantCulture),
        long.Parse(payload.Arrival.Origin["offset"], CultureInfo.InvariantCulture));
}
