using System.Text;
using System.Text.Json;

namespace YoungCarers.Domain.Contract;

/// <summary>
/// Writes and reads events as stored: the catalogue type name (never a CLR name) and the record's
/// canonical JSON (camelCase SPEC field names, enums as SPEC strings, dates as yyyy-mm-dd).
/// </summary>
public static class StoredEventSerializer
{
    /// <exception cref="ArgumentException">The event's CLR type is not in the catalogue.</exception>
    public static (string Type, string Json) Serialize(IInboundEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var stored = EventCatalogue.FindStored(e.GetType())
            ?? throw new ArgumentException($"{e.GetType().Name} is not an event type in the catalogue.", nameof(e));
        return (stored.Name, stored.Serialize(e));
    }

    /// <exception cref="UnknownEventTypeException">The type is not in the catalogue; skipping it would silently lose history.</exception>
    /// <exception cref="JsonException">The JSON is not a complete event of that type.</exception>
    public static IInboundEvent Deserialize(string type, string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Deserialize(type, Encoding.UTF8.GetBytes(json));
    }

    /// <summary>As <see cref="Deserialize(string, string)"/>, from the JSON's UTF-8 bytes (as the store holds it).</summary>
    /// <exception cref="UnknownEventTypeException">The type is not in the catalogue.</exception>
    /// <exception cref="JsonException">The JSON is not a complete event of that type.</exception>
    public static IInboundEvent Deserialize(string type, ReadOnlySpan<byte> utf8Json)
    {
        ArgumentNullException.ThrowIfNull(type);
        var stored = EventCatalogue.FindStored(type) ?? throw new UnknownEventTypeException(type);
        return stored.Deserialize(utf8Json);
    }
}

/// <summary>A stored event's type is not in the catalogue (a newer writer, or a type removed while events of it remain).</summary>
public sealed class UnknownEventTypeException(string eventType)
    : Exception($"Stored event type '{eventType}' is not in the event catalogue; cannot read an event of it.")
{
    public string EventType { get; } = eventType;
}
