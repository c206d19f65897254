using YoungCarers.Domain.Calendar;

namespace YoungCarers.Domain.Tests.Calendar;

public sealed class WorkingCalendarTests
{
    private static readonly WorkingCalendar Calendar = WorkingCalendar.EnglandAndWales();

    [Theory]
    // Thursday + 1 working day: Friday.
    [InlineData("2025-03-06", 1, "2025-03-07")]
    // Friday + 1: over the weekend to Monday.
    [InlineData("2025-03-07", 1, "2025-03-10")]
    // Maundy Thursday 2025 + 1: Good Friday, the weekend and Easter Monday are skipped.
    [InlineData("2025-04-17", 1, "2025-04-22")]
    // Christmas 2026: the 25th is a Friday and Boxing Day's substitute is Monday the 28th.
    [InlineData("2026-12-24", 1, "2026-12-29")]
    // A Saturday start counts from Monday.
    [InlineData("2025-03-08", 5, "2025-03-14")]
    [InlineData("2025-03-03", 0, "2025-03-03")]
    // Working Together's 45 working days from 1 April 2025 (Easter and the May holidays inside).
    [InlineData("2025-04-01", 45, "2025-06-09")]
    public void Working_days_skip_weekends_and_bank_holidays(string start, int days, string expected)
    {
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            Calendar.AddWorkingDays(DateOnly.Parse(start, System.Globalization.CultureInfo.InvariantCulture), days));
    }

    [Fact]
    public void A_councils_extra_holiday_moves_a_deadline()
    {
        var withExtra = WorkingCalendar.EnglandAndWales([new DateOnly(2025, 3, 7)]);

        Assert.Equal(new DateOnly(2025, 3, 10), withExtra.AddWorkingDays(new DateOnly(2025, 3, 6), 1));
    }

    [Fact]
    public void Counting_back_agrees_with_counting_forward()
    {
        var start = new DateOnly(2024, 12, 20);

        Assert.Equal(10, Calendar.WorkingDaysBetween(start, Calendar.AddWorkingDays(start, 10)));
    }

    [Theory]
    // Winter (GMT): a day ends at midnight UTC.
    [InlineData("2025-01-15", "2025-01-16T00:00:00+00:00")]
    // Summer (BST): a day ends at 23:00 UTC.
    [InlineData("2025-07-15", "2025-07-15T23:00:00+00:00")]
    // The day the clocks go forward (30 March 2025) ends in BST.
    [InlineData("2025-03-30", "2025-03-30T23:00:00+00:00")]
    // The day before the clocks go back (25 October 2025) still ends in BST; the 26th ends in GMT.
    [InlineData("2025-10-25", "2025-10-25T23:00:00+00:00")]
    [InlineData("2025-10-26", "2025-10-27T00:00:00+00:00")]
    public void A_day_ends_at_midnight_uk_time(string day, string expected)
    {
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            WorkingCalendar.EndOfDay(DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void The_uk_date_of_a_late_summer_evening_in_utc_is_the_next_day()
    {
        Assert.Equal(new DateOnly(2025, 7, 16), WorkingCalendar.LocalDate(new DateTimeOffset(2025, 7, 15, 23, 30, 0, TimeSpan.Zero)));
    }
}
