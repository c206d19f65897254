using Npgsql;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.Projections.Daemon;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

public sealed class TwoDaemonTests : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private readonly ReadModelHarness _harness;

    public TwoDaemonTests(DatabaseFixture database) =>
        _harness = new ReadModelHarness(database, new ManualClock(Envelopes.Now));

    public async Task InitializeAsync()
    {
        await using var command = _harness.DataSource.CreateCommand("CREATE TABLE IF NOT EXISTS applied_log (seq bigint NOT NULL, daemon text NOT NULL)");
        await command.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Two_daemons_never_apply_an_event_twice_and_the_standby_takes_over_when_the_leader_stops()
    {
        var families = new List<string>();
        async Task AddFamiliesAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                families.Add((await _harness.NewFamilyAsync()).FamilyId);
            }
        }

        await AddFamiliesAsync(20);
        using var first = _harness.Daemon(new LoggingProjection(new FamilyReadModelProjection(_harness.Model), "first"));
        using var second = _harness.Daemon(new LoggingProjection(new FamilyReadModelProjection(_harness.Model), "second"));
        await first.StartAsync(CancellationToken.None);
        await WaitForAllAsync();
        await second.StartAsync(CancellationToken.None);
        await AddFamiliesAsync(20);
        await WaitForAllAsync();

        await first.StopAsync(CancellationToken.None);
        await AddFamiliesAsync(20);
        await WaitForAllAsync();
        await second.StopAsync(CancellationToken.None);

        Assert.Equal(families.Count, await _harness.ScalarAsync<long>(
            "SELECT count(*) FROM read_model.families WHERE family_id = ANY(@ids)", ("ids", families.ToArray())));
        var (applied, distinct) = (await _harness.ScalarAsync<long>("SELECT count(*) FROM applied_log"), await _harness.ScalarAsync<long>("SELECT count(DISTINCT seq) FROM applied_log"));
        Assert.Equal(distinct, applied);
        Assert.Equal(await _harness.ScalarAsync<long>("SELECT count(*) FROM events"), applied);
        var byDaemon = await _harness.RowsAsync("SELECT daemon, count(*) FROM applied_log GROUP BY daemon ORDER BY daemon");
        Assert.Equal(2, byDaemon.Count);
        Assert.StartsWith("first", byDaemon[0], StringComparison.Ordinal);
        Assert.StartsWith("second", byDaemon[1], StringComparison.Ordinal);
    }

    private Task WaitForAllAsync() => ReadModelHarness.WaitUntilAsync(async () =>
        await _harness.ScalarAsync<long>("SELECT count(DISTINCT seq) FROM applied_log") == await _harness.ScalarAsync<long>("SELECT count(*) FROM events"));

    /// <summary>Logs each applied event's sequence in the page's own transaction: a double application shows as a repeat.</summary>
    private sealed class LoggingProjection(IProjection inner, string daemon) : IProjection
    {
        public string Name => inner.Name;

        public async Task ApplyAsync(IReadOnlyList<EventPointer> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            await inner.ApplyAsync(events, connection, transaction, cancellationToken);
            await using var command = new NpgsqlCommand("INSERT INTO applied_log (seq, daemon) SELECT unnest(@seqs), @daemon", connection, transaction);
            command.Parameters.AddWithValue("seqs", events.Select(e => e.Position.Sequence).ToArray());
            command.Parameters.AddWithValue("daemon", daemon);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
