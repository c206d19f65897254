using YoungCarers.EventStore.Streams;
using YoungCarers.Testing;
using static YoungCarers.EventStore.Tests.TestEvents;

namespace YoungCarers.EventStore.Tests;

public sealed class TransactionTests : IClassFixture<DatabaseFixture>
{
    private readonly PostgresEventStore _store;

    public TransactionTests(DatabaseFixture database) => _store = new PostgresEventStore(database.DataSource);

    [Fact]
    public async Task Work_that_meets_a_conflict_is_run_again_and_commits_once()
    {
        var stream = NewStreamId();
        var runs = 0;

        await _store.ExecuteAsync(async (transaction, token) =>
        {
            await transaction.AppendAsync([new StreamAppend(stream, ExpectedVersion.Any, [Event($"retry-{stream}")])], token);
            return ++runs == 1 ? throw new TransactionConflictException("first run loses") : runs;
        });

        Assert.Equal(2, runs);
        Assert.Single(await _store.ReadStreamAsync(stream).ToListAsync());
    }

    [Fact]
    public async Task Work_that_fails_stores_nothing()
    {
        var stream = NewStreamId();

        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.ExecuteAsync<int>(async (transaction, token) =>
        {
            await transaction.AppendAsync([new StreamAppend(stream, ExpectedVersion.Any, [Event($"fail-{stream}")])], token);
            throw new InvalidOperationException("the rest of the work failed");
        }));

        Assert.Null(await _store.GetStreamAsync(stream));
    }

    [Fact]
    public async Task Two_appends_to_one_stream_in_one_transaction_continue_its_versions()
    {
        var stream = NewStreamId();

        var second = await _store.ExecuteAsync(async (transaction, token) =>
        {
            await transaction.AppendAsync([new StreamAppend(stream, ExpectedVersion.NoStream, [Event($"twice-1-{stream}")])], token);
            return await transaction.AppendAsync([new StreamAppend(stream, ExpectedVersion.Exactly(1), [Event($"twice-2-{stream}")])], token);
        });

        Assert.Equal(2, second.Streams[0].NextExpectedVersion);
        Assert.Equal([1L, 2L], (await _store.ReadStreamAsync(stream).ToListAsync()).Select(e => e.StreamVersion));
    }
}
