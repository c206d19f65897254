using System.Globalization;
using Npgsql;
using YoungCarers.EventStore.Streams;

// Usage: YoungCarers.CrashWriter <connection string> <streams> <events per batch>
// Writes forever; after each committed batch prints "ACK <batch>". The test kills it with SIGKILL.
var connectionString = args[0];
var streamCount = int.Parse(args[1], CultureInfo.InvariantCulture);
var batchSize = int.Parse(args[2], CultureInfo.InvariantCulture);

await using var dataSource = NpgsqlDataSource.Create(connectionString);
var store = new PostgresEventStore(dataSource);
var payload = $"{{\"padding\":\"{new string('x', 400)}\"}}";
for (var batch = 0; ; batch++)
{
    // Each batch spreads over several streams so a partial commit would show as a broken stream.
    var appends = Enumerable.Range(0, batchSize)
        .GroupBy(i => $"crash-{(batch * 7 + i) % streamCount}")
        .Select(group => new StreamAppend(group.Key, ExpectedVersion.Any, group
            .Select(i => new NewEvent("test.crash.v1", payload, DateTimeOffset.UtcNow, "urn:test:crash", $"{batch}-{i}"))
            .ToList()))
        .ToList();
    await store.AppendAsync(appends);
    Console.Out.WriteLine($"ACK {batch}");
    Console.Out.Flush();
}
