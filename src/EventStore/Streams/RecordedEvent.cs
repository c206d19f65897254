namespace YoungCarers.EventStore.Streams;

/// <summary>A stored event.</summary>
/// <param name="Position">Where the event stands in the all-events order.</param>
public sealed record RecordedEvent(
    GlobalPosition Position,
    string StreamId,
    long StreamVersion,
    string Type,
    string Data,
    EventMetadata Metadata,
    string Source,
    string SourceEventId,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt);

/// <summary>
/// A position in the all-events order: by writing transaction, then by sequence within it. The
/// sequence alone is not a safe order, because a transaction can take a lower sequence number and
/// commit after higher ones; transaction ids order events so that a reader never passes one that
/// may still commit.
/// </summary>
public readonly record struct GlobalPosition(ulong TransactionId, long Sequence) : IComparable<GlobalPosition>
{
    /// <summary>Before every event.</summary>
    public static GlobalPosition Start { get; } = new(0, 0);

    public int CompareTo(GlobalPosition other)
    {
        var byTransaction = TransactionId.CompareTo(other.TransactionId);
        return byTransaction != 0 ? byTransaction : Sequence.CompareTo(other.Sequence);
    }

    public static bool operator <(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{TransactionId}/{Sequence}";
}

/// <summary>A stream's current state.</summary>
public sealed record StreamInfo(string StreamId, long Version, DateTimeOffset CreatedAt, DateTimeOffset? ArchivedAt, string? SuccessorId)
{
    public bool IsArchived => ArchivedAt is not null;
}

/// <summary>
/// Which prefix of a stream to read. Versions bound the stream's own order; the two instants make
/// a bitemporal cut: events that happened by <see cref="OccurredBy"/> (as of) and that the store had
/// recorded by <see cref="RecordedBy"/> (known at).
/// </summary>
public sealed record StreamSlice(
    long FromVersion = 1,
    long? ToVersion = null,
    DateTimeOffset? OccurredBy = null,
    DateTimeOffset? RecordedBy = null)
{
    public static StreamSlice All { get; } = new();

    public static StreamSlice UpToVersion(long version) => new(ToVersion: version);

    public static StreamSlice AsOf(DateTimeOffset occurredBy, DateTimeOffset? knownAt = null) => new(OccurredBy: occurredBy, RecordedBy: knownAt);
}
