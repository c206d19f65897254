using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Ingest.Tests;

/// <summary>
/// A property: the same events, arriving in any order and in any batching, end in the same
/// families. Each trial uses its own identifiers (a run prefix), so trials share one database.
/// </summary>
public sealed class ArrivalOrderTests : IClassFixture<DatabaseFixture>
{
    private const int Trials = 6;
    private readonly DatabaseFixture _database;
    private readonly IngestPipeline _pipeline;

    public ArrivalOrderTests(DatabaseFixture database)
    {
        _database = database;
        _pipeline = new IngestPipeline(new PostgresEventStore(database.DataSource), new QuarantineStore(database.DataSource), new FixedClock(Now));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task The_same_events_in_any_order_and_batching_end_in_the_same_families(int seed)
    {
        var partitions = new List<string>();
        for (var trial = 0; trial < Trials; trial++)
        {
            var run = $"s{seed}t{trial}-{Guid.NewGuid():N}"[..20];
            var events = Scenario(seed, run).ToList();
            var random = new Random(seed * 1000 + trial);
            var order = trial == 0 ? events : [.. events.OrderBy(_ => random.Next())];

            for (var next = 0; next < order.Count;)
            {
                var size = random.Next(1, 6);
                var results = await _pipeline.IngestAsync([.. order.Skip(next).Take(size).Select(Payload)]);
                Assert.All(results, r => Assert.IsNotType<QuarantinedResult>(r));
                next += size;
            }

            partitions.Add(await PartitionAsync(run));
        }

        Assert.All(partitions, p => Assert.Equal(partitions[0], p));
        Assert.Contains("|", partitions[0], StringComparison.Ordinal);
    }

    /// <summary>
    /// Households of an adult and children; some children known to both systems under the same
    /// NHS number; some events linking two households (a grandparent cared for by a grandchild).
    /// </summary>
    private static IEnumerable<string> Scenario(int seed, string run)
    {
        var random = new Random(seed);
        var households = 8;
        var nhsBase = (seed * 7919 + run.GetHashCode(StringComparison.Ordinal) & 0x00ffffff) * 16;
        var n = 0;
        for (var h = 0; h < households; h++)
        {
            var adult = Adult($"{run}-a{h}");
            var children = Enumerable.Range(0, random.Next(1, 4)).Select(c => (Id: $"{run}-h{h}c{c}", Nhs: random.Next(3) == 0 ? NhsNumber(nhsBase + h * 10 + c) : null)).ToList();
            yield return Referral($"{run}-e{n++}", adult, [.. children.Select(c => Child(c.Id, c.Nhs))]);
            foreach (var child in children.Where(c => c.Nhs is not null))
            {
                // The adult system records the same child under its own id.
                yield return Referral($"{run}-e{n++}", Adult($"{run}-other-adult-{child.Id}"), Child($"las-{child.Id}", child.Nhs, system: "LAS"));
            }

            yield return Identified($"{run}-e{n++}", Child(children[0].Id), adult);
            if (h % 3 == 2)
            {
                yield return Identified($"{run}-e{n++}", Child($"{run}-h{h}c0"), Adult($"{run}-a{h - 1}"));
            }
        }
    }

    /// <summary>
    /// The families of a run as a canonical string: each family's members' ids, sorted. An identifier
    /// naming no person fails the test: nothing but ingest's own ordering keeps merges from leaving one.
    /// </summary>
    private async Task<string> PartitionAsync(string run)
    {
        await using var command = _database.DataSource.CreateCommand("""
            SELECT p.family_id, i.value
            FROM person_identifiers i LEFT JOIN persons p USING (person_id)
            WHERE i.value LIKE @prefix
            """);
        command.Parameters.AddWithValue("prefix", $"%{run}-%");
        var families = new Dictionary<string, List<string>>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var member = reader.GetString(1).Replace(run, "", StringComparison.Ordinal);
            Assert.False(reader.IsDBNull(0), $"Identifier {member} names a person who does not exist.");
            (families.TryGetValue(reader.GetString(0), out var list) ? list : families[reader.GetString(0)] = []).Add(member);
        }

        return string.Join(" | ", families.Values.Select(m => string.Join(",", m.Order(StringComparer.Ordinal))).Order(StringComparer.Ordinal));
    }
}
