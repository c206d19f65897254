using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using YoungCarers.Domain.Contract.Reading;

namespace YoungCarers.Domain.Contract;

/// <summary>
/// Turns one inbound CloudEvent (structured-mode JSON) into an event of the current version, or
/// into a rejection listing every problem found. It is strict and never guesses: a rejected event
/// is quarantined and can be corrected and re-submitted, while a wrongly accepted one corrupts a
/// family's history for good.
/// </summary>
public static class InboundEventParser
{
    private const string NotUtf8Message = "Not valid JSON: not UTF-8 text.";

    private const string UnpairedSurrogateMessage = "Not valid JSON: a \\u escape encodes half of a surrogate pair.";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = InboundLimits.MaxJsonDepth };

    private static readonly string TooDeepMessage = $"Nested more than {InboundLimits.MaxJsonDepth} levels deep.";

    /// <summary>Parses one envelope from UTF-8 JSON (a Kafka record value, an HTTP body).</summary>
    /// <param name="now">The time of receipt: nothing may be dated more than a day after it.</param>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8Json, DateTimeOffset now)
    {
        if (utf8Json.Length > InboundLimits.MaxEventBytes)
        {
            return Rejected(null, ValidationRules.TooLarge, TooLargeMessage(utf8Json.Length));
        }

        // The JSON reader checks UTF-8 only when a string is read; checking it all first keeps that from throwing later.
        if (!Utf8.IsValid(utf8Json))
        {
            return Rejected(null, ValidationRules.MalformedJson, NotUtf8Message);
        }

        // A JsonDocument reads its memory for as long as it lives, which a span cannot promise; a pooled copy spares an allocation per event.
        var buffer = ArrayPool<byte>.Shared.Rent(utf8Json.Length);
        try
        {
            utf8Json.CopyTo(buffer);
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(buffer.AsMemory(0, utf8Json.Length), DocumentOptions);
            }
            catch (JsonException exception)
            {
                return Unparsable(utf8Json, exception);
            }

            using (document)
            {
                return HasUnpairedSurrogateEscape(utf8Json)
                    ? Rejected(document.RootElement, ValidationRules.MalformedJson, UnpairedSurrogateMessage)
                    : ParseEnvelope(document.RootElement, now);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Parses one envelope that is already part of a JSON document, such as an item of an HTTP
    /// batch array (parse the batch with a MaxDepth of at least <see cref="InboundLimits.MaxJsonDepth"/> + 1).
    /// The size and depth caps apply to the item itself.
    /// </summary>
    /// <param name="now">The time of receipt: nothing may be dated more than a day after it.</param>
    public static ParseResult Parse(JsonElement envelope, DateTimeOffset now)
    {
        var raw = JsonMarshal.GetRawUtf8Value(envelope);
        if (raw.Length > InboundLimits.MaxEventBytes)
        {
            return Rejected(envelope, ValidationRules.TooLarge, TooLargeMessage(raw.Length));
        }

        if (ExceedsMaxDepth(raw))
        {
            return Rejected(envelope, ValidationRules.TooDeep, TooDeepMessage);
        }

        if (!Utf8.IsValid(raw))
        {
            return Rejected(envelope, ValidationRules.MalformedJson, NotUtf8Message);
        }

        if (HasUnpairedSurrogateEscape(raw))
        {
            return Rejected(envelope, ValidationRules.MalformedJson, UnpairedSurrogateMessage);
        }

        return ParseEnvelope(envelope, now);
    }

    private static ParseResult ParseEnvelope(JsonElement root, DateTimeOffset now)
    {
        var validation = new Validation(now);
        var o = new FieldReader(validation, root, path: "");

        var specVersion = o.Id("specversion");
        if (specVersion.Length > 0 && specVersion != "1.0")
        {
            validation.Add(o.At("specversion"), ValidationRules.SpecVersion, "Must be \"1.0\": this service reads CloudEvents 1.0.");
        }

        var id = o.Id("id");
        var source = o.String("source", InboundLimits.MaxAttributeLength);
        if (source.Length > 0 && !Formats.IsUriReference(source))
        {
            validation.Add(o.At("source"), ValidationRules.InvalidUri, "Must be a URI reference without spaces, e.g. urn:la:barnet:adult-social-care:las.");
        }

        var type = o.Id("type");
        var eventType = type.Length > 0 ? EventCatalogue.FindInbound(type) : null;
        if (type.Length > 0 && eventType is null)
        {
            validation.Add(o.At("type"), ValidationRules.UnknownType, UnknownTypeMessage(type));
        }

        // Read before data: payload dates are judged against the event's own time.
        var time = o.Timestamp("time");
        if (time is { } eventTime)
        {
            validation.UseEventTime(eventTime);
        }

        var subject = o.OptionalString("subject", InboundLimits.MaxAttributeLength);
        var dataContentType = o.OptionalId("datacontenttype");
        if (dataContentType is not null && !Formats.IsJsonMediaType(dataContentType))
        {
            validation.Add(o.At("datacontenttype"), ValidationRules.InvalidContentType, "Must be application/json (or left out).");
        }

        var hasData = o.TryGetRequired("data", out var data);
        o.RejectUnknownFieldsExceptExtensionAttributes();

        var inbound = hasData ? eventType?.Read(validation, data) : null;
        if (validation.HasErrors || inbound is null || eventType is null || time is null)
        {
            return Rejected(root, validation.Errors);
        }

        var storedAs = eventType.StoredAs;
        return new ParsedEvent(
            new CloudEventEnvelope(specVersion, id, source, type, time.Value, subject, dataContentType),
            inbound,
            storedAs.Name,
            storedAs.Serialize(inbound));
    }

    /// <summary>Names the accepted versions of the same type, since a wrong version is the likeliest mistake.</summary>
    private static string UnknownTypeMessage(string type)
    {
        var versionAt = type.LastIndexOf(".v", StringComparison.Ordinal);
        var family = (versionAt < 0 ? type : type[..versionAt]) + ".v";
        var versions = EventCatalogue.AcceptedTypes.Where(accepted => accepted.StartsWith(family, StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        return versions.Count == 0
            ? "Not an event type in the catalogue."
            : $"Not an event type in the catalogue; accepted versions: {string.Join(", ", versions)}.";
    }

    /// <summary>Tells a document that broke the depth cap from one that is not JSON at all, by reading it again uncapped.</summary>
    private static RejectedEvent Unparsable(ReadOnlySpan<byte> utf8Json, JsonException exception)
    {
        // No document is deeper than it has bytes, and this one is within the size cap.
        var uncapped = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = InboundLimits.MaxEventBytes });
        try
        {
            while (uncapped.Read())
            {
            }
        }
        catch (JsonException)
        {
            // Where, not the reader's message: that quotes the text at fault, which may be a name or a number.
            return Rejected(null, ValidationRules.MalformedJson, exception.LineNumber is { } line && exception.BytePositionInLine is { } position
                ? string.Create(CultureInfo.InvariantCulture, $"Not valid JSON: it breaks at line {line + 1}, byte {position + 1} of that line.")
                : "Not valid JSON.");
        }

        return Rejected(null, ValidationRules.TooDeep, TooDeepMessage);
    }

    private static bool ExceedsMaxDepth(ReadOnlySpan<byte> validJson)
    {
        // Comments can only be here if the caller's document allowed them; they are not the question.
        var reader = new Utf8JsonReader(validJson, new JsonReaderOptions { MaxDepth = InboundLimits.MaxJsonDepth, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
            }

            return false;
        }
        catch (JsonException)
        {
            return true;
        }
    }

    /// <summary>
    /// A \u escape of half a surrogate pair passes the JSON reader but cannot become a .NET string,
    /// so it is looked for before any string is read. Surrogate escapes all begin \ud or \uD; text
    /// without one is settled by a vectorised search.
    /// </summary>
    private static bool HasUnpairedSurrogateEscape(ReadOnlySpan<byte> validJson)
    {
        if (validJson.IndexOf("\\ud"u8) < 0 && validJson.IndexOf("\\uD"u8) < 0)
        {
            return false;
        }

        var reader = new Utf8JsonReader(validJson, new JsonReaderOptions { MaxDepth = InboundLimits.MaxJsonDepth, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    reader.GetString();
                }
            }

            return false;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    private static string TooLargeMessage(int bytes) => $"Is {bytes} bytes; the limit is {InboundLimits.MaxEventBytes}.";

    private static RejectedEvent Rejected(JsonElement? root, string rule, string message) =>
        Rejected(root, [new ValidationError(FieldPath.Root, rule, message)]);

    /// <summary>A rejection that still names the event, as far as its envelope can be read, so the quarantine can show it.</summary>
    private static RejectedEvent Rejected(JsonElement? root, IReadOnlyList<ValidationError> errors) =>
        new(EnvelopeString(root, "source"), EnvelopeString(root, "id"), EnvelopeString(root, "type"), errors);

    private static string? EnvelopeString(JsonElement? root, string name)
    {
        if (root is not { ValueKind: JsonValueKind.Object } envelope
            || !envelope.TryGetProperty(name, out var value)
            || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // Not UTF-8, or half a surrogate pair: the very thing the event is rejected for.
            return null;
        }
    }
}
