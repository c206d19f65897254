namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// The replayed state of recently refreshed single-stream families, each as of a stream version.
/// A stream only ever has events appended, so such a state stays true of its first events for
/// good: a later refresh reads and folds in only the events after it instead of the whole stream.
/// Bounded: two generations of at most <see cref="Capacity"/> families each; when the young one
/// fills, the old one is dropped, so families not refreshed for a while fall out.
/// </summary>
internal sealed class ReplayedFamilies
{
    public const int Capacity = 20_000;

    private readonly Lock _lock = new();
    private Dictionary<string, (long Version, ReplayedFamily Family)> _young = new(StringComparer.Ordinal);
    private Dictionary<string, (long Version, ReplayedFamily Family)> _old = new(StringComparer.Ordinal);

    public bool TryGet(string streamId, out long version, out ReplayedFamily family)
    {
        lock (_lock)
        {
            if (_young.TryGetValue(streamId, out var entry) || _old.TryGetValue(streamId, out entry))
            {
                (version, family) = entry;
                return true;
            }
        }

        (version, family) = (0, null!);
        return false;
    }

    public void Set(string streamId, long version, ReplayedFamily family)
    {
        lock (_lock)
        {
            if (_young.Count >= Capacity && !_young.ContainsKey(streamId))
            {
                _old = _young;
                _young = new(StringComparer.Ordinal);
            }

            _young[streamId] = (version, family);
            _old.Remove(streamId);
        }
    }

    public void Remove(string streamId)
    {
        lock (_lock)
        {
            _young.Remove(streamId);
            _old.Remove(streamId);
        }
    }
}
