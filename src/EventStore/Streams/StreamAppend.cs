namespace YoungCarers.EventStore.Streams;

/// <summary>Events for one stream, as one part of a (possibly multi-stream) append.</summary>
public sealed record StreamAppend(string StreamId, ExpectedVersion ExpectedVersion, IReadOnlyList<NewEvent> Events);

/// <summary>What happened to one submitted event.</summary>
public enum AppendOutcome
{
    Appended,

    /// <summary>An event with the same source and source event id was already stored: nothing was written.</summary>
    Duplicate,
}

/// <summary>The outcome of each submitted event, in submission order.</summary>
/// <param name="StreamVersion">The version the event was stored at (the earlier copy's version for a duplicate).</param>
/// <param name="StreamId">The stream that holds the event (for a duplicate, where the earlier copy is).</param>
public sealed record EventAppendResult(AppendOutcome Outcome, string StreamId, long StreamVersion);

/// <param name="StreamId">The stream appended to.</param>
/// <param name="NextExpectedVersion">The stream's version after this append: pass it as the next expected version.</param>
/// <param name="Events">One result per submitted event, in submission order.</param>
public sealed record StreamAppendResult(string StreamId, long NextExpectedVersion, IReadOnlyList<EventAppendResult> Events);

/// <param name="Streams">One result per submitted stream, in submission order.</param>
/// <param name="TransactionId">
/// The transaction that wrote the events, or null when every event was a duplicate. A projection whose
/// checkpoint has passed this transaction has seen all of them.
/// </param>
public sealed record AppendResult(IReadOnlyList<StreamAppendResult> Streams, ulong? TransactionId)
{
    public int AppendedCount => Streams.Sum(stream => stream.Events.Count(e => e.Outcome == AppendOutcome.Appended));

    public int DuplicateCount => Streams.Sum(stream => stream.Events.Count(e => e.Outcome == AppendOutcome.Duplicate));
}
