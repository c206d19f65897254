using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using YoungCarers.Domain.Contract.Stored;

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

    private static readonly StoredFields Fields = new("person", [.. Names.Select(name => name.Value)]);

    public override PersonRef Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadPerson(ref reader);

    /// <summary>Reads the person the reader is on (its start), leaving the reader on its end.</summary>
    internal static PersonRef ReadPerson(ref Utf8JsonReader reader)
    {
        string? system = null, id = null, nhsNumber = null, givenName = null, familyName = null, postcode = null;
        DateOnly? birthDate = null;
        var present = Fields.Start(ref reader);
        while (Fields.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: system = Fields.Text(ref reader, field); break;
                case 1: id = Fields.Text(ref reader, field); break;
                case 2: nhsNumber = Fields.OptionalText(ref reader, field); break;
                case 3: givenName = Fields.OptionalText(ref reader, field); break;
                case 4: familyName = Fields.OptionalText(ref reader, field); break;
                case 5: birthDate = Fields.OptionalDate(ref reader, field); break;
                default: postcode = Fields.OptionalText(ref reader, field); break;
            }
        }

        Fields.End(present);
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
