using System.CommandLine;

namespace YoungCarers.Benchmarks;

/// <summary>The <c>rebuild</c>, <c>lag</c> and <c>evaluate</c> commands: the family read model's rebuild throughput, the projection daemon's lag, and the rebuild's work in the process alone.</summary>
internal static class ProjectionBenchmarkCommands
{
    public static Command Rebuild()
    {
        var events = Option("--events", 1_000_000, "About how many events to generate and load before the rebuild (whole families, so a few more or less).", minimum: 1);
        var seed = Option("--seed", 20_250_303, "The generator's seed.", minimum: int.MinValue);
        var batch = Option("--batch", 1_000, "Events per pipeline call while loading (file replay, not timed).", minimum: 1);
        var parallelism = Option("--parallelism", Math.Clamp(Environment.ProcessorCount, 1, 2), "Chunks of families the rebuild reads and evaluates at once (as rebuild --parallelism).", minimum: 1);
        var chunk = Option("--chunk", 2_000, "Families per rebuild chunk (as rebuild --chunk).", minimum: 1);
        var rounds = Option("--rounds", 1, "Rebuilds of the loaded store; those after the first are reported a row each.", minimum: 1);
        var connection = ConnectionOption();
        var command = new Command("rebuild", "Loads generated events through the ingest pipeline (not timed), then rebuilds the family read model from the event store and reports its rate and peak memory.")
        {
            events, seed, batch, parallelism, chunk, rounds, connection,
        };
        command.SetAction((parse, cancellationToken) => ProjectionRebuildBenchmark.RunAsync(
            new ProjectionRebuildBenchmarkOptions(
                parse.GetValue(events), parse.GetValue(seed), parse.GetValue(batch), parse.GetValue(parallelism), parse.GetValue(chunk), parse.GetValue(rounds), parse.GetValue(connection)),
            cancellationToken));
        return command;
    }

    public static Command Lag()
    {
        var rate = Option("--rate", 2_000, "Events per second sent through the ingest pipeline, steadily.", minimum: 1);
        var seconds = Option("--seconds", 60, "How long to ingest at that rate.", minimum: 1);
        var batch = Option("--batch", 50, "Events per pipeline call (one transaction each).", minimum: 1);
        var warmup = Option("--warmup", 10, "Seconds of ingestion at the same rate before measuring (the daemon catches up before measuring starts).", minimum: 0);
        var seed = Option("--seed", 20_250_303, "The generator's seed.", minimum: int.MinValue);
        var connection = ConnectionOption();
        var command = new Command("lag", "Runs the projection daemon as the service does while ingesting at a steady rate, and reports how long each event takes from its acknowledged append to the read model.")
        {
            rate, seconds, batch, warmup, seed, connection,
        };
        command.SetAction((parse, cancellationToken) => ProjectionLagBenchmark.RunAsync(
            new ProjectionLagBenchmarkOptions(parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(batch), parse.GetValue(warmup), parse.GetValue(seed), parse.GetValue(connection)),
            cancellationToken));
        return command;
    }

    public static Command Evaluate()
    {
        var families = Option("--families", 20_000, "Generated families to evaluate.", minimum: 1);
        var seed = Option("--seed", 20_250_303, "The generator's seed.", minimum: int.MinValue);
        var rounds = Option("--rounds", 5, "Timed rounds over every family, after one untimed warm-up round.", minimum: 1);
        var command = new Command("evaluate", "Times the rebuild's work in this process apart from the database, single-threaded: deserialising a family's events, folding them and evaluating the state, in microseconds and kilobytes allocated a family.")
        {
            families, seed, rounds,
        };
        command.SetAction(parse => FamilyEvaluationBenchmark.Run(new FamilyEvaluationBenchmarkOptions(parse.GetValue(families), parse.GetValue(seed), parse.GetValue(rounds))));
        return command;
    }

    private static Option<string?> ConnectionOption() => new("--connection")
    {
        Description = "An Npgsql connection string for a role that may create databases; without it an embedded PostgreSQL is started.",
    };

    internal static Option<int> Option(string name, int defaultValue, string description, int minimum)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < minimum)
            {
                result.AddError($"{name} must be at least {minimum}.");
            }
        });
        return option;
    }
}

/// <param name="Events">About how many lines to generate and load.</param>
/// <param name="BatchSize">Lines per pipeline call while loading.</param>
/// <param name="Parallelism">The rebuild's parallelism.</param>
/// <param name="FamiliesPerChunk">The rebuild's chunk size.</param>
/// <param name="Rounds">Rebuilds of the one loaded store.</param>
/// <param name="ConnectionString">A server to create the run's database on; null starts an embedded PostgreSQL.</param>
internal sealed record ProjectionRebuildBenchmarkOptions(int Events, int Seed, int BatchSize, int Parallelism, int FamiliesPerChunk, int Rounds, string? ConnectionString);

/// <param name="Rate">Events per second offered to the pipeline.</param>
/// <param name="Seconds">How long the steady ingestion runs.</param>
/// <param name="BatchSize">Events per pipeline call.</param>
/// <param name="ConnectionString">A server to create the run's database on; null starts an embedded PostgreSQL.</param>
/// <param name="WarmupSeconds">Seconds of ingestion at the rate before measuring, not measured.</param>
internal sealed record ProjectionLagBenchmarkOptions(int Rate, int Seconds, int BatchSize, int WarmupSeconds, int Seed, string? ConnectionString);
