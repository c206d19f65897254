namespace YoungCarers.Domain.Contract;

/// <summary>The stable codes of <see cref="ValidationError.Rule"/>; quarantine tooling may rely on them.</summary>
public static class ValidationRules
{
    /// <summary>Not JSON, or more than one JSON value.</summary>
    public const string MalformedJson = "malformed-json";

    /// <summary>Larger than <see cref="InboundLimits.MaxEventBytes"/>.</summary>
    public const string TooLarge = "too-large";

    /// <summary>Nested deeper than <see cref="InboundLimits.MaxJsonDepth"/>.</summary>
    public const string TooDeep = "too-deep";

    /// <summary>A JSON value of the wrong kind, e.g. a number where a string belongs.</summary>
    public const string WrongType = "wrong-type";

    /// <summary>A required field is missing or null.</summary>
    public const string Required = "required";

    /// <summary>A string that is empty or only white space (omit an optional field instead).</summary>
    public const string Empty = "empty";

    /// <summary>A field the contract does not define; in the envelope, a name that is not a valid CloudEvents extension name.</summary>
    public const string UnknownField = "unknown-field";

    /// <summary>The same field twice in one object.</summary>
    public const string DuplicateField = "duplicate-field";

    /// <summary><c>specversion</c> is not "1.0".</summary>
    public const string SpecVersion = "specversion";

    /// <summary><c>type</c> is not in the catalogue.</summary>
    public const string UnknownType = "unknown-type";

    /// <summary><c>source</c> is not a URI reference.</summary>
    public const string InvalidUri = "invalid-uri";

    /// <summary><c>datacontenttype</c> is not application/json.</summary>
    public const string InvalidContentType = "invalid-content-type";

    /// <summary><c>time</c> is not an RFC 3339 date-time with a UTC offset.</summary>
    public const string InvalidTime = "invalid-time";

    /// <summary>A date not written <c>yyyy-mm-dd</c>.</summary>
    public const string InvalidDate = "invalid-date";

    /// <summary>A well-formed date or time that is not on the calendar, e.g. 2025-02-30.</summary>
    public const string ImpossibleDate = "impossible-date";

    /// <summary>A date or time before <see cref="InboundLimits.EarliestDate"/>.</summary>
    public const string TooEarly = "too-early";

    /// <summary>
    /// Something that already happened (or a birth) dated more than a day after the event's time or
    /// after now; or an event time more than a day after now.
    /// </summary>
    public const string FutureDate = "future-date";

    /// <summary>A scheduled date (e.g. a review due) more than <see cref="InboundLimits.MaxYearsAhead"/> years after the event.</summary>
    public const string TooLate = "too-late";

    /// <summary>A value outside the SPEC's closed list (an enum or a CIN census code set).</summary>
    public const string InvalidEnum = "invalid-enum";

    /// <summary>An NHS number that is not exactly 10 digits.</summary>
    public const string NhsNumberFormat = "nhs-number-format";

    /// <summary>An NHS number whose modulus-11 check digit is wrong.</summary>
    public const string NhsNumberChecksum = "nhs-number-checksum";

    /// <summary>A postcode that does not look like a UK postcode.</summary>
    public const string InvalidPostcode = "invalid-postcode";

    /// <summary>A string longer than its cap in <see cref="InboundLimits"/>.</summary>
    public const string TooLong = "too-long";

    /// <summary>An array longer than <see cref="InboundLimits.MaxArrayItems"/>.</summary>
    public const string TooManyItems = "too-many-items";

    /// <summary>An array that must not be empty is empty.</summary>
    public const string TooFewItems = "too-few-items";

    /// <summary>A number outside its allowed range.</summary>
    public const string OutOfRange = "out-of-range";

    /// <summary>Fields that contradict each other.</summary>
    public const string Inconsistent = "inconsistent";
}
