using System.Diagnostics;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Streams;
using YoungCarers.Testing;

namespace YoungCarers.EventStore.Tests;

public sealed class CrashTests : IClassFixture<DatabaseFixture>
{
    private const int BatchSize = 25;
    private readonly DatabaseFixture _database;

    public CrashTests(DatabaseFixture database) => _database = database;

    [Fact]
    public async Task A_writer_killed_mid_append_leaves_every_acknowledged_batch_whole_and_nothing_partial()
    {
        var acknowledged = await RunWriterAndKillItAsync(acknowledgements: 60);

        var stored = await ReadAllAsync();
        var batches = stored.GroupBy(e => e.SourceEventId.Split('-')[0]).ToDictionary(g => int.Parse(g.Key, System.Globalization.CultureInfo.InvariantCulture), g => g.Count());
        Assert.All(acknowledged, batch => Assert.True(batches.ContainsKey(batch), $"Acknowledged batch {batch} was lost."));
        Assert.All(batches, batch => Assert.Equal(BatchSize, batch.Value));
        Assert.Equal(stored.Count, stored.Select(e => e.SourceEventId).Distinct().Count());
        await using var command = _database.DataSource.CreateCommand("""
            SELECT count(*) FROM streams s
            WHERE s.version <> (SELECT count(*) FROM events e WHERE e.stream_id = s.stream_id)
               OR s.version <> (SELECT coalesce(max(stream_version), 0) FROM events e WHERE e.stream_id = s.stream_id)
            """);
        Assert.Equal(0L, await command.ExecuteScalarAsync());

        var store = new PostgresEventStore(_database.DataSource);
        var resumed = await store.AppendAsync("crash-0", ExpectedVersion.Any, [new NewEvent("test.crash.v1", "{}", DateTimeOffset.UtcNow, "urn:test:crash", "after-restart")]);
        Assert.Equal(AppendOutcome.Appended, resumed.Events[0].Outcome);
    }

    private async Task<List<int>> RunWriterAndKillItAsync(int acknowledgements)
    {
        // Run from its own build output: its dependencies differ from this test project's (which gets
        // some of them from the ASP.NET Core shared framework), so its copy in this folder cannot start.
        var separator = Path.DirectorySeparatorChar;
        var writer = Path.Combine(
            AppContext.BaseDirectory.Replace($"{separator}EventStore.Tests{separator}", $"{separator}CrashWriter{separator}", StringComparison.Ordinal),
            "YoungCarers.CrashWriter.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { writer, _database.ConnectionString, "40", BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var acknowledged = new List<int>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (acknowledged.Count < acknowledgements)
            {
                var line = await process.StandardOutput.ReadLineAsync(timeout.Token)
                    ?? throw new InvalidOperationException($"The writer exited early: {await process.StandardError.ReadToEndAsync()}");
                acknowledged.Add(int.Parse(line["ACK ".Length..], System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        finally
        {
            // SIGKILL: no chance to finish the append in flight, roll back politely or flush anything.
            process.Kill();
            await process.WaitForExitAsync();
        }

        return acknowledged;
    }

    private async Task<List<RecordedEvent>> ReadAllAsync()
    {
        // The reader waits for every transaction older than the newest stored event to finish,
        // anywhere on the server (other test classes hold transactions open on purpose).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        await using var caughtUp = _database.DataSource.CreateCommand(
            "SELECT coalesce(max(transaction_id) < pg_snapshot_xmin(pg_current_snapshot()), true) FROM events");
        while (!(bool)(await caughtUp.ExecuteScalarAsync())! && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        return [.. await new AllEventsReader(_database.DataSource).ReadAsync(GlobalPosition.Start, int.MaxValue)];
    }
}
