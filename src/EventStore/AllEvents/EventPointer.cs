using YoungCarers.EventStore.Streams;

namespace YoungCarers.EventStore.AllEvents;

/// <summary>Where a stored event is: its place in the all-events order and in its stream, not what it says.</summary>
public sealed record EventPointer(GlobalPosition Position, string StreamId, long StreamVersion);
