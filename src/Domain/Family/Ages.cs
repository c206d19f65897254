namespace YoungCarers.Domain.Family;

/// <summary>Ages as English law counts them.</summary>
public static class Ages
{
    /// <summary>
    /// The day a person born on <paramref name="birthDate"/> reaches <paramref name="months"/> months
    /// of age. Someone born on 29 February (or the 31st) whose anniversary month lacks that day
    /// reaches it on the day after the month's last day, 1 March in a common year, never the day before.
    /// </summary>
    public static DateOnly Reaches(DateOnly birthDate, int months)
    {
        var anniversary = birthDate.AddMonths(months);
        return anniversary.Day == birthDate.Day ? anniversary : anniversary.AddDays(1);
    }

    /// <summary>Whole years of age on <paramref name="day"/>.</summary>
    public static int YearsOn(DateOnly birthDate, DateOnly day)
    {
        var years = day.Year - birthDate.Year;
        return Reaches(birthDate, years * 12) > day ? years - 1 : years;
    }
}
