using System.Collections;

namespace YoungCarers.Domain.Contract;

/// <summary>
/// An immutable list that is equal to another with the same items, so that records holding lists
/// keep value equality (a plain array or list compares by reference).
/// </summary>
internal sealed class ValueList<T>(T[] items) : IReadOnlyList<T>, IEquatable<ValueList<T>>
{
    public int Count => items.Length;

    public T this[int index] => items[index];

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public bool Equals(ValueList<T>? other) =>
        other is not null && items.AsSpan().SequenceEqual(other.AsSpan(), EqualityComparer<T>.Default);

    public override bool Equals(object? obj) => Equals(obj as ValueList<T>);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in items)
        {
            hash.Add(item);
        }

        return hash.ToHashCode();
    }

    // Records print their members; this makes a failed equality readable.
    public override string ToString() => $"[{string.Join(", ", items)}]";

    private ReadOnlySpan<T> AsSpan() => items;
}

internal static class ValueList
{
    /// <summary>The items as a value list; null (an optional list left out) is empty.</summary>
    public static IReadOnlyList<T> Of<T>(IEnumerable<T>? items) => items switch
    {
        ValueList<T> list => list,
        null => new ValueList<T>([]),
        _ => new ValueList<T>([.. items]),
    };
}
