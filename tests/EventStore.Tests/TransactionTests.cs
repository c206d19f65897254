using Npgsql;
using YoungCarers.EventStore.Streams;
using YoungCarers.Testing;
using static YoungCarers.EventStore.Tests.TestEvents;

namespace YoungCarers.EventStore.Tests;

public sealed class TransactionTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture _database;
    private readonly PostgresEventStore _store;

    public TransactionTests(DatabaseFixture database)
    {
        _database = database;
        _store = new PostgresEventStore(database.DataSource);
    }

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
    public async Task Commands_sent_with_an_append_commit_in_its_transaction_and_one_that_fails_fails_it()
    {
        var stream = NewStreamId();
        var failing = NewStreamId();

        var appended = await _store.ExecuteAsync((transaction, token) => transaction.AppendAsync(
            [new StreamAppend(stream, ExpectedVersion.Any, [Event($"with-{stream}")])],
            withLocks: [Checkpoint($"locks-{stream}")],
            withUpdates: [Checkpoint($"updates-{stream}")],
            token));
        await Assert.ThrowsAsync<PostgresException>(() => _store.ExecuteAsync((transaction, token) => transaction.AppendAsync(
            [new StreamAppend(failing, ExpectedVersion.Any, [Event($"with-{failing}")])],
            withLocks: [],
            withUpdates: [new NpgsqlBatchCommand("SELECT 1 / 0")],
            token)));

        await using var command = _database.DataSource.CreateCommand(
            "SELECT transaction_id::text::bigint FROM projection_checkpoints WHERE projection IN (@locks, @updates)");
        command.Parameters.AddWithValue("locks", $"locks-{stream}");
        command.Parameters.AddWithValue("updates", $"updates-{stream}");
        var transactions = new List<long>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                transactions.Add(reader.GetInt64(0));
            }
        }

        Assert.Equal([(long)appended.TransactionId!.Value, (long)appended.TransactionId!.Value], transactions);
        Assert.Null(await _store.GetStreamAsync(failing));
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

    private static NpgsqlBatchCommand Checkpoint(string projection) =>
        new("INSERT INTO projection_checkpoints (projection, transaction_id, seq) VALUES (@projection, pg_current_xact_id(), 0)")
        {
            Parameters = { new NpgsqlParameter("projection", projection) },
        };
}
