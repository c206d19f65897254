namespace YoungCarers.Ingest.Identity;

/// <summary>Disjoint sets with path compression; members are kept per root so components can be listed.</summary>
internal sealed class UnionFind<T>
    where T : notnull
{
    private readonly Dictionary<T, T> _parent = [];
    private readonly Dictionary<T, List<T>> _members = [];

    public void Add(T item)
    {
        if (_parent.TryAdd(item, item))
        {
            _members[item] = [item];
        }
    }

    public T Find(T item)
    {
        var root = item;
        while (!Equals(_parent[root], root))
        {
            root = _parent[root];
        }

        while (!Equals(item, root))
        {
            var next = _parent[item];
            _parent[item] = root;
            item = next;
        }

        return root;
    }

    public void Union(T a, T b)
    {
        var (rootA, rootB) = (Find(a), Find(b));
        if (Equals(rootA, rootB))
        {
            return;
        }

        // The smaller set joins the larger, so member lists are copied O(n log n) times in all.
        if (_members[rootA].Count < _members[rootB].Count)
        {
            (rootA, rootB) = (rootB, rootA);
        }

        _parent[rootB] = rootA;
        _members[rootA].AddRange(_members[rootB]);
        _members.Remove(rootB);
    }

    public IReadOnlyList<T> Members(T root) => _members[root];

    public IEnumerable<IReadOnlyList<T>> Components() => _members.Values;
}
