using System.CommandLine;
using YoungCarers.Benchmarks;

var events = PositiveOption("--events", 1_000_000, "Events to append in the bulk phase.");
var streams = PositiveOption("--streams", 100_000, "Family streams the events are spread over.");
var batch = PositiveOption("--batch", 5_000, "Events per append (and per raw COPY).");
var concurrentSeconds = PositiveOption("--concurrent-seconds", 15, "How long the concurrent single-event phase runs.");
var writers = PositiveOption("--writers", 8, "Concurrent writers in the single-event phase.");
var connection = new Option<string?>("--connection")
{
    Description = "An Npgsql connection string for a role that may create databases; without it an embedded PostgreSQL is started.",
};

var append = new Command("append", "Bulk append throughput against raw COPY, then concurrent single-event appends.")
{
    events, streams, batch, concurrentSeconds, writers, connection,
};
append.SetAction((parseResult, cancellationToken) => AppendBenchmark.RunAsync(
    new AppendBenchmarkOptions(
        parseResult.GetValue(events),
        parseResult.GetValue(streams),
        parseResult.GetValue(batch),
        parseResult.GetValue(connection),
        TimeSpan.FromSeconds(parseResult.GetValue(concurrentSeconds)),
        parseResult.GetValue(writers)),
    cancellationToken));

return await new RootCommand("YoungCarers event store and ingest benchmarks.") { append, IngestBenchmarkCommand.Create(), ProjectionBenchmarkCommands.Rebuild(), ProjectionBenchmarkCommands.Lag(), ProjectionBenchmarkCommands.Evaluate(), HttpReadBenchmarkCommand.Create() }.Parse(args).InvokeAsync();

static Option<int> PositiveOption(string name, int defaultValue, string description)
{
    var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
    option.Validators.Add(result =>
    {
        if (result.GetValueOrDefault<int>() <= 0)
        {
            result.AddError($"{name} must be a positive number.");
        }
    });
    return option;
}
