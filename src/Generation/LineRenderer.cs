using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using static YoungCarers.Generation.Catalogue;

namespace YoungCarers.Generation;

/// <summary>
/// Writes a planned line as one CloudEvents envelope in UTF-8, applying its defect on the way. One
/// renderer reuses one buffer and one writer for every line, which keeps generation fast.
/// </summary>
internal sealed class LineRenderer : IDisposable
{
    private static readonly JsonEncodedText SpecVersion = JsonEncodedText.Encode("1.0");
    private static readonly JsonEncodedText ApplicationJson = JsonEncodedText.Encode("application/json");

    // Names keep their accents as UTF-8 rather than \u escapes, as case systems send them; NDJSON is never HTML.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _writer;
    private Defect _defect;
    private bool _nhsNumberBroken;

    public LineRenderer() => _writer = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>The line's UTF-8 bytes (no newline), valid until the next call.</summary>
    public ReadOnlyMemory<byte> Render(PlannedLine line)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _defect = line.Defect;
        _nhsNumberBroken = false;
        WriteEnvelope(line.Event);
        _writer.Flush();

        var written = _buffer.WrittenMemory;
        if (_defect.Kind != LineDefect.TruncatedJson)
        {
            return written;
        }

        // Cut between characters, not inside one: the line stays UTF-8, only the JSON is broken.
        var span = written.Span;
        var cut = Math.Max(1, span.Length * _defect.Variant / 1000);
        while (cut > 1 && (span[cut] & 0xC0) == 0x80)
        {
            cut--;
        }

        return written[..cut];
    }

    /// <summary>The <c>type</c> the line carries.</summary>
    public static string TypeOf(PlannedLine line) =>
        line.Defect.Kind == LineDefect.UnknownType ? line.Defect.Text! : line.Event.Payload.Type;

    public void Dispose() => _writer.Dispose();

    private void WriteEnvelope(SyntheticEvent e)
    {
        var w = _writer;
        w.WriteStartObject();
        w.WriteString(Names.SpecVersion, SpecVersion);
        if (!IsMissing(Defect.EnvelopeId))
        {
            Span<byte> id = stackalloc byte[36];
            e.Id.TryFormat(id, out var length, "D");
            w.WriteString(Names.Id, id[..length]);
        }

        if (!IsMissing(Defect.EnvelopeSource))
        {
            w.WriteString(Names.Source, e.Source);
        }

        w.WriteString(Names.Type, _defect.Kind == LineDefect.UnknownType ? _defect.Text : e.Payload.Type);
        if (!IsMissing(Defect.EnvelopeTime))
        {
            Span<byte> time = stackalloc byte[20];
            IsoText.WriteTimestamp(time, e.Time);
            w.WriteString(Names.Time, time);
        }

        if (e.HasSubject)
        {
            w.WriteString(Names.Subject, e.Payload.Subject.Subject);
        }

        w.WriteString(Names.DataContentType, ApplicationJson);
        w.WriteStartObject(Names.Data);
        var fields = e.Payload.Fields;
        for (var i = 0; i < fields.Length; i++)
        {
            if (IsMissing(i))
            {
                continue;
            }

            w.WritePropertyName(fields[i].Name);
            if (i == _defect.Target && _defect.Kind is LineDefect.ImpossibleDate or LineDefect.BadEnumValue)
            {
                w.WriteStringValue(_defect.Text);
            }
            else
            {
                WriteValue(fields[i].Value);
            }
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private bool IsMissing(int target) => _defect.Kind == LineDefect.MissingRequiredField && _defect.Target == target;

    private void WriteValue(FieldValue value)
    {
        var w = _writer;
        switch (value)
        {
            case TextValue text:
                w.WriteStringValue(text.Text);
                break;
            case EnumValue code:
                w.WriteStringValue(code.Text);
                break;
            case DateValue date:
                WriteDateValue(date.Date);
                break;
            case BoolValue flag:
                w.WriteBooleanValue(flag.Flag);
                break;
            case PersonValue person:
                WritePerson(person.Person);
                break;
            case PeopleValue people:
                w.WriteStartArray();
                foreach (var person in people.People)
                {
                    WritePerson(person);
                }

                w.WriteEndArray();
                break;
            case HouseholdValue household:
                w.WriteStartArray();
                foreach (var child in household.Children)
                {
                    WriteHouseholdChild(child);
                }

                w.WriteEndArray();
                break;
            case StringsValue strings:
                WriteStrings(strings.Items);
                break;
            case LeadValue lead:
                w.WriteStartObject();
                w.WriteString(Names.Name, lead.Lead.Name);
                w.WriteString(Names.Team, lead.Lead.Team);
                w.WriteString(Names.Service, lead.Lead.Service);
                w.WriteEndObject();
                break;
            default:
                throw new InvalidOperationException($"No way to write a {value.GetType().Name}.");
        }
    }

    private void WritePerson(PersonRef person)
    {
        var w = _writer;
        w.WriteStartObject();
        w.WriteString(Names.System, person.System);
        w.WriteString(Names.Id, person.Id);
        if (person.NhsNumber is { } nhsNumber)
        {
            if (_defect.Kind == LineDefect.BadNhsNumber && !_nhsNumberBroken)
            {
                // Any other last digit fails modulus 11: the check digit of nine digits is unique.
                Span<char> broken = stackalloc char[10];
                nhsNumber.CopyTo(broken);
                broken[9] = (char)('0' + ((nhsNumber[9] - '0' + _defect.Variant) % 10));
                w.WriteString(Names.NhsNumber, broken);
                _nhsNumberBroken = true;
            }
            else
            {
                w.WriteString(Names.NhsNumber, nhsNumber);
            }
        }

        w.WriteString(Names.GivenName, person.GivenName);
        w.WriteString(Names.FamilyName, person.FamilyName);
        if (person.BirthDate is { } birthDate)
        {
            w.WritePropertyName(Names.BirthDate);
            WriteDateValue(birthDate);
        }

        if (person.Postcode is { } postcode)
        {
            w.WriteString(Names.Postcode, postcode);
        }

        w.WriteEndObject();
    }

    private void WriteHouseholdChild(HouseholdChild child)
    {
        var w = _writer;
        w.WriteStartObject();
        w.WritePropertyName(Names.Child);
        WritePerson(child.Child);
        w.WriteString(Names.ProvidesCare, child.ProvidesCare);
        if (child.CaringTasks.Count > 0)
        {
            w.WritePropertyName(Names.CaringTasks);
            WriteStrings(child.CaringTasks);
        }

        if (child.HoursPerWeek is { } hours)
        {
            w.WriteNumber(Names.HoursPerWeek, hours);
        }

        w.WriteEndObject();
    }

    private void WriteStrings(IReadOnlyList<string> items)
    {
        var w = _writer;
        w.WriteStartArray();
        foreach (var item in items)
        {
            w.WriteStringValue(item);
        }

        w.WriteEndArray();
    }

    private void WriteDateValue(DateOnly date)
    {
        Span<byte> text = stackalloc byte[10];
        IsoText.WriteDate(text, date);
        _writer.WriteStringValue(text);
    }
}

/// <summary>ISO dates and RFC 3339 UTC times as UTF-8, written digit by digit: the hot path of every line.</summary>
internal static class IsoText
{
    /// <summary><c>yyyy-mm-dd</c> into 10 bytes.</summary>
    public static void WriteDate(Span<byte> destination, DateOnly date)
    {
        Digits(destination[..4], date.Year);
        destination[4] = (byte)'-';
        Digits(destination.Slice(5, 2), date.Month);
        destination[7] = (byte)'-';
        Digits(destination.Slice(8, 2), date.Day);
    }

    /// <summary><c>yyyy-mm-ddThh:mm:ssZ</c> into 20 bytes.</summary>
    public static void WriteTimestamp(Span<byte> destination, DateTime time)
    {
        WriteDate(destination, DateOnly.FromDateTime(time));
        destination[10] = (byte)'T';
        Digits(destination.Slice(11, 2), time.Hour);
        destination[13] = (byte)':';
        Digits(destination.Slice(14, 2), time.Minute);
        destination[16] = (byte)':';
        Digits(destination.Slice(17, 2), time.Second);
        destination[19] = (byte)'Z';
    }

    private static void Digits(Span<byte> destination, int value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }
}
