using YoungCarers.EventStore.Streams;

namespace YoungCarers.EventStore.Tests;

internal static class TestEvents
{
    public static readonly DateTimeOffset Monday = new(2025, 3, 3, 9, 0, 0, TimeSpan.Zero);

    public static NewEvent Event(string id, DateTimeOffset? occurredAt = null, string type = "test.happened.v1", string source = "urn:test:source") =>
        new(type, $"{{\"id\":\"{id}\"}}", occurredAt ?? Monday, source, id);

    public static IReadOnlyList<NewEvent> Events(string prefix, int count) =>
        [.. Enumerable.Range(1, count).Select(i => Event($"{prefix}-{i}"))];

    public static string NewStreamId() => $"family-{Guid.NewGuid():N}";
}
