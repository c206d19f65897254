namespace YoungCarers.Benchmarks;

/// <summary>
/// The bulk workload: a fixed number of events, each for a pseudo-randomly chosen stream, made a
/// batch at a time so the whole run never sits in memory.
/// </summary>
internal sealed class EventGenerator(int eventCount, int streamCount, int seed)
{
    public IEnumerable<IReadOnlyList<GeneratedEvent>> Batches(int batchSize)
    {
        var factory = new EventFactory(seed, streamCount);
        for (var start = 0; start < eventCount; start += batchSize)
        {
            var batch = new GeneratedEvent[Math.Min(batchSize, eventCount - start)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = factory.Create(start + i);
            }

            yield return batch;
        }
    }
}
