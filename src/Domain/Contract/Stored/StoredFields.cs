using System.Globalization;
using System.Text.Json;
using YoungCarers.Domain.Contract.Reading;

namespace YoungCarers.Domain.Contract.Stored;

/// <summary>
/// The fields of one stored JSON object, read in whatever order they come, as strictly as the
/// generated serializer's metadata reads them (and stricter where the service never writes
/// otherwise): every field present once, no other field, no null where the model has none.
/// </summary>
internal sealed class StoredFields
{
    private readonly string _owner;
    private readonly string[] _names;
    private readonly JsonEncodedText[] _encoded;

    /// <param name="owner">What the object is, for messages: "adult.case.closed.v1 event", "person".</param>
    /// <param name="names">The fields as stored (the records' camelCase names), at most 31.</param>
    public StoredFields(string owner, params string[] names)
    {
        _owner = owner;
        _names = names;
        _encoded = [.. names.Select(name => JsonEncodedText.Encode(name))];
    }

    /// <summary>Checks that the reader is on the object's start; returns the (empty) set of fields seen.</summary>
    public int Start(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.StartObject
        ? 0
        : throw new JsonException($"A stored {_owner} must be a JSON object (got {reader.TokenType}).");

    /// <summary>Moves onto the next field's value, or returns false at the object's end.</summary>
    public bool Next(ref Utf8JsonReader reader, ref int present, out int field)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.EndObject)
        {
            field = -1;
            return false;
        }

        field = IndexOf(ref reader);
        if ((present & (1 << field)) != 0)
        {
            throw new JsonException($"A stored {_owner} has '{_names[field]}' twice.");
        }

        present |= 1 << field;
        reader.Read();
        return true;
    }

    /// <summary>Checks that every field was present.</summary>
    public void End(int present)
    {
        if (present != (1 << _names.Length) - 1)
        {
            throw Missing(present);
        }
    }

    // Apart from End: a lambda capturing a parameter makes its method allocate a closure on every call.
    private JsonException Missing(int present)
    {
        var missing = _names.Where((_, field) => (present & (1 << field)) == 0);
        return new JsonException($"A stored {_owner} lacks {string.Join(", ", missing)}.");
    }

    public string Text(ref Utf8JsonReader reader, int field) =>
        OptionalText(ref reader, field) ?? throw Null(field);

    public string? OptionalText(ref Utf8JsonReader reader, int field) => reader.TokenType switch
    {
        JsonTokenType.String => reader.GetString(),
        JsonTokenType.Null => null,
        _ => throw Wrong(ref reader, field, "a string"),
    };

    public DateOnly Date(ref Utf8JsonReader reader, int field) =>
        OptionalDate(ref reader, field) ?? throw Null(field);

    public DateOnly? OptionalDate(ref Utf8JsonReader reader, int field)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw Wrong(ref reader, field, "a yyyy-mm-dd date");
        }

        // Written as yyyy-mm-dd, unescaped: read in place. Anything else goes through the parser, which says what is wrong.
        var text = reader.ValueSpan;
        if (!reader.ValueIsEscaped && text.Length == 10 && text[4] == '-' && text[7] == '-'
            && TryDigits(text[..4], out var year) && TryDigits(text[5..7], out var month) && TryDigits(text[8..], out var day)
            && year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month))
        {
            return new DateOnly(year, month, day);
        }

        return DateOnly.TryParseExact(reader.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date
            : throw new JsonException($"A stored {_owner}'s '{_names[field]}' is not a yyyy-mm-dd date: '{reader.GetString()}'.");
    }

    public bool Bool(ref Utf8JsonReader reader, int field) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        JsonTokenType.Null => throw Null(field),
        _ => throw Wrong(ref reader, field, "true or false"),
    };

    public decimal? OptionalDecimal(ref Utf8JsonReader reader, int field) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.Number when reader.TryGetDecimal(out var value) => value,
        _ => throw Wrong(ref reader, field, "a decimal number"),
    };

    public TEnum Enum<TEnum>(ref Utf8JsonReader reader, int field)
        where TEnum : struct, Enum
    {
        if (reader.TokenType == JsonTokenType.String && SpecEnum<TEnum>.TryRead(ref reader, out var value))
        {
            return value;
        }

        throw reader.TokenType == JsonTokenType.Null ? Null(field) : Wrong(ref reader, field, $"one of {SpecEnum<TEnum>.Allowed}");
    }

    public PersonRef Person(ref Utf8JsonReader reader, int field) => reader.TokenType == JsonTokenType.Null
        ? throw Null(field)
        : StoredPersonRefConverter.ReadPerson(ref reader);

    public IReadOnlyList<string> Texts(ref Utf8JsonReader reader, int field)
    {
        var items = StartList<string>(ref reader, field);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(reader.TokenType == JsonTokenType.String ? reader.GetString()! : throw Wrong(ref reader, field, "a list of strings"));
        }

        return new ValueList<string>([.. items]);
    }

    public IReadOnlyList<PersonRef> Persons(ref Utf8JsonReader reader, int field) =>
        Objects(ref reader, field, StoredPersonRefConverter.ReadPerson);

    /// <summary>A list of objects, each read by <paramref name="read"/>.</summary>
    public IReadOnlyList<T> Objects<T>(ref Utf8JsonReader reader, int field, StoredReader<T> read)
    {
        var items = StartList<T>(ref reader, field);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            items.Add(reader.TokenType == JsonTokenType.Null ? throw Null(field) : read(ref reader));
        }

        return new ValueList<T>([.. items]);
    }

    private List<T> StartList<T>(ref Utf8JsonReader reader, int field) => reader.TokenType switch
    {
        JsonTokenType.StartArray => [],
        JsonTokenType.Null => throw Null(field),
        _ => throw Wrong(ref reader, field, "a list"),
    };

    private JsonException Null(int field) => new($"A stored {_owner}'s '{_names[field]}' cannot be null.");

    private JsonException Wrong(ref Utf8JsonReader reader, int field, string expected) =>
        new($"A stored {_owner}'s '{_names[field]}' must be {expected} (got {reader.TokenType}).");

    private int IndexOf(ref Utf8JsonReader reader)
    {
        for (var field = 0; field < _encoded.Length; field++)
        {
            if (reader.ValueTextEquals(_encoded[field].EncodedUtf8Bytes))
            {
                return field;
            }
        }

        throw new JsonException($"A stored {_owner} has a field it does not have: '{reader.GetString()}'.");
    }

    private static bool TryDigits(ReadOnlySpan<byte> digits, out int value)
    {
        value = 0;
        foreach (var digit in digits)
        {
            if (digit is < (byte)'0' or > (byte)'9')
            {
                return false;
            }

            value = (value * 10) + (digit - '0');
        }

        return true;
    }
}

/// <summary>Reads one stored value; the reader is on its first token, and is left on its last.</summary>
internal delegate T StoredReader<out T>(ref Utf8JsonReader reader);
