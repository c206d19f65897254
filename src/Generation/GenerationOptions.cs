namespace YoungCarers.Generation;

/// <summary>What to generate. The same options always give byte-identical output.</summary>
/// <param name="Families">How many synthetic families; each has its own storyline of events.</param>
/// <param name="Seed">Varies everything random: names, dates, which branch each storyline takes.</param>
/// <param name="Start">The earliest event date; 2024-01-01 when left out.</param>
/// <param name="InvalidRate">
/// The share of lines that are deliberately invalid (a defective first attempt, followed by the
/// corrected event). The valid lines do not depend on it: the same seed gives the same valid events
/// at any rate.
/// </param>
/// <param name="End">The latest event date; 2026-10-31 when left out. Storylines that would run on are cut here.</param>
/// <param name="DuplicateRate">The share of valid events that are delivered a second time (same envelope, same id).</param>
public sealed record GenerationOptions(
    int Families,
    int Seed = 1,
    DateOnly? Start = null,
    double InvalidRate = 0.01,
    DateOnly? End = null,
    double DuplicateRate = 0.005)
{
    /// <summary>
    /// Every person gets a distinct synthetic NHS number and case system ids; the number space
    /// allows this many families (about 7 million events).
    /// </summary>
    public const int MaxFamilies = 1_000_000;

    public static DateOnly DefaultStart { get; } = new(2024, 1, 1);

    public static DateOnly DefaultEnd { get; } = new(2026, 10, 31);

    /// <summary>Storylines need room to unfold after the first contact.</summary>
    public const int MinWindowDays = 90;

    public DateOnly FirstDate => Start ?? DefaultStart;

    public DateOnly LastDate => End ?? DefaultEnd;

    /// <summary>Throws when the options cannot be honoured.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(Families);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Families, MaxFamilies);

        // Above one half, "invalid" would be the norm and the corrected events could not keep up.
        if (InvalidRate is not (>= 0 and <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(InvalidRate), InvalidRate, "Must be from 0 to 0.5.");
        }

        if (DuplicateRate is not (>= 0 and <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(DuplicateRate), DuplicateRate, "Must be from 0 to 0.5.");
        }

        if (LastDate.DayNumber - FirstDate.DayNumber < MinWindowDays)
        {
            throw new ArgumentOutOfRangeException(nameof(End), LastDate, $"Must be at least {MinWindowDays} days after Start.");
        }
    }
}
