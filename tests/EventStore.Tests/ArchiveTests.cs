using YoungCarers.EventStore.Streams;
using YoungCarers.Testing;
using static YoungCarers.EventStore.Tests.TestEvents;

namespace YoungCarers.EventStore.Tests;

public sealed class ArchiveTests : IClassFixture<DatabaseFixture>
{
    private readonly PostgresEventStore _store;

    public ArchiveTests(DatabaseFixture database) => _store = new PostgresEventStore(database.DataSource);

    [Fact]
    public async Task An_archived_stream_keeps_its_events_refuses_appends_and_names_its_successor()
    {
        var (absorbed, survivor) = (NewStreamId(), NewStreamId());
        await _store.AppendAsync(absorbed, ExpectedVersion.NoStream, [Event("arc-1")]);
        await _store.AppendAsync(survivor, ExpectedVersion.NoStream, [Event("arc-2")]);

        await _store.ArchiveStreamAsync(absorbed, survivor);
        var error = await Assert.ThrowsAsync<StreamArchivedException>(
            () => _store.AppendAsync(absorbed, ExpectedVersion.Any, [Event("arc-3")]));

        Assert.Equal(survivor, error.SuccessorId);
        Assert.Single(await _store.ReadStreamAsync(absorbed).ToListAsync());
        var info = await _store.GetStreamAsync(absorbed);
        Assert.True(info!.IsArchived);
        Assert.Equal(survivor, info.SuccessorId);
    }

    [Fact]
    public async Task Look_ups_of_an_archived_stream_follow_successors_to_the_live_stream()
    {
        var (first, second, third) = (NewStreamId(), NewStreamId(), NewStreamId());
        foreach (var (stream, i) in new[] { first, second, third }.Select((s, i) => (s, i)))
        {
            await _store.AppendAsync(stream, ExpectedVersion.NoStream, [Event($"chain-{i}")]);
        }

        await _store.ArchiveStreamAsync(first, second);
        await _store.ArchiveStreamAsync(second, third);

        Assert.Equal(third, await _store.ResolveLiveStreamIdAsync(first));
        Assert.Equal(third, await _store.ResolveLiveStreamIdAsync(third));
        Assert.Null(await _store.ResolveLiveStreamIdAsync(NewStreamId()));
    }

    [Fact]
    public async Task A_stream_cannot_be_archived_into_an_archived_or_missing_stream()
    {
        var (a, b, c) = (NewStreamId(), NewStreamId(), NewStreamId());
        foreach (var (stream, i) in new[] { a, b, c }.Select((s, i) => (s, i)))
        {
            await _store.AppendAsync(stream, ExpectedVersion.NoStream, [Event($"bad-{i}")]);
        }

        await _store.ArchiveStreamAsync(b, c);

        await Assert.ThrowsAsync<StreamArchivedException>(() => _store.ArchiveStreamAsync(a, b));
        await Assert.ThrowsAsync<StreamNotFoundException>(() => _store.ArchiveStreamAsync(a, NewStreamId()));
        await Assert.ThrowsAsync<StreamNotFoundException>(() => _store.ArchiveStreamAsync(NewStreamId(), a));
        await Assert.ThrowsAsync<StreamArchivedException>(() => _store.ArchiveStreamAsync(b, a));
    }

    [Fact]
    public async Task Archiving_again_with_the_same_successor_is_a_no_op()
    {
        var (absorbed, survivor) = (NewStreamId(), NewStreamId());
        await _store.AppendAsync(absorbed, ExpectedVersion.NoStream, [Event("again-1")]);
        await _store.AppendAsync(survivor, ExpectedVersion.NoStream, [Event("again-2")]);
        await _store.ArchiveStreamAsync(absorbed, survivor);
        var archivedAt = (await _store.GetStreamAsync(absorbed))!.ArchivedAt;

        await _store.ArchiveStreamAsync(absorbed, survivor);

        Assert.Equal(archivedAt, (await _store.GetStreamAsync(absorbed))!.ArchivedAt);
    }
}
