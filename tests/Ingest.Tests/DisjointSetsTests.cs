using YoungCarers.Ingest.Identity;

namespace YoungCarers.Ingest.Tests;

public sealed class DisjointSetsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Random_unions_give_the_connected_components_each_rooted_at_its_smallest_index(int seed)
    {
        var random = new Random(seed);
        var sets = new DisjointSets(40);
        var links = new List<(int A, int B)>();
        for (var i = 0; i < 60; i++)
        {
            // Some indexes are added later, as the identity planner adds nodes.
            var size = sets.Count < 100 && random.Next(3) == 0 ? sets.Add() + 1 : sets.Count;
            var link = (random.Next(size), random.Next(size));
            links.Add(link);
            sets.Union(link.Item1, link.Item2);
        }

        var expected = Components(sets.Count, links);

        Assert.Equal(expected, sets.Components());
        Assert.All(Enumerable.Range(0, sets.Count), i => Assert.Equal(expected.Single(c => c.Contains(i))[0], sets.Find(i)));
    }

    /// <summary>The components by search over the links, each ascending, ordered by their smallest index.</summary>
    private static List<List<int>> Components(int count, List<(int A, int B)> links)
    {
        var seen = new bool[count];
        var components = new List<List<int>>();
        for (var start = 0; start < count; start++)
        {
            if (seen[start])
            {
                continue;
            }

            var component = new List<int>();
            var pending = new Stack<int>([start]);
            seen[start] = true;
            while (pending.TryPop(out var node))
            {
                component.Add(node);
                foreach (var (a, b) in links)
                {
                    var other = a == node ? b : b == node ? a : -1;
                    if (other >= 0 && !seen[other])
                    {
                        seen[other] = true;
                        pending.Push(other);
                    }
                }
            }

            component.Sort();
            components.Add(component);
        }

        return components;
    }
}
