using System.Collections;
using System.Collections.Immutable;

namespace YoungCarers.Domain.Family;

/// <summary>
/// An immutable map from a case system's id to what the family's stream said about it, in ordinal
/// id order. A family has a handful of each kind of case record, which the rules read over and over
/// while the stream adds one at a time: so the records sit in two arrays, copied on each change and
/// read without allocating, where a balanced tree allocates on every change and on every read.
/// </summary>
public sealed class CaseRecordCollection<T> : IReadOnlyCollection<KeyValuePair<string, T>>
    where T : class
{
    private readonly ImmutableArray<string> _ids;

    private CaseRecordCollection(ImmutableArray<string> ids, ImmutableArray<T> values)
    {
        _ids = ids;
        Values = values;
    }

    public CaseRecordCollection()
        : this([], [])
    {
    }

    /// <summary>The records in id order.</summary>
    public ImmutableArray<T> Values { get; }

    public int Count => _ids.Length;

    public bool IsEmpty => _ids.IsEmpty;

    public T? GetValueOrDefault(string id)
    {
        var index = IndexOf(id);
        return index >= 0 ? Values[index] : null;
    }

    /// <summary>These records with <paramref name="id"/>'s set to <paramref name="value"/>, added or replaced.</summary>
    public CaseRecordCollection<T> SetItem(string id, T value)
    {
        ArgumentNullException.ThrowIfNull(id);
        var index = IndexOf(id);
        return index >= 0
            ? new(_ids, Values.SetItem(index, value))
            : new(_ids.Insert(~index, id), Values.Insert(~index, value));
    }

    public Enumerator GetEnumerator() => new(this);

    IEnumerator<KeyValuePair<string, T>> IEnumerable<KeyValuePair<string, T>>.GetEnumerator()
    {
        for (var i = 0; i < _ids.Length; i++)
        {
            yield return new(_ids[i], Values[i]);
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable<KeyValuePair<string, T>>)this).GetEnumerator();

    private int IndexOf(string id) => _ids.AsSpan().BinarySearch(id, StringComparer.Ordinal);

    /// <summary>Enumerates (id, record) pairs in id order without allocating.</summary>
    public struct Enumerator(CaseRecordCollection<T> records)
    {
        private int _index = -1;

        public readonly KeyValuePair<string, T> Current => new(records._ids[_index], records.Values[_index]);

        public bool MoveNext() => ++_index < records._ids.Length;
    }
}
