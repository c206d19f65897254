using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;
using YoungCarers.Domain.Policy;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Projections;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.Rebuild;

namespace YoungCarers.Benchmarks;

/// <summary>
/// The <c>http-read</c> command. Prepares a durable database of generated families once (loaded
/// through the ingest pipeline by file replay, then the read model rebuilt) and keeps it for later
/// runs; starts the real service on it as its own process (Release build, production logging, rate
/// limiting off, a signing key of its own so it can mint a token with the service's <c>token</c>
/// command); then loads GET /families/{id} (ids picked at random from the live families) and a
/// filtered GET /obligations with wrk, each after a warm-up run, and reports requests/s, latency
/// percentiles, errors, the access log rows written, the disk's flush latencies during each run
/// (<see cref="StorageLatency"/>), and the service's peak resident memory.
/// </summary>
internal static class HttpReadBenchmark
{
    private const string DatabaseName = "youngcarers";
    private const string Purpose = "http-read benchmark";
    private const double TargetRequestsPerSecond = 2_000;
    private const double TargetP99Milliseconds = 20;
    private const double TargetPeakMegabytes = 512;

    public static async Task<int> RunAsync(HttpReadBenchmarkOptions options, CancellationToken cancellationToken)
    {
        if (!Wrk.IsInstalled())
        {
            await Console.Error.WriteLineAsync("wrk is not installed (Debian: apt-get install wrk).");
            return 2;
        }

        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        var marker = Path.Combine(dataDirectory, "prepared");
        var wanted = string.Create(CultureInfo.InvariantCulture, $"families={options.Families} seed={options.Seed}");
        var reuse = !options.Regenerate && File.Exists(marker) && (await File.ReadAllTextAsync(marker, cancellationToken)).Trim() == wanted;
        if (!reuse && Directory.Exists(dataDirectory))
        {
            await Console.Error.WriteLineAsync($"Deleting the kept database in {dataDirectory}...");
            Directory.Delete(dataDirectory, recursive: true);
        }

        await Console.Error.WriteLineAsync(reuse ? $"Reusing the prepared database in {dataDirectory} ({wanted})." : "Starting embedded PostgreSQL...");
        var clusterDirectory = Path.Combine(dataDirectory, "postgres");
        await using var database = await BenchmarkDatabase.OpenKeptAsync(
            clusterDirectory, DatabaseName, reuse ? null : [typeof(IngestPipeline).Assembly, typeof(ProjectionsRegistration).Assembly], cancellationToken);
        if (!reuse)
        {
            await PrepareAsync(database.DataSource, dataDirectory, options, cancellationToken);
            await File.WriteAllTextAsync(marker, wanted, cancellationToken);
        }

        var server = await ServerFacts.ReadAsync(database.DataSource, cancellationToken);
        var facts = await ProjectionBenchmarkData.ReadStoreFactsAsync(database.DataSource, cancellationToken);
        var idFile = Path.Combine(dataDirectory, "family-ids.txt");
        var liveFamilies = await WriteLiveFamilyIdsAsync(database.DataSource, idFile, cancellationToken);

        var environment = ServiceEnvironment(database.DataSource.ConnectionString, options);
        var api = Path.GetFullPath(options.Api ?? ServiceProcess.BuiltApiAssemblyPath());
        await Console.Error.WriteLineAsync($"Starting the service ({api})...");
        await using var service = await ServiceProcess.StartAsync(api, environment, cancellationToken);
        var token = await ServiceProcess.RunCommandAsync(
            api, ["token", "--client", "http-read-benchmark", "--scope", "families:read obligations:read", "--lifetime", "2h"], environment, cancellationToken);
        var headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}", ["X-Access-Purpose"] = Purpose };
        var firstFamily = (await File.ReadAllLinesAsync(idFile, cancellationToken))[0];
        var obligationsPath = $"/obligations?{options.ObligationsQuery}";
        var obligationsOnFirstPage = await CheckAsync(service, headers, $"/families/{firstFamily}", obligationsPath, cancellationToken);

        var runs = new List<Run>();
        foreach (var (label, path, ids) in new (string, string, string?)[]
        {
            ("GET /families/{id}", "/families/", idFile),
            ("GET /obligations (filtered)", obligationsPath, null),
        })
        {
            var auditBefore = await LastAuditIdAsync(database.DataSource, cancellationToken);
            WrkResult? warm = null;
            if (options.Warmup > TimeSpan.Zero)
            {
                await Console.Error.WriteLineAsync($"Warming up {label} for {options.Warmup.TotalSeconds:N0} s...");
                warm = await Wrk.RunAsync(service.BaseAddress, path, ids, headers, options.Threads, options.Connections, options.Rate, options.Warmup, cancellationToken);
            }

            await Console.Error.WriteLineAsync($"Measuring {label} for {options.Duration.TotalSeconds:N0} s...");
            var loadBefore = MachineLoad.Average();
            var cpuBefore = Cpu(service, clusterDirectory);
            await using var storage = StorageLatency.Start(dataDirectory);
            var measured = await Wrk.RunAsync(service.BaseAddress, path, ids, headers, options.Threads, options.Connections, options.Rate, options.Duration, cancellationToken);
            var flushes = await storage.StopAsync();
            var cpu = Cpu(service, clusterDirectory) - cpuBefore;
            var loadAfter = MachineLoad.Average();
            var auditRows = await AuditRowsSinceAsync(database.DataSource, auditBefore, cancellationToken);
            runs.Add(new Run(label, measured, (warm?.Requests ?? 0) + measured.Requests, (warm?.Errors ?? 0) + measured.Errors, auditRows, loadBefore, loadAfter, cpu, flushes));
        }

        var exited = service.HasExited;
        var peakResident = service.PeakResidentMegabytes;
        var peakSampled = service.PeakSampledMegabytes;
        var failed = exited || runs.Any(run => run.Errors > 0 || run.AuditRows < run.Responses);

        var report = new Report();
        report.Title("HTTP read benchmark: the service as its own process, loaded with wrk from the same machine");
        report.Machine(inProcess: false);
        report.Row("postgresql", $"{server.Version} ({database.Description})");
        report.Row("server settings", $"fsync={server.Fsync} synchronous_commit={server.SynchronousCommit} shared_buffers={server.SharedBuffers}");
        report.Row("data", string.Create(CultureInfo.InvariantCulture, $"{options.Families:N0} generated families"),
            string.Create(CultureInfo.InvariantCulture, $"seed {options.Seed}; {facts.Events:N0} events, {liveFamilies:N0} live families ({facts.ArchivedStreams:N0} merged away), {facts.ReadModelObligations:N0} obligations; {(reuse ? "kept from an earlier run" : "prepared by this run")}"));
        report.Row("service", options.Api is null ? "src/Api, this build" : api,
            $"Production, logging Warning, rate limiting off, projections {(options.Projections ? "on" : "off")}"
            + (options.ConnectionOptions is { Length: > 0 } extra ? $", connection string + \"{extra}\"" : "")
            + (options.ServiceEnvironment.Count > 0 ? ", " + string.Join(' ', options.ServiceEnvironment) : ""));
        report.Row("load", string.Create(CultureInfo.InvariantCulture, $"wrk -t{options.Threads} -c{options.Connections}{(options.Rate > 0 ? $", paced to {options.Rate:N0}/s" : "")}"),
            string.Create(CultureInfo.InvariantCulture, $"{options.Duration.TotalSeconds:N0} s measured after {options.Warmup.TotalSeconds:N0} s of warm-up; purpose header and bearer token on every request"));
        report.Row("first obligations page", string.Create(CultureInfo.InvariantCulture, $"{obligationsOnFirstPage} items"), obligationsPath);
        report.Blank();
        report.Title(string.Create(CultureInfo.InvariantCulture,
            $"Per endpoint (targets: >= {TargetRequestsPerSecond:N0} requests/s with p99 < {TargetP99Milliseconds:N0} ms; errors must be 0)"));
        foreach (var run in runs)
        {
            var result = run.Result;
            var met = result.RequestsPerSecond >= TargetRequestsPerSecond && result.P99Milliseconds < TargetP99Milliseconds;
            report.Row(run.Label, string.Create(CultureInfo.InvariantCulture, $"{result.RequestsPerSecond,8:N0} requests/s"),
                string.Create(CultureInfo.InvariantCulture, $"p50 {result.P50Milliseconds:N1} ms, p90 {result.P90Milliseconds:N1} ms, p99 {result.P99Milliseconds:N1} ms, max {result.MaxMilliseconds:N0} ms  ")
                + ProjectionBenchmarkData.Verdict(met, "throughput and p99"));
            report.Row("  errors (status >= 400, socket)", string.Create(CultureInfo.InvariantCulture, $"{run.Errors,8:N0}"),
                string.Create(CultureInfo.InvariantCulture, $"{run.Responses:N0} responses in all (warm-up included)  ") + ProjectionBenchmarkData.Verdict(run.Errors == 0, "must be 0"));
            report.Row("  access log rows written", string.Create(CultureInfo.InvariantCulture, $"{run.AuditRows,8:N0}"),
                ProjectionBenchmarkData.Verdict(run.AuditRows >= run.Responses, "at least one per response"));
            if (run.Cpu.PerRequestMilliseconds(result.Requests) is { } perRequest)
            {
                var (serviceCpu, postgresCpu, wrkCpu) = perRequest;
                var total = serviceCpu + postgresCpu + wrkCpu;
                report.Row("  CPU per request", string.Create(CultureInfo.InvariantCulture, $"{total,8:N2} ms"), string.Create(CultureInfo.InvariantCulture,
                    $"service {serviceCpu:N2} ms, PostgreSQL {postgresCpu:N2} ms, wrk {wrkCpu:N2} ms: {Environment.ProcessorCount} processors to themselves would serve about {Environment.ProcessorCount * 1000 / total:N0} requests/s"));
            }

            report.Row("  load average", $"{run.LoadBefore} -> {run.LoadAfter}", "1, 5 and 15 minutes, before and after the measured run (the machine is shared)");
            report.Row("  disk flushes beside it", string.Create(CultureInfo.InvariantCulture, $"max {run.Storage.MaxMilliseconds,6:N0} ms"),
                run.Storage + "; every read waits for its access record's durable commit, so a slow flush delays the reads behind it");
        }

        report.Blank();
        report.Row("service peak RSS (VmHWM)", peakResident is { } peak ? string.Create(CultureInfo.InvariantCulture, $"{peak,8:N0} MB") : "n/a",
            (peakResident is { } p ? ProjectionBenchmarkData.Verdict(p < TargetPeakMegabytes, string.Create(CultureInfo.InvariantCulture, $"target < {TargetPeakMegabytes:N0} MB")) + "; " : "")
            + string.Create(CultureInfo.InvariantCulture, $"start-up included; largest VmRSS sampled every 100 ms {peakSampled:N0} MB"));
        if (exited)
        {
            report.Row("service", "EXITED", "the service stopped during the run:");
        }

        report.WriteTo(Console.Out);
        if (exited)
        {
            await Console.Out.WriteLineAsync(service.OutputTail());
        }

        if (failed)
        {
            await Console.Error.WriteLineAsync("FAILED: errors, missing access log rows, or the service stopped (see above).");
        }

        return failed ? 1 : 0;
    }

    /// <summary>Generates and loads the families through the pipeline, rebuilds the read model, and refreshes the planner's statistics.</summary>
    private static async Task PrepareAsync(NpgsqlDataSource dataSource, string dataDirectory, HttpReadBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var file = Path.Combine(dataDirectory, "families.ndjson");
        try
        {
            await ProjectionBenchmarkData.GenerateFileAsync(file, options.Families, options.Seed, cancellationToken);
            var loaded = await ProjectionBenchmarkData.LoadAsync(dataSource, file, options.BatchSize, cancellationToken);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Loaded {loaded.Events:N0} lines in {ProjectionBenchmarkData.Seconds(loaded.Elapsed)}; rebuilding the read model..."));
            var rebuilt = await new ReadModelRebuild(dataSource, new FamilyReadModel(LocalPolicy.Default, TimeProvider.System))
                .RunAsync(new RebuildOptions(), progress: null, cancellationToken);
            await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Rebuilt {rebuilt.Families:N0} families in {ProjectionBenchmarkData.Seconds(rebuilt.Elapsed)}; analysing..."));
            await using var analyse = dataSource.CreateCommand("VACUUM (ANALYZE)");
            analyse.CommandTimeout = 0;
            await analyse.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<long> WriteLiveFamilyIdsAsync(NpgsqlDataSource dataSource, string file, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT family_id FROM {ReadModelSchema.Quote(ReadModelSchema.Live)}.families WHERE survivor_id IS NULL ORDER BY family_id");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await using var writer = new StreamWriter(file);
        long count = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            // Family ids are generated by the store (no characters that need escaping in a path).
            await writer.WriteLineAsync(reader.GetString(0));
            count++;
        }

        return count > 0 ? count : throw new InvalidOperationException("The read model has no live families.");
    }

    /// <summary>The service's configuration: the prepared database, a fresh signing key, production logging, no rate limit.</summary>
    private static Dictionary<string, string> ServiceEnvironment(string connectionString, HttpReadBenchmarkOptions options)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__EventStore"] = string.IsNullOrWhiteSpace(options.ConnectionOptions) ? connectionString : $"{connectionString};{options.ConnectionOptions}",
            ["Auth__SymmetricKeys__0"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            ["RateLimiting__Enabled"] = "false",
            ["Projections__Enabled"] = options.Projections ? "true" : "false",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var setting in options.ServiceEnvironment)
        {
            var equals = setting.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new ArgumentException($"--service-env takes NAME=VALUE, not {setting}.");
            }

            environment[setting[..equals]] = setting[(equals + 1)..];
        }

        return environment;
    }

    /// <summary>One request of each kind before the load: both must answer 200. Returns how many obligations the first page lists.</summary>
    private static async Task<int> CheckAsync(ServiceProcess service, Dictionary<string, string> headers, string familyPath, string obligationsPath, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = service.BaseAddress };
        http.DefaultRequestHeaders.Authorization = AuthenticationHeaderValue.Parse(headers["Authorization"]);
        http.DefaultRequestHeaders.Add("X-Access-Purpose", headers["X-Access-Purpose"]);
        JsonElement? obligations = null;
        foreach (var path in new[] { familyPath, obligationsPath })
        {
            using var response = await http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"GET {path} answered {(int)response.StatusCode}: {body}");
            }

            obligations = JsonDocument.Parse(body).RootElement;
        }

        return obligations!.Value.GetProperty("items").GetArrayLength();
    }

    private static async Task<long> LastAuditIdAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT coalesce(max(id), 0) FROM access_audit");
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task<long> AuditRowsSinceAsync(NpgsqlDataSource dataSource, long afterId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*) FROM access_audit WHERE id > @after");
        command.Parameters.AddWithValue("after", afterId);
        command.CommandTimeout = 600;
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static CpuUse Cpu(ServiceProcess service, string clusterDirectory) =>
        new(CpuTime.OfProcess(service.ProcessId), CpuTime.OfPostgres(clusterDirectory), CpuTime.OfWaitedChildren());

    /// <param name="Responses">Responses wrk counted, warm-up included.</param>
    /// <param name="Errors">Errors wrk counted, warm-up included.</param>
    private sealed record Run(string Label, WrkResult Result, long Responses, long Errors, long AuditRows, string LoadBefore, string LoadAfter, CpuUse Cpu, StorageLatencySummary Storage);

    /// <summary>CPU time of the service, the database server and wrk (null where it could not be read).</summary>
    private sealed record CpuUse(TimeSpan? Service, TimeSpan? Postgres, TimeSpan? Wrk)
    {
        public static CpuUse operator -(CpuUse after, CpuUse before) =>
            new(after.Service - before.Service, after.Postgres - before.Postgres, after.Wrk - before.Wrk);

        public (double Service, double Postgres, double Wrk)? PerRequestMilliseconds(long requests) =>
            requests > 0 && Service is { } service && Postgres is { } postgres && Wrk is { } wrk
                ? (service.TotalMilliseconds / requests, postgres.TotalMilliseconds / requests, wrk.TotalMilliseconds / requests)
                : null;
    }
}
