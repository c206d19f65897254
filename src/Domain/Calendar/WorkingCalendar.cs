namespace YoungCarers.Domain.Calendar;

/// <summary>
/// Working days in England: Monday to Friday, less bank holidays. Deadlines in the memorandum and
/// in Working Together are counted in working days from the day something happened, that day not
/// counted, and fall due at the end of the last day in UK local time.
/// </summary>
public sealed class WorkingCalendar
{
    private static readonly TimeZoneInfo London = TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
    private readonly HashSet<DateOnly> _holidays;

    public WorkingCalendar(IEnumerable<DateOnly> holidays)
    {
        ArgumentNullException.ThrowIfNull(holidays);
        _holidays = [.. holidays];
        FirstKnownYear = _holidays.Count == 0 ? int.MaxValue : _holidays.Min(d => d.Year);
        LastKnownYear = _holidays.Count == 0 ? int.MinValue : _holidays.Max(d => d.Year);
    }

    /// <summary>England and Wales bank holidays 2024 to 2028, as shipped; councils add their own in policy.</summary>
    public static WorkingCalendar EnglandAndWales(IEnumerable<DateOnly>? extraHolidays = null) =>
        new(EnglandAndWalesBankHolidays.Concat(extraHolidays ?? []));

    public static IReadOnlyList<DateOnly> EnglandAndWalesBankHolidays { get; } =
    [
        new(2024, 1, 1), new(2024, 3, 29), new(2024, 4, 1), new(2024, 5, 6), new(2024, 5, 27), new(2024, 8, 26), new(2024, 12, 25), new(2024, 12, 26),
        new(2025, 1, 1), new(2025, 4, 18), new(2025, 4, 21), new(2025, 5, 5), new(2025, 5, 26), new(2025, 8, 25), new(2025, 12, 25), new(2025, 12, 26),
        new(2026, 1, 1), new(2026, 4, 3), new(2026, 4, 6), new(2026, 5, 4), new(2026, 5, 25), new(2026, 8, 31), new(2026, 12, 25), new(2026, 12, 28),
        new(2027, 1, 1), new(2027, 3, 26), new(2027, 3, 29), new(2027, 5, 3), new(2027, 5, 31), new(2027, 8, 30), new(2027, 12, 27), new(2027, 12, 28),
        new(2028, 1, 3), new(2028, 4, 14), new(2028, 4, 17), new(2028, 5, 1), new(2028, 5, 29), new(2028, 8, 28), new(2028, 12, 25), new(2028, 12, 26),
    ];

    /// <summary>The first year with known holidays: dates before it are counted as if it had none.</summary>
    public int FirstKnownYear { get; }

    /// <summary>The last year with known holidays: deadlines after it may be early by the holidays it lacks.</summary>
    public int LastKnownYear { get; }

    public bool IsWorkingDay(DateOnly date) =>
        date.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !_holidays.Contains(date);

    /// <summary>The day <paramref name="workingDays"/> working days after <paramref name="start"/> (which is not counted).</summary>
    public DateOnly AddWorkingDays(DateOnly start, int workingDays)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(workingDays);
        var date = start;
        for (var counted = 0; counted < workingDays;)
        {
            date = date.AddDays(1);
            if (IsWorkingDay(date))
            {
                counted++;
            }
        }

        return date;
    }

    /// <summary>Working days after <paramref name="from"/> up to and including <paramref name="to"/> (0 when <paramref name="to"/> is not later).</summary>
    public int WorkingDaysBetween(DateOnly from, DateOnly to)
    {
        var count = 0;
        for (var date = from.AddDays(1); date <= to; date = date.AddDays(1))
        {
            if (IsWorkingDay(date))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>
    /// The instant a day ends in UK local time (midnight at its close, GMT or BST as it falls): a
    /// deadline on that day is missed from this instant on.
    /// </summary>
    public static DateTimeOffset EndOfDay(DateOnly day)
    {
        var nextMidnight = day.AddDays(1).ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(nextMidnight, London.GetUtcOffset(nextMidnight)).ToUniversalTime();
    }

    /// <summary>The UK local date at an instant.</summary>
    public static DateOnly LocalDate(DateTimeOffset instant) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, London).DateTime);
}
