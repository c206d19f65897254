using System.CommandLine;

namespace YoungCarers.Benchmarks;

/// <summary>The <c>ingest</c> command's options.</summary>
internal static class IngestBenchmarkCommand
{
    public static Command Create()
    {
        var events = Option("--events", 1_000_000, "About how many events to generate and replay (whole families, so a few more or less).", minimum: 1);
        var batch = Option("--batch", 1_000, "Events per pipeline call, as replay --batch.", minimum: 1);
        var lanes = Option("--lanes", 2, "Transactions stored at once, as replay --lanes.", minimum: 1);
        var readAhead = Option("--read-ahead", 2, "Batches read from the file ahead of the one being ingested (0: none).", minimum: 0);
        var readsInFlight = Option("--reads-in-flight", 2, "Reads being stored at once: a lane goes on to its part of the next read without waiting for the others.", minimum: 1);
        var seed = Option("--seed", 20_250_303, "The generator's seed.", minimum: int.MinValue);
        var httpEvents = Option("--http-events", 200_000, "Events of the same file then POSTed to /events in batches of 1,000 (0 skips this phase).", minimum: 0);
        var httpClients = Option("--http-clients", 4, "Concurrent HTTP clients in that phase.", minimum: 1);
        var kafkaEvents = Option("--kafka-events", 100_000, "Events of the same file then produced to librdkafka's mock cluster and consumed by the service's consumer (0 skips this phase).", minimum: 0);
        var connection = new Option<string?>("--connection")
        {
            Description = "An Npgsql connection string for a role that may create databases; without it an embedded PostgreSQL is started.",
        };

        var ingest = new Command("ingest", "File replay end to end through the ingest pipeline (validation, identity, durable append), then HTTP batches, then Kafka.")
        {
            events, batch, lanes, readAhead, readsInFlight, seed, httpEvents, httpClients, kafkaEvents, connection,
        };
        ingest.SetAction((parse, cancellationToken) => IngestBenchmark.RunAsync(
            new IngestBenchmarkOptions(
                parse.GetValue(events),
                parse.GetValue(batch),
                parse.GetValue(lanes),
                parse.GetValue(readAhead),
                parse.GetValue(readsInFlight),
                parse.GetValue(seed),
                parse.GetValue(connection),
                parse.GetValue(httpEvents),
                parse.GetValue(httpClients),
                parse.GetValue(kafkaEvents)),
            cancellationToken));
        return ingest;
    }

    private static Option<int> Option(string name, int defaultValue, string description, int minimum)
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
