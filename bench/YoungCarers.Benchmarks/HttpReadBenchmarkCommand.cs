using System.CommandLine;

namespace YoungCarers.Benchmarks;

/// <summary>The <c>http-read</c> command's options.</summary>
internal static class HttpReadBenchmarkCommand
{
    public static Command Create()
    {
        var families = ProjectionBenchmarkCommands.Option("--families", 100_000, "Generated families in the prepared database.", minimum: 1);
        var seed = ProjectionBenchmarkCommands.Option("--seed", 20_250_303, "The generator's seed.", minimum: int.MinValue);
        var batch = ProjectionBenchmarkCommands.Option("--batch", 1_000, "Events per pipeline call while loading (file replay, not timed).", minimum: 1);
        var seconds = ProjectionBenchmarkCommands.Option("--seconds", 30, "How long each measured wrk run lasts.", minimum: 1);
        var warmup = ProjectionBenchmarkCommands.Option("--warmup", 10, "Seconds of the same load before each measured run, not measured.", minimum: 0);
        var threads = ProjectionBenchmarkCommands.Option("--threads", 2, "wrk threads.", minimum: 1);
        var connections = ProjectionBenchmarkCommands.Option("--connections", 32, "wrk connections (kept open, each with one request in flight).", minimum: 1);
        var rate = ProjectionBenchmarkCommands.Option("--rate", 0, "Requests a second wrk sends at most (paced with its delay hook); 0: each connection sends its next request as soon as the last is answered.", minimum: 0);
        var data = new Option<string>("--data")
        {
            Description = "Where the prepared database is kept between runs (an embedded PostgreSQL cluster and what it holds).",
            DefaultValueFactory = _ => Path.Combine(Path.GetTempPath(), "yc-bench-http-read"),
        };
        var regenerate = new Option<bool>("--regenerate") { Description = "Delete the kept database and prepare it again, even if it holds the data asked for." };
        var obligations = new Option<string>("--obligations-query")
        {
            Description = "The query string of the GET /obligations run.",
            DefaultValueFactory = _ => "status=overdue&owedBy=adult-social-care",
        };
        var connectionOptions = new Option<string?>("--connection-options")
        {
            Description = "Npgsql connection string settings added to the service's connection string (say \"Max Auto Prepare=32\").",
        };
        var api = new Option<string?>("--api")
        {
            Description = "The service to run: a YoungCarers.Api.dll (say an earlier build, to compare); by default src/Api as built with this benchmark.",
        };
        var projections = new Option<bool>("--projections") { Description = "Run the projection daemon and deadline worker in the service too (off: the read path alone)." };
        var serviceEnvironment = new Option<string[]>("--service-env")
        {
            Description = "Extra NAME=VALUE environment for the service (say DOTNET_gcServer=0); repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };

        var command = new Command(
            "http-read",
            "Prepares (or reuses) a database of generated families, starts the service as its own process, and loads GET /families/{id} and a filtered GET /obligations with wrk: requests/s, p50/p99 latency, errors and the service's peak RSS.")
        {
            families, seed, batch, seconds, warmup, threads, connections, rate, data, regenerate, obligations, api, connectionOptions, projections, serviceEnvironment,
        };
        command.SetAction((parse, cancellationToken) => HttpReadBenchmark.RunAsync(
            new HttpReadBenchmarkOptions(
                parse.GetValue(families),
                parse.GetValue(seed),
                parse.GetValue(batch),
                parse.GetValue(data)!,
                parse.GetValue(regenerate),
                TimeSpan.FromSeconds(parse.GetValue(seconds)),
                TimeSpan.FromSeconds(parse.GetValue(warmup)),
                parse.GetValue(threads),
                parse.GetValue(connections),
                parse.GetValue(rate),
                parse.GetValue(obligations)!,
                parse.GetValue(api),
                parse.GetValue(connectionOptions),
                parse.GetValue(projections),
                parse.GetValue(serviceEnvironment) ?? []),
            cancellationToken));
        return command;
    }
}

/// <param name="DataDirectory">Where the prepared database is kept between runs.</param>
/// <param name="Regenerate">Prepare the database again even when it holds these families.</param>
/// <param name="Duration">Each measured wrk run.</param>
/// <param name="Warmup">The unmeasured wrk run before each measured one.</param>
/// <param name="Rate">Requests a second wrk sends at most; 0 for as fast as the connections go.</param>
/// <param name="ObligationsQuery">The query string of the GET /obligations run.</param>
/// <param name="Api">The service's YoungCarers.Api.dll; null for the one built with the benchmark.</param>
/// <param name="ConnectionOptions">Npgsql settings added to the service's connection string.</param>
/// <param name="Projections">Run the projection daemon and deadline worker in the service.</param>
/// <param name="ServiceEnvironment">Extra NAME=VALUE environment for the service.</param>
internal sealed record HttpReadBenchmarkOptions(
    int Families,
    int Seed,
    int BatchSize,
    string DataDirectory,
    bool Regenerate,
    TimeSpan Duration,
    TimeSpan Warmup,
    int Threads,
    int Connections,
    int Rate,
    string ObligationsQuery,
    string? Api,
    string? ConnectionOptions,
    bool Projections,
    IReadOnlyList<string> ServiceEnvironment);
