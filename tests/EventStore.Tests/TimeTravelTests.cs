using YoungCarers.EventStore.Streams;
using YoungCarers.Testing;
using static YoungCarers.EventStore.Tests.TestEvents;

namespace YoungCarers.EventStore.Tests;

public sealed class TimeTravelTests : IClassFixture<DatabaseFixture>
{
    private static readonly Func<List<string>, RecordedEvent, List<string>> Collect = (ids, e) => [.. ids, e.SourceEventId];
    private readonly PostgresEventStore _store;

    public TimeTravelTests(DatabaseFixture database) => _store = new PostgresEventStore(database.DataSource);

    [Fact]
    public async Task A_stream_aggregates_as_at_a_version()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, Events("v", 5));

        var atThree = await _store.AggregateStreamAsync(stream, new List<string>(), Collect, StreamSlice.UpToVersion(3));

        Assert.Equal(["v-1", "v-2", "v-3"], atThree);
    }

    [Fact]
    public async Task A_stream_aggregates_as_at_an_instant_by_when_events_happened()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream,
            [Event("t-mon", Monday), Event("t-wed", Monday.AddDays(2)), Event("t-fri", Monday.AddDays(4))]);

        var asOfThursday = await _store.AggregateStreamAsync(stream, new List<string>(), Collect, StreamSlice.AsOf(Monday.AddDays(3)));

        Assert.Equal(["t-mon", "t-wed"], asOfThursday);
    }

    [Fact]
    public async Task A_late_event_changes_the_past_as_of_but_not_what_was_known_before_it_arrived()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, [Event("late-1", Monday)]);
        var knownBeforeLateArrival = (await _store.ReadStreamAsync(stream).ToListAsync())[0].RecordedAt;
        await Task.Delay(50);
        // Happened on Tuesday, but reaches the store afterwards.
        await _store.AppendAsync(stream, ExpectedVersion.Exactly(1), [Event("late-2", Monday.AddDays(1))]);

        var asOfWednesday = await _store.AggregateStreamAsync(stream, new List<string>(), Collect, StreamSlice.AsOf(Monday.AddDays(2)));
        var asKnownThen = await _store.AggregateStreamAsync(stream, new List<string>(), Collect,
            StreamSlice.AsOf(Monday.AddDays(2), knownAt: knownBeforeLateArrival));

        Assert.Equal(["late-1", "late-2"], asOfWednesday);
        Assert.Equal(["late-1"], asKnownThen);
    }
}
