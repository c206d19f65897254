namespace YoungCarers.Ingest.Pipeline;

/// <summary>
/// The family each recently stored identifier went to, as this process last saw it. Only a hint
/// for keeping one family's events in one lane (<see cref="IngestPipeline.Partition"/>): a merge,
/// another process, a rolled-back transaction, two identifiers with one fingerprint, or a replay
/// read split (its groups stand in for families until stored) but not stored, can make it wrong,
/// which costs lanes a wait for each other's stream lock and nothing else. Two generations bound
/// its size: once the newer holds <paramref name="generationSize"/> identifiers, the older is
/// dropped.
/// </summary>
/// <remarks>
/// Identifiers and families are held as <see cref="Fingerprint"/>s, not strings: partitioning looks
/// up every identifier of every replay read, and following entries to their strings was most of
/// its time.
/// </remarks>
internal sealed class FamilyHints(int generationSize)
{
    private readonly Lock _lock = new();
    private Dictionary<long, long> _current = [];
    private Dictionary<long, long> _previous = [];

    /// <summary>Records, in one step, the family each identifier went to (both as <see cref="Fingerprint"/>s).</summary>
    public void Record(IEnumerable<(long Identifier, long Family)> identifiers)
    {
        lock (_lock)
        {
            foreach (var (identifier, family) in identifiers)
            {
                if (_current.Count >= generationSize)
                {
                    (_previous, _current) = (_current, []);
                }

                _current[identifier] = family;
            }
        }
    }

    /// <summary>
    /// The fingerprint of the family the identifier with this <see cref="Fingerprint"/> last went
    /// to, if it is still remembered.
    /// </summary>
    public bool TryGetFamily(long identifier, out long family)
    {
        lock (_lock)
        {
            return _current.TryGetValue(identifier, out family) || _previous.TryGetValue(identifier, out family);
        }
    }
}
