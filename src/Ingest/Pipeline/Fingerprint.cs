using YoungCarers.Ingest.Identity;

namespace YoungCarers.Ingest.Pipeline;

/// <summary>
/// 64-bit FNV-1a fingerprints of identifiers, event ids and family ids, for in-process grouping
/// where two values sharing one (about once in 10^19 pairs) costs only a less even split, never a
/// wrong result. A dictionary keyed by them touches one entry per look-up instead of following it
/// to strings scattered over the heap.
/// </summary>
internal static class Fingerprint
{
    private const long OffsetBasis = unchecked((long)14695981039346656037UL);
    private const long Prime = 1099511628211L;

    public static long Of(IdentityKey key) => Of(key.Scheme, key.Value);

    public static long Of(string text) => Append(OffsetBasis, text);

    public static long Of(string first, string second) => Append(unchecked(Append(OffsetBasis, first) * Prime), second);

    // Over UTF-16 code units: in-process only, so no byte encoding is needed.
    private static long Append(long hash, string text)
    {
        foreach (var c in text)
        {
            hash = unchecked((hash ^ c) * Prime);
        }

        return hash;
    }
}
