using System.Globalization;

namespace YoungCarers.EventStore.Streams;

/// <summary>
/// The stream version a writer believes is current. Stream versions count events: the first event
/// of a stream is version 1, so a stream that does not exist yet is at version 0.
/// </summary>
public readonly record struct ExpectedVersion
{
    private const long AnyValue = -1;

    private ExpectedVersion(long value) => Value = value;

    /// <summary>No check: append after whatever is there.</summary>
    public static ExpectedVersion Any { get; } = new(AnyValue);

    /// <summary>The stream must not have any events yet.</summary>
    public static ExpectedVersion NoStream { get; } = new(0);

    public long Value { get; }

    public bool IsAny => Value == AnyValue;

    public static ExpectedVersion Exactly(long version) =>
        version >= 0 ? new(version) : throw new ArgumentOutOfRangeException(nameof(version), version, "A stream version is 0 or more.");

    public bool Accepts(long actualVersion) => IsAny || Value == actualVersion;

    public override string ToString() => IsAny ? "any" : Value.ToString(CultureInfo.InvariantCulture);
}
