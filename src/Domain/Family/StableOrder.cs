namespace YoungCarers.Domain.Family;

/// <summary>
/// Orders the short lists a family's evaluation produces (a handful of obligations, flags,
/// involvements): equal items stay as they came, as LINQ's OrderBy would keep them, without its
/// key arrays and sorter objects for every family of a rebuild.
/// </summary>
public static class StableOrder
{
    /// <summary>The items in order: the list itself when it already is, otherwise an insertion-sorted copy.</summary>
    public static IReadOnlyList<T> Sorted<T>(IReadOnlyList<T> items, Comparison<T> compare)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(compare);
        var inOrder = true;
        for (var i = 1; i < items.Count && inOrder; i++)
        {
            inOrder = compare(items[i - 1], items[i]) <= 0;
        }

        if (inOrder)
        {
            return items;
        }

        var sorted = new T[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var j = i;
            for (; j > 0 && compare(sorted[j - 1], item) > 0; j--)
            {
                sorted[j] = sorted[j - 1];
            }

            sorted[j] = item;
        }

        return sorted;
    }
}
