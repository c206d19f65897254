namespace YoungCarers.Domain.Contract;

/// <summary>
/// The caps inbound events must respect. They bound the work one event can cause and keep
/// quarantined input readable; every real event fits well inside them.
/// </summary>
public static class InboundLimits
{
    /// <summary>One event's size in UTF-8 bytes.</summary>
    public const int MaxEventBytes = 256 * 1024;

    /// <summary>JSON nesting, counting the envelope object as 1 (the deepest SPEC payload needs 6).</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>Ids, <c>system</c>, codes, and the envelope's <c>id</c>, <c>type</c>, <c>specversion</c> and <c>datacontenttype</c>.</summary>
    public const int MaxIdLength = 100;

    /// <summary>Person names and the lead professional's name, team and service.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The envelope's <c>source</c> and <c>subject</c>.</summary>
    public const int MaxAttributeLength = 200;

    /// <summary>A UK postcode is at most 8 characters; this leaves room for stray spacing.</summary>
    public const int MaxPostcodeLength = 10;

    /// <summary>Free-text reasons.</summary>
    public const int MaxTextLength = 2000;

    /// <summary>Items in any array.</summary>
    public const int MaxArrayItems = 100;

    /// <summary>Each item of a string array (caring tasks, impacts, reasons, factors).</summary>
    public const int MaxListItemLength = 100;

    /// <summary>The hours in a week: more care than that is a data error.</summary>
    public const decimal MaxHoursPerWeek = 168;

    /// <summary>How far after the event a scheduled date (a review due) may be.</summary>
    public const int MaxYearsAhead = 10;

    /// <summary>
    /// How many days past the event's date (for dates in the payload) or past now (for the event's
    /// time too) a date may be: a day absorbs time zones and clock skew, not real future dates.
    /// </summary>
    public const int FutureToleranceDays = 1;

    /// <summary>No date or time may be earlier: nobody in a live case was born before it.</summary>
    public static DateOnly EarliestDate { get; } = new(1900, 1, 1);
}
