using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace YoungCarers.Domain.Contract;

/// <summary>
/// A stored <see cref="PersonRef"/>, read and written by hand. Every stored event names at least one
/// person, and System.Text.Json's path for a record built through its constructor costs, for each
/// one, a frame of its read stack and boxed arguments; a rebuild reads a million of them. This reads
/// and writes exactly the JSON the generated code did, as strictly: every field present once, no
/// other field, no null where the model has none, dates as yyyy-mm-dd.
/// </summary>
internal sealed class StoredPersonRefConverter : JsonConverter<PersonRef>
{
    private const int AllFields = (1 << 7) - 1;

    private static readonly JsonEncodedText[] Names =
    [
        JsonEncodedText.Encode("system"),
        JsonEncodedText.Encode("id"),
        JsonEncodedText.Encode("nhsNumber"),
        JsonEncodedText.Encode("givenName"),
        JsonEncodedText.Encode("familyName"),
        JsonEncodedText.Encode("birthDate"),
        JsonEncodedText.Encode("postcode"),
    ];

    public override PersonRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A stored person must be a JSON object.");
        }

        string? system = null, id = null, nhsNumber = null, givenName = null, familyName = null, postcode = null;
        DateOnly? birthDate = null;
        var present = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var field = FieldOf(ref reader);
            if ((present & (1 << field)) != 0)
            {
                throw new JsonException($"A stored person has '{Names[field]}' twice.");
            }

            present |= 1 << field;
            reader.Read();
            if (reader.TokenType == JsonTokenType.Null)
            {
                if (field is 0 or 1)
                {
                    throw new JsonException($"A stored person's '{Names[field]}' cannot be null.");
                }

                continue;
            }

            if (reader.TokenType != JsonTokenType.String)
            {
                throw new JsonException($"A stored person's '{Names[field]}' must be a string.");
            }

            switch (field)
            {
                case 0: system = reader.GetString(); break;
                case 1: id = reader.GetString(); break;
                case 2: nhsNumber = reader.GetString(); break;
                case 3: givenName = reader.GetString(); break;
                case 4: familyName = reader.GetString(); break;
                case 5: birthDate = DateOf(ref reader); break;
                default: postcode = reader.GetString(); break;
            }
        }

        if (present != AllFields)
        {
            var missing = Enumerable.Range(0, Names.Length).Where(field => (present & (1 << field)) == 0).Select(field => Names[field].Value);
            throw new JsonException($"A stored person lacks {string.Join(", ", missing)}.");
        }

        return new PersonRef(system!, id!, nhsNumber, givenName, familyName, birthDate, postcode);
    }

    public override void Write(Utf8JsonWriter writer, PersonRef value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(value);
        writer.WriteStartObject();
        writer.WriteString(Names[0], value.System);
        writer.WriteString(Names[1], value.Id);
        WriteNullable(writer, Names[2], value.NhsNumber);
        WriteNullable(writer, Names[3], value.GivenName);
        WriteNullable(writer, Names[4], value.FamilyName);
        WriteNullable(writer, Names[5], value.BirthDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        WriteNullable(writer, Names[6], value.Postcode);
        writer.WriteEndObject();
    }

    private static int FieldOf(ref Utf8JsonReader reader)
    {
        for (var field = 0; field < Names.Length; field++)
        {
            if (reader.ValueTextEquals(Names[field].EncodedUtf8Bytes))
            {
                return field;
            }
        }

        throw new JsonException($"A stored person has a field no person has: '{reader.GetString()}'.");
    }

    private static DateOnly DateOf(ref Utf8JsonReader reader)
    {
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
            : throw new JsonException($"A stored person's birthDate is not a yyyy-mm-dd date: '{reader.GetString()}'.");
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

    private static void WriteNullable(Utf8JsonWriter writer, JsonEncodedText name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
