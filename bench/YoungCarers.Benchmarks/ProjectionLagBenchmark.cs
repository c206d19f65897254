using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Streams;
using YoungCarers.Generation;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Projections;
using YoungCarers.Projections.Daemon;
using YoungCarers.Projections.ReadModel;
using SyntheticEvents = YoungCarers.Generation.EventGenerator;

namespace YoungCarers.Benchmarks;

/// <summary>
/// The <c>lag</c> command: the projection daemon and deadline worker run in this process exactly as
/// the service registers them (<see cref="ProjectionsRegistration.AddProjections"/> in a generic
/// host), while generated events go through the real ingest pipeline at a steady rate, one
/// transaction per call. For every accepted event it measures the time from the pipeline's
/// acknowledgement (the call returned, so the append had committed) to the first moment the
/// projection's checkpoint was seen at or past that event's position in the all-events order. The
/// daemon moves the checkpoint in the same transaction as the read model rows of the page, so
/// from that moment the read model reflects the event.
/// </summary>
internal static class ProjectionLagBenchmark
{
    private const double TargetP99Milliseconds = 1_000;
    private static readonly TimeSpan CheckpointPoll = TimeSpan.FromMilliseconds(5);
    private static readonly TimeSpan CatchUpTimeout = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(ProjectionLagBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var wanted = (long)options.Rate * (options.Seconds + options.WarmupSeconds);
        var families = ProjectionBenchmarkData.FamiliesFor(wanted + (wanted / 10) + options.BatchSize, options.Seed);
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Generating {families:N0} families (~{wanted:N0} lines are sent)..."));
        var lines = SyntheticEvents.Generate(new GenerationOptions(families, options.Seed))
            .Take((int)Math.Min(wanted, int.MaxValue))
            .Select(line => Encoding.UTF8.GetBytes(line.Json))
            .ToList();

        await using var database = await ProjectionBenchmarkData.CreateDatabaseAsync(options.ConnectionString, cancellationToken);
        var server = await ServerFacts.ReadAsync(database.DataSource, cancellationToken);

        // As the service: AddProjections in a host, default options unless configured.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddSingleton(database.DataSource);
        builder.Services.AddProjections(builder.Configuration);
        using var host = builder.Build();
        var daemonOptions = host.Services.GetRequiredService<ProjectionDaemonOptions>();
        await host.StartAsync(cancellationToken);

        var checkpoints = new ProjectionCheckpoints(database.DataSource);
        var seen = new List<(long At, GlobalPosition Position)>();
        using var stopPolling = new CancellationTokenSource();
        var polling = Task.Run(() => PollCheckpointAsync(checkpoints, seen, stopPolling.Token), CancellationToken.None);

        var pipeline = new IngestPipeline(new PostgresEventStore(database.DataSource), new QuarantineStore(database.DataSource), TimeProvider.System);
        var warmupLines = Math.Min(lines.Count / 2, options.Rate * options.WarmupSeconds);
        if (warmupLines > 0)
        {
            // Warm up (JIT, caches, connection pools) at the same rate, then let the daemon catch up: not measured.
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"Warming up: {warmupLines:N0} events at {options.Rate:N0}/s..."));
            var warmup = await SendAsync(pipeline, lines.GetRange(0, warmupLines), options, seen, cancellationToken);
            await ResolvePositionsAsync(database.DataSource, warmup.Batches, cancellationToken);
            if (!await WaitForAsync(seen, warmup.Batches.Max(batch => batch.Position), cancellationToken))
            {
                throw new TimeoutException("The daemon did not catch up with the warm-up events.");
            }
        }

        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"Ingesting {lines.Count - warmupLines:N0} events at {options.Rate:N0}/s in calls of {options.BatchSize} for {options.Seconds} s, the daemon projecting..."));
        var measuredFrom = (At: Stopwatch.GetTimestamp(), Latest(seen).Sequence);
        var loadBefore = MachineLoad.Average();
        var cpuBefore = ProjectionBenchmarkData.Cpu(database);
        var (batches, sendingElapsed, late) = await SendAsync(pipeline, lines.GetRange(warmupLines, lines.Count - warmupLines), options, seen, cancellationToken);
        var sent = lines.Count - warmupLines;

        // Each call is one transaction: its accepted events' last position in the all-events order.
        await Console.Error.WriteLineAsync("Waiting for the daemon to reach the last event...");
        await ResolvePositionsAsync(database.DataSource, batches, cancellationToken);
        var lastPosition = batches.Count == 0 ? GlobalPosition.Start : batches.Max(batch => batch.Position);
        await WaitForAsync(seen, lastPosition, cancellationToken);
        var caughtUpAt = Stopwatch.GetTimestamp();
        var cpuAfter = ProjectionBenchmarkData.Cpu(database);
        var loadAfter = MachineLoad.Average();

        await stopPolling.CancelAsync();
        await polling;
        await host.StopAsync(CancellationToken.None);

        // For each call, the first poll that saw the checkpoint at or past it; the same lag for each of its events.
        var lags = new List<double>();
        long unreflected = 0, beforeAcknowledgement = 0;
        foreach (var batch in batches)
        {
            var index = FirstAtOrPast(seen, batch.Position);
            if (index < 0)
            {
                unreflected += batch.Accepted.Count;
                continue;
            }

            var lag = Stopwatch.GetElapsedTime(batch.AcknowledgedAt, seen[index].At).TotalMilliseconds;
            if (lag < 0)
            {
                // The daemon applied it before the pipeline call returned to the caller.
                beforeAcknowledgement += batch.Accepted.Count;
                lag = 0;
            }

            lags.AddRange(Enumerable.Repeat(lag, batch.Accepted.Count));
        }

        lags.Sort();
        var facts = await ProjectionBenchmarkData.ReadStoreFactsAsync(database.DataSource, cancellationToken);
        var p50 = Percentile(lags, 0.50);
        var p99 = Percentile(lags, 0.99);
        var report = new Report();
        report.Title("Projection lag benchmark: the daemon as the service runs it, under steady ingestion through the pipeline");
        report.Machine(inProcess: true);
        report.Row("postgresql", $"{server.Version} ({database.Description})");
        report.Row("server settings", $"fsync={server.Fsync} synchronous_commit={server.SynchronousCommit} shared_buffers={server.SharedBuffers} max_wal_size={server.MaxWalSize}");
        report.Row("daemon", string.Create(CultureInfo.InvariantCulture, $"pages of {daemonOptions.PageSize:N0}"),
            string.Create(CultureInfo.InvariantCulture, $"polls every {daemonOptions.PollInterval.TotalMilliseconds:N0} ms when caught up (AddProjections defaults); deadline worker running too"));
        report.Row("offered", string.Create(CultureInfo.InvariantCulture, $"{options.Rate,10:N0} events/s"),
            string.Create(CultureInfo.InvariantCulture, $"{options.BatchSize} per pipeline call, {options.Seconds} s measured after {options.WarmupSeconds} s of warm-up (caught up before measuring), {families:N0} generated families, seed {options.Seed}"));
        report.Row("achieved", string.Create(CultureInfo.InvariantCulture, $"{sent / sendingElapsed.TotalSeconds,10:N0} events/s"),
            string.Create(CultureInfo.InvariantCulture, $"{sent:N0} sent in {sendingElapsed.TotalSeconds:N1} s; {late:N0} calls started over 100 ms late"));
        // Sequence numbers are taken per stored event, so their advance counts the events the daemon applied.
        var applyRate = (lastPosition.Sequence - measuredFrom.Sequence) / Stopwatch.GetElapsedTime(measuredFrom.At, caughtUpAt).TotalSeconds;
        report.Row("daemon applied", string.Create(CultureInfo.InvariantCulture, $"{applyRate,10:N0} events/s"),
            "from the start of the measured phase until it reached the last event (its throughput when behind)");
        ProjectionBenchmarkData.CpuRow(report, "CPU (ingest and daemon)", cpuBefore, cpuAfter, lastPosition.Sequence - measuredFrom.Sequence, loadBefore, loadAfter);
        report.Row("stored in all", string.Create(CultureInfo.InvariantCulture, $"{facts.Events,10:N0} events"),
            string.Create(CultureInfo.InvariantCulture, $"{lags.Count + unreflected:N0} accepted in the measured phase (the rest duplicates or quarantined); {facts.LiveStreams:N0} live families, {facts.ArchivedStreams:N0} merged away"));
        report.Blank();
        report.Title("Lag per accepted event: pipeline call returned (append committed) -> checkpoint seen at or past it (read model committed)");
        report.Row("measured by", string.Create(CultureInfo.InvariantCulture, $"polling the checkpoint every {CheckpointPoll.TotalMilliseconds:N0} ms"),
            "each call's events share its transaction; its position is its last accepted event's");
        report.Row("p50", string.Create(CultureInfo.InvariantCulture, $"{p50,10:N0} ms"));
        report.Row("p99", string.Create(CultureInfo.InvariantCulture, $"{p99,10:N0} ms"),
            ProjectionBenchmarkData.Verdict(lags.Count > 0 && unreflected == 0 && p99 < TargetP99Milliseconds, string.Create(CultureInfo.InvariantCulture, $"target < {TargetP99Milliseconds:N0} ms")));
        report.Row("max", string.Create(CultureInfo.InvariantCulture, $"{(lags.Count > 0 ? lags[^1] : 0),10:N0} ms"));
        report.Row("reflected before the call returned", string.Create(CultureInfo.InvariantCulture, $"{beforeAcknowledgement,10:N0}"), "counted as 0 ms");
        report.Row("never reflected", string.Create(CultureInfo.InvariantCulture, $"{unreflected,10:N0}"),
            string.Create(CultureInfo.InvariantCulture, $"within {CatchUpTimeout.TotalMinutes:N0} min of the last call"));
        report.Row("read model", string.Create(CultureInfo.InvariantCulture, $"{facts.ReadModelFamilies,10:N0} family rows"), string.Create(CultureInfo.InvariantCulture, $"{facts.ReadModelObligations:N0} obligations"));
        report.Row("peak RSS (VmHWM)", PeakMemory.ResidentMegabytes() is { } peak ? string.Create(CultureInfo.InvariantCulture, $"{peak,10:N0} MB") : "n/a", "generated events held in memory, pipeline and daemon");
        report.WriteTo(Console.Out);
        return unreflected == 0 ? 0 : 1;
    }

    /// <summary>Sends the lines through the pipeline at the steady rate, one call per batch, from now.</summary>
    private static async Task<(List<SentBatch> Batches, TimeSpan Elapsed, long Late)> SendAsync(
        IngestPipeline pipeline, List<byte[]> lines, ProjectionLagBenchmarkOptions options, List<(long At, GlobalPosition Position)> seen, CancellationToken cancellationToken)
    {
        var batches = new List<SentBatch>();
        var started = Stopwatch.GetTimestamp();
        var lastReport = started;
        long late = 0;
        for (var offset = 0; offset < lines.Count; offset += options.BatchSize)
        {
            // Steady: the call for the events from `offset` is due at offset / rate seconds.
            var due = started + (long)(offset * (double)Stopwatch.Frequency / options.Rate);
            var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            else if (wait < -TimeSpan.FromMilliseconds(100))
            {
                late++;
            }

            var payloads = lines.GetRange(offset, Math.Min(options.BatchSize, lines.Count - offset))
                .ConvertAll(bytes => new InboundPayload(bytes, Arrival.Http("lag-benchmark")));
            var results = await pipeline.IngestAsync(payloads, cancellationToken);
            var acknowledged = Stopwatch.GetTimestamp();
            var accepted = results.OfType<AcceptedResult>().ToList();
            if (accepted.Count > 0)
            {
                batches.Add(new SentBatch(acknowledged, accepted));
            }

            if (Stopwatch.GetElapsedTime(lastReport) >= TimeSpan.FromSeconds(5))
            {
                lastReport = Stopwatch.GetTimestamp();
                await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"  {Stopwatch.GetElapsedTime(started).TotalSeconds,5:F0} s  {offset + payloads.Count,9:N0} sent  checkpoint {Latest(seen)}"));
            }
        }

        return (batches, Stopwatch.GetElapsedTime(started), late);
    }

    /// <summary>Until the checkpoint is seen at or past <paramref name="position"/>; false after <see cref="CatchUpTimeout"/>.</summary>
    private static async Task<bool> WaitForAsync(List<(long At, GlobalPosition Position)> seen, GlobalPosition position, CancellationToken cancellationToken)
    {
        var waiting = Stopwatch.StartNew();
        while (Latest(seen) < position)
        {
            if (waiting.Elapsed > CatchUpTimeout)
            {
                return false;
            }

            await Task.Delay(20, cancellationToken);
        }

        return true;
    }

    private static async Task PollCheckpointAsync(ProjectionCheckpoints checkpoints, List<(long At, GlobalPosition Position)> seen, CancellationToken stop)
    {
        var last = GlobalPosition.Start;
        while (!stop.IsCancellationRequested)
        {
            var position = await checkpoints.LoadAsync(FamilyReadModelProjection.ProjectionName, CancellationToken.None);
            var at = Stopwatch.GetTimestamp();
            if (position != last)
            {
                lock (seen)
                {
                    seen.Add((at, position));
                }

                last = position;
            }

            try
            {
                await Task.Delay(CheckpointPoll, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static GlobalPosition Latest(List<(long At, GlobalPosition Position)> seen)
    {
        lock (seen)
        {
            return seen.Count == 0 ? GlobalPosition.Start : seen[^1].Position;
        }
    }

    /// <summary>The first observation at or past <paramref name="position"/> (the checkpoint only moves forward), or -1.</summary>
    private static int FirstAtOrPast(List<(long At, GlobalPosition Position)> seen, GlobalPosition position)
    {
        int low = 0, high = seen.Count - 1, found = -1;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (seen[middle].Position >= position)
            {
                found = middle;
                high = middle - 1;
            }
            else
            {
                low = middle + 1;
            }
        }

        return found;
    }

    private static async Task ResolvePositionsAsync(NpgsqlDataSource dataSource, List<SentBatch> batches, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var batch in batches)
        {
            await using var command = new NpgsqlCommand("""
                SELECT e.transaction_id::text AS position_transaction, e.seq
                FROM events e
                JOIN unnest(@sources, @ids) AS a(source, source_event_id) USING (source, source_event_id)
                ORDER BY e.transaction_id DESC, e.seq DESC
                LIMIT 1
                """, connection);
            command.Parameters.AddWithValue("sources", batch.Accepted.Select(a => a.Source).ToArray());
            command.Parameters.AddWithValue("ids", batch.Accepted.Select(a => a.SourceEventId).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException($"Accepted events of a call are not in the store ({batch.Accepted[0].Source} {batch.Accepted[0].SourceEventId}).");
            }

            batch.Position = new GlobalPosition(ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetInt64(1));
        }
    }

    private static double Percentile(List<double> sorted, double fraction) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Count) - 1, 0, sorted.Count - 1)];

    private sealed class SentBatch(long acknowledgedAt, List<AcceptedResult> accepted)
    {
        public long AcknowledgedAt => acknowledgedAt;

        public List<AcceptedResult> Accepted => accepted;

        public GlobalPosition Position { get; set; }
    }
}
