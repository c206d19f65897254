using System.Diagnostics.CodeAnalysis;
using YoungCarers.Ingest.Identity;

namespace YoungCarers.Ingest.Pipeline;

/// <summary>
/// The family each recently stored identifier went to, as this process last saw it. Only a hint
/// for keeping one family's events in one lane (<see cref="IngestPipeline.Partition"/>): a merge,
/// another process or a rolled-back transaction can make it stale, which costs lanes a wait for
/// each other's stream lock and nothing else. Two generations bound its size: once the newer holds
/// <paramref name="generationSize"/> identifiers, the older is dropped.
/// </summary>
internal sealed class FamilyHints(int generationSize)
{
    private readonly Lock _lock = new();
    private Dictionary<IdentityKey, string> _current = [];
    private Dictionary<IdentityKey, string> _previous = [];

    public void Record(IEnumerable<PersonSighting> sightings, string familyId)
    {
        lock (_lock)
        {
            foreach (var sighting in sightings)
            {
                foreach (var key in sighting.Keys)
                {
                    if (_current.Count >= generationSize)
                    {
                        (_previous, _current) = (_current, []);
                    }

                    _current[key] = familyId;
                }
            }
        }
    }

    public bool TryGet(IdentityKey key, [NotNullWhen(true)] out string? familyId)
    {
        lock (_lock)
        {
            return _current.TryGetValue(key, out familyId) || _previous.TryGetValue(key, out familyId);
        }
    }
}
