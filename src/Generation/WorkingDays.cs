using System.Collections.Frozen;

namespace YoungCarers.Generation;

/// <summary>
/// Working days as the SPEC counts them (no weekends, no England and Wales bank holidays), so that
/// a storyline meant to meet a deadline in working days does meet it.
/// </summary>
internal static class WorkingDays
{
    // The dates the SPEC ships (section 4).
    private static readonly FrozenSet<DateOnly> BankHolidays = new DateOnly[]
    {
        new(2024, 1, 1), new(2024, 3, 29), new(2024, 4, 1), new(2024, 5, 6), new(2024, 5, 27), new(2024, 8, 26), new(2024, 12, 25), new(2024, 12, 26),
        new(2025, 1, 1), new(2025, 4, 18), new(2025, 4, 21), new(2025, 5, 5), new(2025, 5, 26), new(2025, 8, 25), new(2025, 12, 25), new(2025, 12, 26),
        new(2026, 1, 1), new(2026, 4, 3), new(2026, 4, 6), new(2026, 5, 4), new(2026, 5, 25), new(2026, 8, 31), new(2026, 12, 25), new(2026, 12, 28),
        new(2027, 1, 1), new(2027, 3, 26), new(2027, 3, 29), new(2027, 5, 3), new(2027, 5, 31), new(2027, 8, 30), new(2027, 12, 27), new(2027, 12, 28),
        new(2028, 1, 3), new(2028, 4, 14), new(2028, 4, 17), new(2028, 5, 1), new(2028, 5, 29), new(2028, 8, 28), new(2028, 12, 25), new(2028, 12, 26),
    }.ToFrozenSet();

    // Storylines add working days to every date they schedule, so the count is a table look-up
    // rather than a day-by-day walk; dates outside the table walk.
    private static readonly DateOnly TableStart = new(2000, 1, 1);
    private static readonly DateOnly TableEnd = new(2100, 12, 31);
    private static readonly Table Lookup = Table.Build();

    /// <summary>The working day <paramref name="days"/> working days after <paramref name="date"/> (0: the day itself, if a working day).</summary>
    public static DateOnly Add(DateOnly date, int days)
    {
        if (date >= TableStart && date <= TableEnd)
        {
            var ordinal = Lookup.OrdinalOnOrAfter[date.DayNumber - TableStart.DayNumber] + days;
            if (ordinal < Lookup.WorkingDates.Length)
            {
                return Lookup.WorkingDates[ordinal];
            }
        }

        date = OnOrAfter(date);
        for (var i = 0; i < days; i++)
        {
            date = OnOrAfter(date.AddDays(1));
        }

        return date;
    }

    private static bool IsWorkingDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !BankHolidays.Contains(date);

    private static DateOnly OnOrAfter(DateOnly date)
    {
        while (!IsWorkingDay(date))
        {
            date = date.AddDays(1);
        }

        return date;
    }

    /// <param name="OrdinalOnOrAfter">For each day of the table, the index in <paramref name="WorkingDates"/> of the first working day on or after it.</param>
    /// <param name="WorkingDates">The table's working days in order.</param>
    private sealed record Table(int[] OrdinalOnOrAfter, DateOnly[] WorkingDates)
    {
        public static Table Build()
        {
            var days = TableEnd.DayNumber - TableStart.DayNumber + 1;
            var ordinals = new int[days];
            var dates = new List<DateOnly>(days);
            for (var i = 0; i < days; i++)
            {
                var date = TableStart.AddDays(i);
                ordinals[i] = dates.Count;
                if (IsWorkingDay(date))
                {
                    dates.Add(date);
                }
            }

            return new Table(ordinals, [.. dates]);
        }
    }
}
