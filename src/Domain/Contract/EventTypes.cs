using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using YoungCarers.Domain.Contract.Reading;
using YoungCarers.Domain.Contract.Stored;

namespace YoungCarers.Domain.Contract;

/// <summary>A type as stored: its catalogue name, its record, and its canonical JSON.</summary>
internal abstract class StoredEventType(string name, Type clrType)
{
    public string Name { get; } = name;

    public Type ClrType { get; } = clrType;

    public abstract string Serialize(IInboundEvent e);

    public abstract IInboundEvent Deserialize(ReadOnlySpan<byte> utf8Json);
}

/// <param name="typeInfo">Writes the record's JSON (generated at compile time).</param>
/// <param name="read">Reads it back, by hand (see <see cref="StoredEventReaders"/>).</param>
internal sealed class StoredEventType<TEvent>(string name, JsonTypeInfo<TEvent> typeInfo, StoredReader<TEvent> read) : StoredEventType(name, typeof(TEvent))
    where TEvent : class, IInboundEvent
{
    public override string Serialize(IInboundEvent e) => JsonSerializer.Serialize((TEvent)e, typeInfo);

    public override IInboundEvent Deserialize(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json);
        if (!reader.Read() || reader.TokenType == JsonTokenType.Null)
        {
            throw new JsonException($"The stored {Name} event is empty or JSON null.");
        }

        var e = read(ref reader);
        return reader.Read() ? throw new JsonException($"The stored {Name} event has more JSON after its end.") : e;
    }
}

/// <summary>A type name upstream systems may publish, how its payload is read, and what it is stored as.</summary>
/// <param name="read">Reads the <c>data</c> member into the stored (current) record, reporting problems to the validation.</param>
internal sealed class InboundEventType(string name, StoredEventType storedAs, Func<Validation, JsonElement, IInboundEvent> read)
{
    public string Name { get; } = name;

    public StoredEventType StoredAs { get; } = storedAs;

    public IInboundEvent Read(Validation validation, JsonElement data) => read(validation, data);
}
