namespace YoungCarers.EventStore.Streams;

/// <summary>The base of the store's own, expected failures.</summary>
public abstract class EventStoreException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Another writer appended to the stream since the caller read it.</summary>
public sealed class WrongExpectedVersionException(string streamId, ExpectedVersion expected, long actual)
    : EventStoreException($"Stream '{streamId}' is at version {actual}, but the append expected version {expected}.")
{
    public string StreamId { get; } = streamId;

    public ExpectedVersion Expected { get; } = expected;

    public long Actual { get; } = actual;
}

/// <summary>The stream was archived (its family merged into another) and accepts no more events.</summary>
public sealed class StreamArchivedException(string streamId, string successorId)
    : EventStoreException($"Stream '{streamId}' is archived; its successor is '{successorId}'.")
{
    public string StreamId { get; } = streamId;

    public string SuccessorId { get; } = successorId;
}

/// <summary>The stream does not exist.</summary>
public sealed class StreamNotFoundException(string streamId)
    : EventStoreException($"Stream '{streamId}' does not exist.")
{
    public string StreamId { get; } = streamId;
}

/// <summary>
/// The transaction met a concurrent change and must run again from the start to see it.
/// <see cref="PostgresEventStore.ExecuteAsync{T}"/> does so; work inside it may throw this too.
/// </summary>
public sealed class TransactionConflictException(string message) : EventStoreException(message);
