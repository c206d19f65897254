using System.Numerics;

namespace YoungCarers.Generation;

/// <summary>
/// xoshiro256** seeded through SplitMix64. Hand-rolled rather than <see cref="Random"/>, whose
/// seeded sequence .NET does not promise to keep across versions: the output must stay
/// byte-identical for a seed.
/// </summary>
internal sealed class Rng
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    public Rng(ulong seed)
    {
        _s0 = SplitMix(ref seed);
        _s1 = SplitMix(ref seed);
        _s2 = SplitMix(ref seed);
        _s3 = SplitMix(ref seed);
    }

    /// <summary>A well-mixed hash of the parts, so that independent decisions can be drawn without shared state.</summary>
    public static ulong Hash(int seed, long a, long b = 0, long c = 0)
    {
        var state = (ulong)(uint)seed;
        var hash = SplitMix(ref state);
        state ^= (ulong)a;
        hash ^= SplitMix(ref state);
        state ^= (ulong)b * 0x9E3779B97F4A7C15UL;
        hash ^= SplitMix(ref state);
        state ^= (ulong)c * 0xC2B2AE3D27D4EB4FUL;
        return hash ^ SplitMix(ref state);
    }

    /// <summary>A number from 0 (inclusive) to 1 (exclusive) that the hash stands for.</summary>
    public static double Unit(ulong hash) => (hash >> 11) * (1.0 / (1UL << 53));

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>From 0 to <paramref name="maxExclusive"/> - 1.</summary>
    public int Next(int maxExclusive) => (int)(((NextUInt64() >> 32) * (ulong)maxExclusive) >> 32);

    /// <summary>From <paramref name="min"/> to <paramref name="max"/>, both included.</summary>
    public int Between(int min, int max) => min + Next(max - min + 1);

    public double NextDouble() => Unit(NextUInt64());

    public bool Chance(double probability) => NextDouble() < probability;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    private static ulong SplitMix(ref ulong state)
    {
        var z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

/// <summary>A choice among items with relative weights.</summary>
internal sealed class Weighted<T>
{
    private readonly T[] _items;
    private readonly int[] _cumulative;

    public Weighted(params (T Item, int Weight)[] choices)
    {
        _items = [.. choices.Select(choice => choice.Item)];
        _cumulative = new int[choices.Length];
        var total = 0;
        for (var i = 0; i < choices.Length; i++)
        {
            total += choices[i].Weight;
            _cumulative[i] = total;
        }
    }

    public T Pick(Rng rng)
    {
        var roll = rng.Next(_cumulative[^1]);
        var i = 0;
        while (_cumulative[i] <= roll)
        {
            i++;
        }

        return _items[i];
    }
}
