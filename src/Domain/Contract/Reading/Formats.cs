using System.Buffers;

namespace YoungCarers.Domain.Contract.Reading;

internal enum Parsed
{
    Ok,
    Malformed,

    /// <summary>Well-formed, but not on the calendar or the clock (2025-02-30, 25:00).</summary>
    Impossible,
}

internal enum NhsNumberCheck
{
    Valid,
    NotTenDigits,
    WrongCheckDigit,
}

/// <summary>The text formats the contract uses, checked with plain loops (this runs for every event).</summary>
internal static class Formats
{
    private static readonly SearchValues<char> AsciiLettersAndDigits =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");

    private static readonly SearchValues<char> LowerCaseLettersAndDigits =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789");

    // The widest UTC offset DateTimeOffset accepts (and any real place uses).
    private static readonly TimeSpan MaxOffset = TimeSpan.FromHours(14);

    /// <summary>An ISO date, exactly <c>yyyy-mm-dd</c>.</summary>
    public static Parsed ParseDate(ReadOnlySpan<char> text, out DateOnly date)
    {
        date = default;
        if (text.Length != 10 || text[4] != '-' || text[7] != '-'
            || !TryDigits(text[..4], out var year) || !TryDigits(text[5..7], out var month) || !TryDigits(text[8..], out var day))
        {
            return Parsed.Malformed;
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return Parsed.Impossible;
        }

        date = new DateOnly(year, month, day);
        return Parsed.Ok;
    }

    /// <summary>
    /// An RFC 3339 date-time: <c>yyyy-mm-ddThh:mm:ss</c>, optional fraction, then <c>Z</c> or
    /// <c>±hh:mm</c>. Looser ISO 8601 forms (no offset, no seconds) are refused, because a time
    /// without an offset is ambiguous.
    /// </summary>
    public static Parsed ParseTimestamp(ReadOnlySpan<char> text, out DateTimeOffset time)
    {
        time = default;
        if (text.Length < 20 || text[10] is not ('T' or 't') || text[13] != ':' || text[16] != ':'
            || !TryDigits(text[11..13], out var hour) || !TryDigits(text[14..16], out var minute) || !TryDigits(text[17..19], out var second))
        {
            return Parsed.Malformed;
        }

        var dateParsed = ParseDate(text[..10], out var date);
        if (dateParsed == Parsed.Malformed)
        {
            return Parsed.Malformed;
        }

        var rest = text[19..];
        long fractionTicks = 0;
        if (rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            if (digits == 1)
            {
                return Parsed.Malformed;
            }

            // Ticks are 100 ns: the first seven fraction digits; finer ones cannot be stored.
            for (var i = 1; i <= 7; i++)
            {
                fractionTicks = (fractionTicks * 10) + (i < digits ? rest[i] - '0' : 0);
            }

            rest = rest[digits..];
        }

        TimeSpan offset;
        if (rest is ['Z' or 'z'])
        {
            offset = TimeSpan.Zero;
        }
        else if (rest.Length == 6 && rest[0] is '+' or '-' && rest[3] == ':'
            && TryDigits(rest[1..3], out var offsetHours) && TryDigits(rest[4..], out var offsetMinutes))
        {
            if (offsetMinutes > 59)
            {
                return Parsed.Impossible;
            }

            offset = new TimeSpan(offsetHours, offsetMinutes, 0) * (rest[0] == '-' ? -1 : 1);
        }
        else
        {
            return Parsed.Malformed;
        }

        // A leap second (:60) is valid RFC 3339 but has no DateTimeOffset; upstream systems do not send them.
        if (dateParsed == Parsed.Impossible || hour > 23 || minute > 59 || second > 59 || offset.Duration() > MaxOffset)
        {
            return Parsed.Impossible;
        }

        var localTicks = date.ToDateTime(new TimeOnly(hour, minute, second)).Ticks + fractionTicks;
        var utcTicks = localTicks - offset.Ticks;
        if (localTicks > DateTime.MaxValue.Ticks || utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return Parsed.Impossible;
        }

        time = new DateTimeOffset(localTicks, offset);
        return Parsed.Ok;
    }

    /// <summary>Ten digits whose last is the modulus-11 check digit of the first nine (weights 10 down to 2).</summary>
    public static NhsNumberCheck CheckNhsNumber(ReadOnlySpan<char> text)
    {
        if (text.Length != 10 || text.ContainsAnyExceptInRange('0', '9'))
        {
            return NhsNumberCheck.NotTenDigits;
        }

        var sum = 0;
        for (var i = 0; i < 9; i++)
        {
            sum += (text[i] - '0') * (10 - i);
        }

        // 11 means a check digit of 0; 10 means no number with these nine digits was ever issued.
        var check = 11 - (sum % 11);
        if (check == 11)
        {
            check = 0;
        }

        return check != 10 && check == text[9] - '0' ? NhsNumberCheck.Valid : NhsNumberCheck.WrongCheckDigit;
    }

    /// <summary>
    /// The shape of a UK postcode: an outward code (letter first, 2 to 4 letters and digits), an
    /// optional single space, and an inward code (digit, letter, letter). Any case.
    /// </summary>
    public static bool LooksLikeUkPostcode(ReadOnlySpan<char> text)
    {
        if (text.Length < 5)
        {
            return false;
        }

        var inward = text[^3..];
        var outward = text[..^3];
        if (outward[^1] == ' ')
        {
            outward = outward[..^1];
        }

        return outward.Length is >= 2 and <= 4
            && char.IsAsciiLetter(outward[0])
            && !outward.ContainsAnyExcept(AsciiLettersAndDigits)
            && char.IsAsciiDigit(inward[0]) && char.IsAsciiLetter(inward[1]) && char.IsAsciiLetter(inward[2]);
    }

    /// <summary>
    /// CloudEvents attribute names are lower-case ASCII letters and digits. (The spec advises at
    /// most 20 characters; that is advice, so longer names pass.)
    /// </summary>
    public static bool IsExtensionAttributeName(ReadOnlySpan<char> name) =>
        !name.IsEmpty && !name.ContainsAnyExcept(LowerCaseLettersAndDigits);

    /// <summary>
    /// A plausible URI reference: printable ASCII with no spaces. Full RFC 3986 parsing would cost
    /// more than it catches; what matters is that source is a stable, printable key.
    /// </summary>
    public static bool IsUriReference(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('!', '~');

    /// <summary><c>application/json</c>, in any case, optionally with parameters such as a charset.</summary>
    public static bool IsJsonMediaType(ReadOnlySpan<char> text)
    {
        var semicolon = text.IndexOf(';');
        var mediaType = (semicolon < 0 ? text : text[..semicolon]).Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    private static bool TryDigits(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
