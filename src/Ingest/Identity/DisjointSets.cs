namespace YoungCarers.Ingest.Identity;

/// <summary>
/// Disjoint sets over the indexes 0 to <see cref="Count"/> - 1, each rooted at its smallest index,
/// in plain arrays: nothing is boxed or hashed, since ingest runs this for every batch it reads.
/// </summary>
internal sealed class DisjointSets
{
    private int[] _root;

    /// <param name="count">Indexes 0 to <paramref name="count"/> - 1, each a set of its own; <see cref="Add"/> adds more.</param>
    public DisjointSets(int count = 0)
    {
        _root = new int[Math.Max(count, 16)];
        for (var i = 0; i < count; i++)
        {
            _root[i] = i;
        }

        Count = count;
    }

    public int Count { get; private set; }

    /// <summary>Adds a set holding only the next index, and returns that index.</summary>
    public int Add()
    {
        if (Count == _root.Length)
        {
            Array.Resize(ref _root, Count * 2);
        }

        _root[Count] = Count;
        return Count++;
    }

    /// <summary>The smallest index in <paramref name="index"/>'s set.</summary>
    public int Find(int index)
    {
        while (_root[index] != index)
        {
            _root[index] = _root[_root[index]];
            index = _root[index];
        }

        return index;
    }

    public void Union(int a, int b)
    {
        var (rootA, rootB) = (Find(a), Find(b));
        _root[Math.Max(rootA, rootB)] = Math.Min(rootA, rootB);
    }

    /// <summary>Every set, its indexes ascending (so each starts with its root), ordered by root.</summary>
    public List<List<int>> Components()
    {
        var components = new List<List<int>>();
        var componentOfRoot = new int[Count];
        for (var i = 0; i < Count; i++)
        {
            var root = Find(i);
            if (root == i)
            {
                componentOfRoot[i] = components.Count;
                components.Add([i]);
            }
            else
            {
                components[componentOfRoot[root]].Add(i);
            }
        }

        return components;
    }
}
