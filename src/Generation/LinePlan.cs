namespace YoungCarers.Generation;

/// <summary>One line to write: an event, what to break in it, and whether it is a redelivery.</summary>
internal readonly record struct PlannedLine(SyntheticEvent Event, Defect Defect, bool IsDuplicate);

/// <summary>
/// The order of the output. Families are told a block at a time and their events merged by time,
/// so the stream reads like a live feed (families interleaved) while only one block is ever held.
/// Defects and duplicates are drawn from hashes of the event, not from the storyline's random
/// sequence, so the rates never change which events the storylines contain.
/// </summary>
internal static class LinePlan
{
    /// <summary>Families merged together: enough to interleave, few enough to stay small.</summary>
    private const int BlockSize = 64;

    private const int InvalidDraw = 1;
    private const int DefectDraw = 2;
    private const int DuplicateDraw = 3;

    public static IEnumerable<PlannedLine> Lines(GenerationOptions options)
    {
        var seed = options.Seed;
        var duplicateRate = options.DuplicateRate;

        // Each event may bring a defective line and a duplicate; these odds make defective lines
        // InvalidRate of all lines: q / (1 + q + d) = r when q = r (1 + d) / (1 - r).
        var invalidOdds = options.InvalidRate * (1 + duplicateRate) / (1 - options.InvalidRate);
        var events = new List<SyntheticEvent>(BlockSize * 32);
        for (var first = 0; first < options.Families; first += BlockSize)
        {
            events.Clear();
            var last = Math.Min(options.Families, first + BlockSize);
            for (var family = first; family < last; family++)
            {
                events.AddRange(FamilyStory.Tell(options, family));
            }

            events.Sort(static (a, b) =>
                a.Time != b.Time ? a.Time.CompareTo(b.Time)
                : a.Family != b.Family ? a.Family.CompareTo(b.Family)
                : a.Sequence.CompareTo(b.Sequence));

            foreach (var e in events)
            {
                // A defective first attempt comes just before the corrected event, under the same id.
                if (Rng.Unit(Rng.Hash(seed, e.Family, e.Sequence, InvalidDraw)) < invalidOdds)
                {
                    yield return new PlannedLine(e, Defects.Choose(e, new Rng(Rng.Hash(seed, e.Family, e.Sequence, DefectDraw))), IsDuplicate: false);
                }

                yield return new PlannedLine(e, Defect.None, IsDuplicate: false);
                if (Rng.Unit(Rng.Hash(seed, e.Family, e.Sequence, DuplicateDraw)) < duplicateRate)
                {
                    yield return new PlannedLine(e, Defect.None, IsDuplicate: true);
                }
            }
        }
    }
}
