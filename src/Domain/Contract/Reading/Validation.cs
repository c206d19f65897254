using System.Globalization;
using System.Text.Json;

namespace YoungCarers.Domain.Contract.Reading;

/// <summary>Reads one JSON value at a place in the event, reporting what is wrong with it.</summary>
internal delegate T ValueReader<out T>(Validation validation, JsonElement value, FieldPath at);

/// <summary>Which bound a date answers to.</summary>
internal enum DateKind
{
    /// <summary>Something that has happened, or a birth: not after the event's date nor today (with tolerance).</summary>
    Past,

    /// <summary>Something scheduled, such as a review due: may be ahead, within <see cref="InboundLimits.MaxYearsAhead"/>.</summary>
    Scheduled,
}

/// <summary>
/// The errors found in one event, and the checks of single JSON values. Every error is collected,
/// not just the first, so a quarantined event lists all that needs fixing. Messages never repeat
/// the offending value: it may be personal data, and the quarantined event holds it anyway.
/// </summary>
internal sealed class Validation
{
    private readonly DateTimeOffset _now;
    private readonly DateOnly _today;
    private List<ValidationError>? _errors;
    private DateOnly _eventDate;

    public Validation(DateTimeOffset now)
    {
        _now = now;
        _today = DateOnly.FromDateTime(now.UtcDateTime);
        _eventDate = _today;
    }

    public bool HasErrors => _errors is not null;

    public IReadOnlyList<ValidationError> Errors => _errors is null ? [] : [.. _errors];

    public static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    public void Add(string field, string rule, string message) => (_errors ??= []).Add(new ValidationError(field, rule, message));

    public void Add(FieldPath at, string rule, string message) => Add(at.ToString(), rule, message);

    /// <summary>From here on, payload dates are also judged against the event's own date (in its own offset).</summary>
    public void UseEventTime(DateTimeOffset time) => _eventDate = DateOnly.FromDateTime(time.DateTime);

    public string? String(JsonElement value, FieldPath at, int maxLength)
    {
        if (!IsKind(value, JsonValueKind.String, at, "a string"))
        {
            return null;
        }

        var text = value.GetString()!;
        if (string.IsNullOrWhiteSpace(text))
        {
            Add(at, ValidationRules.Empty, "Must not be empty or blank; leave an optional field out instead.");
            return null;
        }

        if (text.Length > maxLength)
        {
            Add(at, ValidationRules.TooLong, $"Must be at most {maxLength} characters (got {text.Length}).");
            return null;
        }

        return text;
    }

    public bool? Bool(JsonElement value, FieldPath at)
    {
        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        AddWrongType(value, at, "true or false");
        return null;
    }

    public TEnum? Enum<TEnum>(JsonElement value, FieldPath at)
        where TEnum : struct, Enum
    {
        if (!IsKind(value, JsonValueKind.String, at, "a string"))
        {
            return null;
        }

        if (SpecEnum<TEnum>.TryRead(value, out var result))
        {
            return result;
        }

        Add(at, ValidationRules.InvalidEnum, $"Must be one of {SpecEnum<TEnum>.Allowed}, exactly.");
        return null;
    }

    public decimal? Number(JsonElement value, FieldPath at, decimal min, decimal max)
    {
        if (!IsKind(value, JsonValueKind.Number, at, "a number"))
        {
            return null;
        }

        if (!value.TryGetDecimal(out var number) || number < min || number > max)
        {
            Add(at, ValidationRules.OutOfRange, string.Create(CultureInfo.InvariantCulture, $"Must be from {min} to {max}."));
            return null;
        }

        return number;
    }

    public DateOnly? Date(JsonElement value, FieldPath at, DateKind kind)
    {
        if (!IsKind(value, JsonValueKind.String, at, "a date string (yyyy-mm-dd)"))
        {
            return null;
        }

        switch (Formats.ParseDate(value.GetString(), out var date))
        {
            case Parsed.Malformed:
                Add(at, ValidationRules.InvalidDate, "Must be a date written yyyy-mm-dd.");
                return null;
            case Parsed.Impossible:
                Add(at, ValidationRules.ImpossibleDate, "Not a calendar date.");
                return null;
        }

        if (date < InboundLimits.EarliestDate)
        {
            Add(at, ValidationRules.TooEarly, $"Must not be before {Iso(InboundLimits.EarliestDate)}.");
            return null;
        }

        if (kind == DateKind.Past)
        {
            var latest = (_eventDate < _today ? _eventDate : _today).AddDays(InboundLimits.FutureToleranceDays);
            if (date > latest)
            {
                Add(at, ValidationRules.FutureDate, $"Must not be after {Iso(latest)}: the event's date or today, whichever is earlier, plus a day's tolerance.");
                return null;
            }
        }
        else
        {
            var latest = _eventDate.AddYears(InboundLimits.MaxYearsAhead);
            if (date > latest)
            {
                Add(at, ValidationRules.TooLate, $"Must not be after {Iso(latest)}, {InboundLimits.MaxYearsAhead} years after the event.");
                return null;
            }
        }

        return date;
    }

    /// <summary>The envelope's <c>time</c>: RFC 3339, and not more than the tolerance after now.</summary>
    public DateTimeOffset? Timestamp(JsonElement value, FieldPath at)
    {
        if (!IsKind(value, JsonValueKind.String, at, "an RFC 3339 date-time string"))
        {
            return null;
        }

        switch (Formats.ParseTimestamp(value.GetString(), out var time))
        {
            case Parsed.Malformed:
                Add(at, ValidationRules.InvalidTime, "Must be an RFC 3339 date-time with seconds and a UTC offset, e.g. 2025-03-01T09:30:00Z.");
                return null;
            case Parsed.Impossible:
                Add(at, ValidationRules.ImpossibleDate, "Not a real date and time.");
                return null;
        }

        if (time.UtcDateTime < InboundLimits.EarliestDate.ToDateTime(TimeOnly.MinValue))
        {
            Add(at, ValidationRules.TooEarly, $"Must not be before {Iso(InboundLimits.EarliestDate)}.");
            return null;
        }

        var latest = _now.AddDays(InboundLimits.FutureToleranceDays);
        if (time > latest)
        {
            Add(at, ValidationRules.FutureDate, $"Must not be after {latest.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}: the time of receipt plus a day's tolerance.");
            return null;
        }

        return time;
    }

    public string? NhsNumber(JsonElement value, FieldPath at)
    {
        if (!IsKind(value, JsonValueKind.String, at, "a string of 10 digits"))
        {
            return null;
        }

        var text = value.GetString()!;
        switch (Formats.CheckNhsNumber(text))
        {
            case NhsNumberCheck.NotTenDigits:
                Add(at, ValidationRules.NhsNumberFormat, "Must be exactly 10 digits, with no spaces.");
                return null;
            case NhsNumberCheck.WrongCheckDigit:
                Add(at, ValidationRules.NhsNumberChecksum, "The check digit (modulus 11) does not match: the number is mistyped.");
                return null;
        }

        return text;
    }

    public string? Postcode(JsonElement value, FieldPath at)
    {
        var text = String(value, at, InboundLimits.MaxPostcodeLength);
        if (text is not null && !Formats.LooksLikeUkPostcode(text))
        {
            Add(at, ValidationRules.InvalidPostcode, "Must be a UK postcode, e.g. EN5 1AB.");
            return null;
        }

        return text;
    }

    /// <summary>An array whose items <paramref name="readItem"/> reads, each at its own index.</summary>
    public IReadOnlyList<T>? List<T>(JsonElement value, FieldPath at, ValueReader<T> readItem, int minItems)
    {
        if (!IsKind(value, JsonValueKind.Array, at, "an array"))
        {
            return null;
        }

        var count = value.GetArrayLength();
        if (count > InboundLimits.MaxArrayItems)
        {
            // The items are not read: hundreds of item errors would bury this one.
            Add(at, ValidationRules.TooManyItems, $"Must have at most {InboundLimits.MaxArrayItems} items (got {count}).");
            return null;
        }

        if (count < minItems)
        {
            Add(at, ValidationRules.TooFewItems, $"Must have at least {minItems} item{(minItems == 1 ? "" : "s")}.");
            return null;
        }

        var items = new T[count];
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            items[index] = readItem(this, item, at.Item(index));
            index++;
        }

        return new ValueList<T>(items);
    }

    private static string Iso(DateOnly date) => date.ToString("O", CultureInfo.InvariantCulture);

    private bool IsKind(JsonElement value, JsonValueKind kind, FieldPath at, string expected)
    {
        if (value.ValueKind == kind)
        {
            return true;
        }

        AddWrongType(value, at, expected);
        return false;
    }

    private void AddWrongType(JsonElement value, FieldPath at, string expected) =>
        Add(at, ValidationRules.WrongType, $"Must be {expected} (got {Describe(value.ValueKind)}).");
}
