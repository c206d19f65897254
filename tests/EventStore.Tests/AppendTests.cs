using YoungCarers.EventStore.Streams;
using YoungCarers.Testing;
using static YoungCarers.EventStore.Tests.TestEvents;

namespace YoungCarers.EventStore.Tests;

public sealed class AppendTests : IClassFixture<DatabaseFixture>
{
    private readonly PostgresEventStore _store;

    public AppendTests(DatabaseFixture database) => _store = new PostgresEventStore(database.DataSource);

    [Fact]
    public async Task Appended_events_are_read_back_in_version_order_with_their_data_as_sent_and_metadata()
    {
        var stream = NewStreamId();
        var metadata = new EventMetadata(CorrelationId: "corr-1", CausationId: "cause-1");
        NewEvent[] events =
        [
            // Spacing and key order as a case system might send them: kept as they came.
            Event("a-1") with { Data = "{ \"id\":\"a-1\",  \"b\": [1, 2], \"a\": null }", Metadata = metadata },
            Event("a-2", Monday.AddDays(1), type: "test.other.v2"),
        ];

        var result = await _store.AppendAsync(stream, ExpectedVersion.NoStream, events);
        var read = await _store.ReadStreamAsync(stream).ToListAsync();

        Assert.Equal(2, result.NextExpectedVersion);
        Assert.Equal([1L, 2L], read.Select(e => e.StreamVersion));
        Assert.Equal(["test.happened.v1", "test.other.v2"], read.Select(e => e.Type));
        Assert.Equal("{ \"id\":\"a-1\",  \"b\": [1, 2], \"a\": null }", read[0].Data);
        Assert.Equal(metadata, read[0].Metadata);
        Assert.Equal(("urn:test:source", "a-2"), (read[1].Source, read[1].SourceEventId));
        Assert.Equal(Monday.AddDays(1), read[1].OccurredAt);
        Assert.True(read[0].Position < read[1].Position);
    }

    [Fact]
    public async Task Appending_at_the_returned_version_continues_the_stream()
    {
        var stream = NewStreamId();
        var first = await _store.AppendAsync(stream, ExpectedVersion.NoStream, Events("b", 3));

        var second = await _store.AppendAsync(stream, ExpectedVersion.Exactly(first.NextExpectedVersion), [Event("b-4")]);

        Assert.Equal(4, second.NextExpectedVersion);
        Assert.Equal(4, (await _store.GetStreamAsync(stream))!.Version);
    }

    [Fact]
    public async Task A_stale_expected_version_is_refused_with_an_error_naming_the_stream()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, Events("c", 2));

        var error = await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => _store.AppendAsync(stream, ExpectedVersion.Exactly(1), [Event("c-3")]));

        Assert.Equal(stream, error.StreamId);
        Assert.Equal(2, error.Actual);
        Assert.Contains(stream, error.Message, StringComparison.Ordinal);
        Assert.Equal(2, (await _store.ReadStreamAsync(stream).ToListAsync()).Count);
    }

    [Fact]
    public async Task Expecting_no_stream_fails_when_the_stream_exists()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.Any, [Event("d-1")]);

        await Assert.ThrowsAsync<WrongExpectedVersionException>(
            () => _store.AppendAsync(stream, ExpectedVersion.NoStream, [Event("d-2")]));
    }

    [Fact]
    public async Task Of_concurrent_writers_expecting_the_same_version_exactly_one_wins()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, [Event("e-0")]);
        using var start = new Barrier(8);

        var attempts = Enumerable.Range(1, 8).Select(writer => Task.Run(async () =>
        {
            start.SignalAndWait();
            try
            {
                await _store.AppendAsync(stream, ExpectedVersion.Exactly(1), [Event($"e-writer-{writer}")]);
                return (Won: true, Error: (WrongExpectedVersionException?)null);
            }
            catch (WrongExpectedVersionException error)
            {
                return (Won: false, Error: error);
            }
        })).ToList();
        var outcomes = await Task.WhenAll(attempts);

        Assert.Single(outcomes, outcome => outcome.Won);
        Assert.All(outcomes.Where(o => !o.Won), o => Assert.Equal(stream, o.Error!.StreamId));
        Assert.Equal([1L, 2L], (await _store.ReadStreamAsync(stream).ToListAsync()).Select(e => e.StreamVersion));
    }

    [Fact]
    public async Task An_event_already_stored_is_reported_as_a_duplicate_and_not_stored_again()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, [Event("f-1"), Event("f-2")]);

        var retry = await _store.AppendAsync(stream, ExpectedVersion.Any, [Event("f-2"), Event("f-3")]);

        Assert.Equal([AppendOutcome.Duplicate, AppendOutcome.Appended], retry.Events.Select(e => e.Outcome));
        Assert.Equal(2, retry.Events[0].StreamVersion);
        Assert.Equal(["f-1", "f-2", "f-3"], (await _store.ReadStreamAsync(stream).ToListAsync()).Select(e => e.SourceEventId));
    }

    [Fact]
    public async Task Retrying_a_successful_append_with_its_original_expected_version_reports_duplicates_not_a_conflict()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.NoStream, [Event("g-1")]);

        var retry = await _store.AppendAsync(stream, ExpectedVersion.NoStream, [Event("g-1")]);

        Assert.All(retry.Events, e => Assert.Equal(AppendOutcome.Duplicate, e.Outcome));
        Assert.Equal(1, retry.NextExpectedVersion);
    }

    [Fact]
    public async Task The_same_event_id_from_another_source_is_a_different_event()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.Any, [Event("h-1", source: "urn:test:adults")]);

        var result = await _store.AppendAsync(stream, ExpectedVersion.Any, [Event("h-1", source: "urn:test:children")]);

        Assert.Equal(AppendOutcome.Appended, Assert.Single(result.Events).Outcome);
    }

    [Fact]
    public async Task A_duplicate_inside_one_submission_is_stored_once()
    {
        var stream = NewStreamId();

        var result = await _store.AppendAsync(stream, ExpectedVersion.Any, [Event("i-1"), Event("i-1")]);

        Assert.Equal([AppendOutcome.Appended, AppendOutcome.Duplicate], result.Events.Select(e => e.Outcome));
        Assert.Single(await _store.ReadStreamAsync(stream).ToListAsync());
    }

    [Fact]
    public async Task Concurrent_submissions_of_one_event_store_it_exactly_once()
    {
        var sameStream = NewStreamId();
        using var start = new Barrier(8);

        // Half submit to one stream and half to streams of their own: both kinds of race.
        var submissions = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            start.SignalAndWait();
            var stream = i % 2 == 0 ? sameStream : NewStreamId();
            var result = await _store.AppendAsync(stream, ExpectedVersion.Any, [Event("j-shared")]);
            return result.Events[0].Outcome;
        })).ToList();
        var outcomes = await Task.WhenAll(submissions);

        Assert.Single(outcomes, outcome => outcome == AppendOutcome.Appended);
        Assert.Equal(7, outcomes.Count(outcome => outcome == AppendOutcome.Duplicate));
    }

    [Fact]
    public async Task A_multi_stream_append_is_all_or_nothing()
    {
        var (good, stale) = (NewStreamId(), NewStreamId());
        await _store.AppendAsync(stale, ExpectedVersion.NoStream, [Event("k-0")]);

        await Assert.ThrowsAsync<WrongExpectedVersionException>(() => _store.AppendAsync(
        [
            new StreamAppend(good, ExpectedVersion.NoStream, [Event("k-1")]),
            new StreamAppend(stale, ExpectedVersion.NoStream, [Event("k-2")]),
        ]));

        Assert.Null(await _store.GetStreamAsync(good));
        Assert.Single(await _store.ReadStreamAsync(stale).ToListAsync());
    }

    [Fact]
    public async Task A_submission_that_is_all_duplicates_creates_no_stream()
    {
        var stream = NewStreamId();
        await _store.AppendAsync(stream, ExpectedVersion.Any, [Event("l-1")]);
        var elsewhere = NewStreamId();

        var result = await _store.AppendAsync([new StreamAppend(elsewhere, ExpectedVersion.Any, [Event("l-1")])]);

        Assert.Null(result.TransactionId);
        Assert.Equal(stream, result.Streams[0].Events[0].StreamId);
        Assert.Null(await _store.GetStreamAsync(elsewhere));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task A_blank_stream_id_is_refused(string streamId)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.AppendAsync(streamId, ExpectedVersion.Any, [Event("m-1")]));
    }

    [Fact]
    public async Task An_append_without_events_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _store.AppendAsync(NewStreamId(), ExpectedVersion.Any, []));
    }
}
