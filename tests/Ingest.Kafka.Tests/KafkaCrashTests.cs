using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using YoungCarers.Testing;

namespace YoungCarers.Ingest.Kafka.Tests;

/// <summary>The consumer in a process of its own, killed with SIGKILL midway and started again.</summary>
public sealed class KafkaCrashTests(MockKafkaCluster cluster, DatabaseFixture database, ITestOutputHelper output)
    : IClassFixture<MockKafkaCluster>, IClassFixture<DatabaseFixture>
{
    private const int Partitions = 6;
    private const int Events = 10_000;

    [Fact]
    public async Task A_consumer_killed_midway_and_restarted_stores_every_event_exactly_once()
    {
        var topic = cluster.CreateTopic(Partitions);
        var events = new Identifications(Events);
        var ends = MockKafkaCluster.Ends(await cluster.ProduceAsync(topic, events.Messages));
        var group = $"crash-{Guid.NewGuid():N}";
        using var offsets = cluster.WatchGroup(group);

        long committedAtKill;
        using (var victim = ConsumerProcess.Start(cluster, database, topic, group))
        {
            committedAtKill = await WaitForCommittedAsync(offsets, topic, ends, atLeast: Events / 4, victim);
            victim.Kill();
        }

        var storedAtKill = await CountEventsAsync();
        output.WriteLine($"Killed with {committedAtKill} offsets committed and {storedAtKill} events stored.");
        Assert.InRange(committedAtKill, Events / 4, Events - 1);

        var restarted = Stopwatch.StartNew();
        using (var successor = ConsumerProcess.Start(cluster, database, topic, group))
        {
            await offsets.WaitForAsync(topic, ends, TimeSpan.FromMinutes(5));
            output.WriteLine($"The restarted consumer caught up in {restarted.Elapsed.TotalSeconds:F1} s.");
        }

        await events.AssertStoredExactlyOnceAsync(database.DataSource);
    }

    private static async Task<long> WaitForCommittedAsync(
        GroupOffsets offsets, string topic, IReadOnlyDictionary<int, long> ends, long atLeast, ConsumerProcess victim)
    {
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (true)
        {
            var committed = offsets.Committed(topic, ends.Keys).Values.Sum();
            if (committed >= atLeast)
            {
                return committed;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Only {committed} offsets were committed. The consumer wrote:\n{victim.Output}");
            Assert.False(victim.HasExited, $"The consumer exited. It wrote:\n{victim.Output}");
            await Task.Delay(20);
        }
    }

    private async Task<long> CountEventsAsync()
    {
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM events");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>tests/KafkaConsumerHost, killed with SIGKILL when disposed if it is still running.</summary>
    private sealed class ConsumerProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _output = new();

        private ConsumerProcess(Process process)
        {
            _process = process;
            _process.OutputDataReceived += (_, e) => Keep(e.Data);
            _process.ErrorDataReceived += (_, e) => Keep(e.Data);
            _process.BeginOutputReadLine();
            _process.BeginErrorReadLine();
        }

        public bool HasExited => _process.HasExited;

        public string Output => string.Join('\n', _output);

        public static ConsumerProcess Start(MockKafkaCluster cluster, DatabaseFixture database, string topic, string group)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            string[] arguments =
            [
                Path.Combine(AppContext.BaseDirectory, "YoungCarers.KafkaConsumerHost.dll"),
                $"--ConnectionStrings:EventStore={database.ConnectionString}",
                $"--Kafka:BootstrapServers={cluster.BootstrapServers}",
                $"--Kafka:Topics:0={topic}",
                $"--Kafka:GroupId={group}",
                // Small batches, so the kill lands with many commits behind it and many ahead.
                "--Kafka:MaxBatch=100",
                // The killed member holds its partitions until its session times out.
                "--Kafka:Settings:session.timeout.ms=6000",
                "--Kafka:Settings:heartbeat.interval.ms=500",
                "--Logging:LogLevel:Default=Warning",
            ];
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            return new ConsumerProcess(Process.Start(start)!);
        }

        /// <summary>SIGKILL: no chance to finish the batch in flight, commit, or leave the group.</summary>
        public void Kill()
        {
            _process.Kill();
            _process.WaitForExit();
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                Kill();
            }

            _process.Dispose();
        }

        private void Keep(string? line)
        {
            if (line is null)
            {
                return;
            }

            _output.Enqueue(line);
            while (_output.Count > 200)
            {
                _output.TryDequeue(out _);
            }
        }
    }
}
