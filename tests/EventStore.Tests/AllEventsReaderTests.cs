using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Streams;
using YoungCarers.Testing;
using static YoungCarers.EventStore.Tests.TestEvents;

namespace YoungCarers.EventStore.Tests;

[Collection(nameof(RunsAlone))]
public sealed class AllEventsReaderTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture _database;
    private readonly PostgresEventStore _store;
    private readonly AllEventsReader _reader;

    public AllEventsReaderTests(DatabaseFixture database)
    {
        _database = database;
        _store = new PostgresEventStore(database.DataSource);
        _reader = new AllEventsReader(database.DataSource);
    }

    [Fact]
    public async Task A_transaction_holding_a_lower_sequence_open_for_ten_seconds_is_delivered_first_after_it_commits()
    {
        await using var subscriber = new Subscriber(_reader, "held-");
        var before = await AppendSingleEventsAsync("held-before", 3);
        await subscriber.WaitForAsync(d => Includes(d, before), TimeSpan.FromSeconds(10));

        await using var slow = await SlowTransaction.BeginAsync(_database.DataSource, NewStreamId(), "held-slow");
        var after = await AppendSingleEventsAsync("held-after", 20);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var deliveredWhileHeld = subscriber.Delivered.Count;
        await slow.CommitAsync();
        await subscriber.WaitForAsync(d => Includes(d, ["held-slow", .. after]), TimeSpan.FromSeconds(10));

        var delivered = subscriber.Delivered;
        Assert.Equal(before.Length, deliveredWhileHeld);
        Assert.Equal([.. before, "held-slow", .. after], delivered.Select(e => e.SourceEventId));
        Assert.True(slow.Sequence < delivered.Where(e => after.Contains(e.SourceEventId)).Min(e => e.Position.Sequence));
        Assert.True(delivered.Zip(delivered.Skip(1)).All(pair => pair.First.Position < pair.Second.Position));
    }

    [Fact]
    public async Task A_gap_left_by_a_rolled_back_transaction_is_passed_within_two_seconds_of_the_rollback()
    {
        await using var subscriber = new Subscriber(_reader, "gap-");
        await using var doomed = await SlowTransaction.BeginAsync(_database.DataSource, NewStreamId(), "gap-doomed");
        var after = await AppendSingleEventsAsync("gap-after", 5);
        await Task.Delay(TimeSpan.FromSeconds(1));

        var rolledBackAt = subscriber.Now;
        await doomed.RollbackAsync();
        await subscriber.WaitForAsync(d => Includes(d, after), TimeSpan.FromSeconds(10));

        var delivered = subscriber.Delivered;
        Assert.Equal(after, delivered.Select(e => e.SourceEventId));
        Assert.True(subscriber.DeliveredAt(after[^1]) - rolledBackAt < TimeSpan.FromSeconds(2),
            $"Delivered {subscriber.DeliveredAt(after[^1]) - rolledBackAt} after the rollback.");
    }

    [Fact]
    public async Task Under_concurrent_writers_with_rollbacks_every_committed_event_is_delivered_once_in_stream_order()
    {
        await using var subscriber = new Subscriber(_reader, "conc-", pageSize: 37);
        var committed = new System.Collections.Concurrent.ConcurrentBag<string>();
        var streams = Enumerable.Range(0, 12).Select(_ => NewStreamId()).ToArray();

        var writers = Enumerable.Range(0, 6).Select(writer => Task.Run(async () =>
        {
            var random = new Random(writer);
            for (var batch = 0; batch < 40; batch++)
            {
                if (random.Next(5) == 0)
                {
                    await using var doomed = await SlowTransaction.BeginAsync(_database.DataSource, NewStreamId(), $"conc-doomed-{writer}-{batch}");
                    await Task.Delay(random.Next(30));
                    await doomed.RollbackAsync();
                    continue;
                }

                var appends = streams.OrderBy(_ => random.Next()).Take(random.Next(1, 4))
                    .Select(stream => new StreamAppend(stream, ExpectedVersion.Any,
                        [.. Enumerable.Range(0, random.Next(1, 6)).Select(i => Event($"conc-w{writer}-b{batch}-{stream}-{i}"))]))
                    .ToList();
                await _store.AppendAsync(appends);
                foreach (var e in appends.SelectMany(a => a.Events))
                {
                    committed.Add(e.SourceEventId);
                }
            }
        })).ToList();
        await Task.WhenAll(writers);
        await subscriber.WaitForAsync(d => d.Count >= committed.Count, TimeSpan.FromSeconds(30));
        await Task.Delay(300);

        var delivered = subscriber.Delivered;
        Assert.Equal(committed.Order(StringComparer.Ordinal), delivered.Select(e => e.SourceEventId).Order(StringComparer.Ordinal));
        Assert.All(delivered.GroupBy(e => e.StreamId), stream =>
            Assert.Equal(Enumerable.Range(1, stream.Count()).Select(v => (long)v), stream.Select(e => e.StreamVersion)));
    }

    [Fact]
    public async Task Reading_resumes_after_a_position_without_repeating_or_skipping()
    {
        var ids = await AppendSingleEventsAsync("resume", 10);
        var all = await _reader.ReadAsync(GlobalPosition.Start, int.MaxValue);
        var mine = all.Where(e => ids.Contains(e.SourceEventId)).ToList();

        var rest = await _reader.ReadAsync(mine[4].Position, int.MaxValue);

        Assert.Equal(ids[5..], rest.Where(e => ids.Contains(e.SourceEventId)).Select(e => e.SourceEventId));
    }

    [Fact]
    public async Task A_checkpoint_advances_only_from_where_it_is_and_only_when_committed()
    {
        var checkpoints = new ProjectionCheckpoints(_database.DataSource);
        var first = new GlobalPosition(1234, 56);
        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await using (var committed = await connection.BeginTransactionAsync())
        {
            Assert.True(await ProjectionCheckpoints.AdvanceAsync("family-view", GlobalPosition.Start, first, connection, committed));
            await committed.CommitAsync();
        }

        await using (var abandoned = await connection.BeginTransactionAsync())
        {
            Assert.True(await ProjectionCheckpoints.AdvanceAsync("family-view", first, new GlobalPosition(9999, 1), connection, abandoned));
            await abandoned.RollbackAsync();
        }

        await using (var stale = await connection.BeginTransactionAsync())
        {
            // A worker that still believes the checkpoint is at the start.
            Assert.False(await ProjectionCheckpoints.AdvanceAsync("family-view", GlobalPosition.Start, new GlobalPosition(5, 5), connection, stale));
            await stale.CommitAsync();
        }

        Assert.Equal(first, await checkpoints.LoadAsync("family-view"));
        Assert.Equal(GlobalPosition.Start, await checkpoints.LoadAsync("never-ran"));
    }

    private async Task<string[]> AppendSingleEventsAsync(string prefix, int count)
    {
        var ids = Enumerable.Range(1, count).Select(i => $"{prefix}-{i}").ToArray();
        foreach (var id in ids)
        {
            await _store.AppendAsync(NewStreamId(), ExpectedVersion.NoStream, [Event(id)]);
        }

        return ids;
    }

    private static bool Includes(IReadOnlyList<RecordedEvent> delivered, IEnumerable<string> ids) =>
        ids.All(id => delivered.Any(e => e.SourceEventId == id));
}
