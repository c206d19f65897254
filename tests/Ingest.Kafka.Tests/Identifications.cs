using System.Text;
using Npgsql;
using YoungCarers.Testing;

namespace YoungCarers.Ingest.Kafka.Tests;

/// <summary>
/// Valid <c>partner.young-carer.identified.v1</c> envelopes as a school's system publishes them to
/// Kafka, keyed by the child's id, each child identified a few times; and the check that each was
/// stored exactly once.
/// </summary>
public sealed class Identifications
{
    private const int EventsPerChild = 4;

    public Identifications(int count)
    {
        var run = Guid.NewGuid().ToString("N")[..8];
        Records = [.. Enumerable.Range(0, count).Select(i =>
        {
            var child = i % (count / EventsPerChild);
            var childId = $"{run}-child-{child}";
            var eventId = $"{run}-{i}";
            var envelope = Envelopes.Identified(eventId, Envelopes.Child(childId, nhs: Envelopes.NhsNumber(child * 10)));
            return (childId, eventId, Encoding.UTF8.GetBytes(envelope));
        })];
    }

    public IReadOnlyList<(string Key, string EventId, byte[] Value)> Records { get; }

    public IEnumerable<(string? Key, byte[]? Value)> Messages => Records.Select(r => ((string?)r.Key, (byte[]?)r.Value));

    /// <summary>Every record is an event in the store, once, and the store holds nothing else.</summary>
    public async Task AssertStoredExactlyOnceAsync(NpgsqlDataSource dataSource)
    {
        var stored = new List<string>();
        await using (var command = dataSource.CreateCommand("SELECT source, source_event_id FROM events"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                Assert.Equal(Envelopes.PartnerSource, reader.GetString(0));
                stored.Add(reader.GetString(1));
            }
        }

        Assert.Equal(Records.Count, stored.Count);
        Assert.Equal(Records.Select(r => r.EventId).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
    }
}
