using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Streams;
using YoungCarers.Projections.Daemon;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

public sealed class ProjectionDaemonTests : IClassFixture<DatabaseFixture>, IAsyncLifetime
{
    private static readonly ProjectionDaemonOptions Fast = new() { PageSize = 50, PollInterval = TimeSpan.FromMilliseconds(20), RetryDelay = TimeSpan.FromMilliseconds(50) };
    private readonly DatabaseFixture _database;
    private readonly PostgresEventStore _store;
    private readonly string _name = $"counts_{Guid.NewGuid():N}"[..20];

    public ProjectionDaemonTests(DatabaseFixture database)
    {
        _database = database;
        _store = new PostgresEventStore(database.DataSource);
    }

    public async Task InitializeAsync()
    {
        await using var command = _database.DataSource.CreateCommand(
            $"CREATE TABLE {_name} (stream_id text PRIMARY KEY, applied bigint NOT NULL, max_version bigint NOT NULL)");
        await command.ExecuteNonQueryAsync();
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task The_daemon_applies_every_event_once_including_those_appended_while_it_runs()
    {
        var streams = await AppendAsync(count: 300);
        var projection = new CountingProjection(_name);
        using var daemon = Daemon(projection);
        await daemon.StartAsync(CancellationToken.None);

        var more = await AppendAsync(count: 200);
        await WaitUntilAsync(async () => await TotalAppliedAsync() >= 500);
        await daemon.StopAsync(CancellationToken.None);

        Assert.Equal(500, await TotalAppliedAsync());
        Assert.True(await EveryStreamAppliedExactlyOnceAsync([.. streams, .. more]));
        var checkpoint = await new ProjectionCheckpoints(_database.DataSource).LoadAsync(_name);
        var mine = (await new AllEventsReader(_database.DataSource).ReadAsync(GlobalPosition.Start, int.MaxValue)).Where(e => e.StreamId.StartsWith(_name, StringComparison.Ordinal));
        Assert.True(checkpoint >= mine.Last().Position);
    }

    [Fact]
    public async Task A_projection_that_fails_midway_keeps_nothing_of_the_page_and_applies_it_once_on_retry()
    {
        await AppendAsync(count: 120);
        var projection = new CountingProjection(_name) { FailOnCall = 2 };
        using var daemon = Daemon(projection);
        await daemon.StartAsync(CancellationToken.None);

        await WaitUntilAsync(async () => await TotalAppliedAsync() >= 120);
        await daemon.StopAsync(CancellationToken.None);

        Assert.True(projection.Calls > 3, "The failed page was not retried.");
        Assert.Equal(120, await TotalAppliedAsync());
    }

    [Fact]
    public async Task Of_two_instances_one_leads_and_the_other_takes_over_when_it_stops()
    {
        await AppendAsync(count: 100);
        var first = new CountingProjection(_name);
        var second = new CountingProjection(_name);
        using var firstDaemon = Daemon(first);
        using var secondDaemon = Daemon(second);
        await firstDaemon.StartAsync(CancellationToken.None);
        await WaitUntilAsync(async () => await TotalAppliedAsync() >= 100);
        await secondDaemon.StartAsync(CancellationToken.None);
        await AppendAsync(count: 50);
        await WaitUntilAsync(async () => await TotalAppliedAsync() >= 150);

        await firstDaemon.StopAsync(CancellationToken.None);
        await AppendAsync(count: 50);
        await WaitUntilAsync(async () => await TotalAppliedAsync() >= 200);
        await secondDaemon.StopAsync(CancellationToken.None);

        Assert.Equal(200, await TotalAppliedAsync());
        Assert.Equal((150, 50), (first.Applied, second.Applied));
    }

    [Fact]
    public async Task A_leader_that_stops_leaves_no_lock_in_the_connection_it_returns_to_the_pool()
    {
        await AppendAsync(count: 20);
        using var daemon = Daemon(new CountingProjection(_name));
        await daemon.StartAsync(CancellationToken.None);
        await WaitUntilAsync(async () => await TotalAppliedAsync() >= 20);
        Assert.Equal(1, await ReadModelHarness.AdvisoryLocksAsync(_database.ConnectionString, ProjectionDaemon.LockSpace));

        await daemon.StopAsync(CancellationToken.None);

        // Left there, the lock would keep this process's next leader out until that connection is reused.
        Assert.Equal(0, await ReadModelHarness.AdvisoryLocksAsync(_database.ConnectionString, ProjectionDaemon.LockSpace));
    }

    private ProjectionDaemon Daemon(IProjection projection) =>
        new(_database.DataSource, [projection], Fast, NullLogger<ProjectionDaemon>.Instance);

    private async Task<List<string>> AppendAsync(int count)
    {
        var streams = new List<string>();
        for (var i = 0; i < count; i += 10)
        {
            var stream = $"{_name}-{Guid.NewGuid():N}";
            streams.Add(stream);
            await _store.AppendAsync(stream, ExpectedVersion.NoStream,
                [.. Enumerable.Range(0, Math.Min(10, count - i)).Select(n => new NewEvent("test.counted.v1", "{}", DateTimeOffset.UtcNow, "urn:test", $"{stream}-{n}"))]);
        }

        return streams;
    }

    private async Task<long> TotalAppliedAsync()
    {
        await using var command = _database.DataSource.CreateCommand($"SELECT coalesce(sum(applied), 0)::bigint FROM {_name}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<bool> EveryStreamAppliedExactlyOnceAsync(IReadOnlyList<string> streams)
    {
        await using var command = _database.DataSource.CreateCommand($"SELECT count(*) FROM {_name} WHERE stream_id = ANY(@s) AND applied = max_version");
        command.Parameters.AddWithValue("s", streams.ToArray());
        return (long)(await command.ExecuteScalarAsync())! == streams.Count;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The daemon did not catch up in 30 s.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>
    /// Counts this test's events per stream (the database is shared by the class); fails once on a
    /// chosen call, after writing, to prove the rollback.
    /// </summary>
    private sealed class CountingProjection(string table) : IProjection
    {
        public string Name => table;

        public int FailOnCall { get; init; }

        public int Calls { get; private set; }

        public int Applied { get; private set; }

        public async Task ApplyAsync(IReadOnlyList<EventPointer> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            Calls++;
            var mine = events.Where(e => e.StreamId.StartsWith(table, StringComparison.Ordinal)).ToList();
            foreach (var group in mine.GroupBy(e => e.StreamId))
            {
                await using var command = new NpgsqlCommand($"""
                    INSERT INTO {table} (stream_id, applied, max_version) VALUES (@s, @n, @v)
                    ON CONFLICT (stream_id) DO UPDATE SET applied = {table}.applied + @n, max_version = greatest({table}.max_version, @v)
                    """, connection, transaction);
                command.Parameters.AddWithValue("s", group.Key);
                command.Parameters.AddWithValue("n", (long)group.Count());
                command.Parameters.AddWithValue("v", group.Max(e => e.StreamVersion));
                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            if (Calls == FailOnCall)
            {
                throw new InvalidOperationException("The projection failed after writing part of the page.");
            }

            Applied += mine.Count;
        }
    }
}
