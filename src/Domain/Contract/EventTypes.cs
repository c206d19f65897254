using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using YoungCarers.Domain.Contract.Reading;

namespace YoungCarers.Domain.Contract;

/// <summary>A type as stored: its catalogue name, its record, and its canonical JSON.</summary>
internal abstract class StoredEventType(string name, Type clrType)
{
    public string Name { get; } = name;

    public Type ClrType { get; } = clrType;

    public abstract string Serialize(IInboundEvent e);

    public abstract IInboundEvent Deserialize(ReadOnlySpan<byte> utf8Json);
}

internal sealed class StoredEventType<TEvent>(string name, JsonTypeInfo<TEvent> typeInfo) : StoredEventType(name, typeof(TEvent))
    where TEvent : class, IInboundEvent
{
    public override string Serialize(IInboundEvent e) => JsonSerializer.Serialize((TEvent)e, typeInfo);

    public override IInboundEvent Deserialize(ReadOnlySpan<byte> utf8Json) =>
        JsonSerializer.Deserialize(utf8Json, typeInfo) ?? throw new JsonException($"The stored {Name} event is JSON null.");
}

/// <summary>A type name upstream systems may publish, how its payload is read, and what it is stored as.</summary>
/// <param name="read">Reads the <c>data</c> member into the stored (current) record, reporting problems to the validation.</param>
internal sealed class InboundEventType(string name, StoredEventType storedAs, Func<Validation, JsonElement, IInboundEvent> read)
{
    public string Name { get; } = name;

    public StoredEventType StoredAs { get; } = storedAs;

    public IInboundEvent Read(Validation validation, JsonElement data) => read(validation, data);
}
