namespace YoungCarers.Ingest.Pipeline;

/// <summary>
/// Where each group of a read goes, and what each lane waits for before storing it. Lane
/// <c>k</c> of this read starts after lane <c>k</c> of the read before it and after lane
/// <c>j</c> of read <c>WaitFor[k][j]</c> (none when negative), so one lane of a read can store
/// while another is still finishing an earlier read.
/// </summary>
/// <param name="Read">The read's number, from 0, in the order the planner saw them.</param>
/// <param name="Lanes">Each lane's payloads, in the order read; null for a lane with nothing in this read.</param>
public sealed record LanePlan(long Read, IReadOnlyList<PreparedPayloads?> Lanes, IReadOnlyList<IReadOnlyList<long>> WaitFor);

/// <summary>
/// Places the groups of successive reads (see <see cref="IIngestPipeline.Partition"/>) in a fixed
/// number of lanes. A group that names a person, an event or a family placed in a read that may
/// still be storing goes to that placement's lane, after it; when such placements are in several
/// lanes, its lane waits for the others' reads too (a merge). So a family's events reach the store
/// in the order read, and lanes storing at the same time never name a common person or event.
/// Every other group goes to the lane with the least work so far. Used by one thread at a time.
/// </summary>
public sealed class LanePlanner
{
    private readonly Dictionary<long, (long Read, int Lane)> _placed = [];
    private readonly Queue<(long Read, List<long> Keys)> _recent = new();
    private readonly long[] _work;
    private readonly long[] _lastRead;
    private readonly int _readsInFlight;
    private long _reads;
    private long _opaqueRead = -1;

    /// <param name="lanes">Lanes storing side by side.</param>
    /// <param name="readsInFlight">
    /// Reads whose lanes may be storing at once: the caller finishes a read before it starts the
    /// one this many after it, so placements older than that are forgotten.
    /// </param>
    public LanePlanner(int lanes, int readsInFlight)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lanes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(readsInFlight);
        _work = new long[lanes];
        _lastRead = [.. Enumerable.Repeat(-1L, lanes)];
        _readsInFlight = readsInFlight;
    }

    public int Lanes => _work.Length;

    /// <summary>Starts planning the next read.</summary>
    internal Read Next()
    {
        var read = _reads++;
        while (_recent.TryPeek(out var oldest) && oldest.Read <= read - _readsInFlight)
        {
            _recent.Dequeue();
            foreach (var key in oldest.Keys)
            {
                if (_placed.TryGetValue(key, out var placed) && placed.Read == oldest.Read)
                {
                    _placed.Remove(key);
                }
            }
        }

        var plan = new Read(this, read);
        if (_opaqueRead > read - _readsInFlight)
        {
            // Nobody knows what that read's one lane names: every lane waits for it.
            for (var lane = 1; lane < Lanes; lane++)
            {
                plan.Wait(lane, 0, _opaqueRead);
            }
        }

        return plan;
    }

    /// <summary>Plans a read whose payloads cannot be told apart: all in lane 0, after every lane's earlier reads.</summary>
    public LanePlan Whole(PreparedPayloads prepared)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var read = Next();
        for (var lane = 1; lane < Lanes; lane++)
        {
            read.Wait(0, lane, _lastRead[lane]);
        }

        _opaqueRead = read.Number;
        _lastRead[0] = read.Number;
        var lanes = new PreparedPayloads?[Lanes];
        lanes[0] = prepared;
        return read.Plan(lanes);
    }

    /// <summary>One read being planned.</summary>
    internal sealed class Read(LanePlanner planner, long number)
    {
        private readonly long[][] _waitFor = [.. Enumerable.Range(0, planner.Lanes).Select(_ => Enumerable.Repeat(-1L, planner.Lanes).ToArray())];
        private readonly List<long> _keys = [];

        public long Number => number;

        /// <summary>Places a group of <paramref name="size"/> payloads that names these keys (fingerprints), and returns its lane.</summary>
        public int Place(IReadOnlyList<long> keys, int size)
        {
            var (lane, latest) = (-1, -1L);
            foreach (var key in keys)
            {
                if (planner._placed.TryGetValue(key, out var placed) && placed.Read < number && placed.Read > latest)
                {
                    (lane, latest) = (placed.Lane, placed.Read);
                }
            }

            if (lane < 0)
            {
                lane = Array.IndexOf(planner._work, planner._work.Min());
            }

            foreach (var key in keys)
            {
                // A key placed earlier in this read is in another group only by a shared fingerprint: not worth a wait.
                if (planner._placed.TryGetValue(key, out var placed) && placed.Read < number && placed.Lane != lane)
                {
                    Wait(lane, placed.Lane, placed.Read);
                }

                planner._placed[key] = (number, lane);
                _keys.Add(key);
            }

            planner._work[lane] += size;
            planner._lastRead[lane] = number;
            return lane;
        }

        public void Wait(int lane, int other, long read) => _waitFor[lane][other] = Math.Max(_waitFor[lane][other], read);

        public LanePlan Plan(IReadOnlyList<PreparedPayloads?> lanes)
        {
            planner._recent.Enqueue((number, _keys));
            return new LanePlan(number, lanes, _waitFor);
        }
    }
}
