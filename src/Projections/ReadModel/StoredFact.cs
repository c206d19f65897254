using System.Collections.Frozen;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;

namespace YoungCarers.Projections.ReadModel;

/// <summary>An event of a family's stream (or of a stream merged into it) as read for evaluation.</summary>
internal sealed record StoredFact(
    string StreamId,
    long StreamVersion,
    long Sequence,
    string Type,
    byte[] Data,
    string Source,
    string SourceEventId,
    DateTimeOffset OccurredAt,
    DateTimeOffset RecordedAt)
{
    /// <summary>The columns <see cref="Read"/> expects, in order, from <c>events</c> aliased <c>e</c>.</summary>
    public const string Columns =
        "e.stream_id, e.stream_version, e.seq, e.type, e.data, e.source, e.source_event_id, e.occurred_at, e.recorded_at";

    public static StoredFact Read(Npgsql.NpgsqlDataReader reader, int offset) => new(
        reader.GetString(offset),
        reader.GetInt64(offset + 1),
        reader.GetInt64(offset + 2),
        reader.GetString(offset + 3),
        // The JSON's UTF-8 bytes, as the deserializer reads them: no detour through a string.
        reader.GetFieldValue<byte[]>(offset + 4),
        reader.GetString(offset + 5),
        reader.GetString(offset + 6),
        reader.GetFieldValue<DateTimeOffset>(offset + 7),
        reader.GetFieldValue<DateTimeOffset>(offset + 8));
}

/// <summary>
/// Turns a family's stored events into the facts <see cref="FamilyProjection"/> replays: inbound
/// catalogue types through <see cref="StoredEventSerializer"/>, the service's own family events
/// through <see cref="FamilyEventSerializer"/>; an unknown type fails loudly (skipping it would
/// silently lose history).
/// </summary>
internal static class FamilyFacts
{
    private static readonly FrozenSet<string> InboundTypes = EventCatalogue.StoredTypes.ToFrozenSet(StringComparer.Ordinal);

    public static object Payload(string type, byte[] json) =>
        InboundTypes.Contains(type) ? StoredEventSerializer.Deserialize(type, json) : FamilyEventSerializer.Deserialize(type, json);

    /// <summary>
    /// The facts of family <paramref name="familyId"/> in replay order. Its own stream replays in
    /// stream order. When other families were merged into it, their facts join in and everything
    /// replays by when it happened, then by recorded order; an absorbed stream's own
    /// <c>family.absorbed</c> event is left out, since the survivor was not absorbed.
    /// </summary>
    public static List<FamilyFact> Order(string familyId, List<StoredFact> facts)
    {
        var merged = facts.Exists(fact => !string.Equals(fact.StreamId, familyId, StringComparison.Ordinal));
        IEnumerable<StoredFact> ordered = merged
            ? facts
                .Where(fact => string.Equals(fact.StreamId, familyId, StringComparison.Ordinal) || fact.Type != FamilyAbsorbed.TypeName)
                .OrderBy(fact => fact.OccurredAt)
                .ThenBy(fact => fact.RecordedAt)
                .ThenBy(fact => fact.Sequence)
            : InStreamOrder(facts);
        var result = new List<FamilyFact>(facts.Count);
        foreach (var fact in ordered)
        {
            result.Add(new FamilyFact(
                Payload(fact.Type, fact.Data),
                fact.OccurredAt,
                fact.RecordedAt,
                fact.Source,
                fact.SourceEventId,
                fact.StreamId,
                fact.StreamVersion));
        }

        return result;
    }

    // A stream's facts usually come from the database in stream order already; they are sorted only when not.
    private static List<StoredFact> InStreamOrder(List<StoredFact> facts)
    {
        for (var i = 1; i < facts.Count; i++)
        {
            if (facts[i - 1].StreamVersion > facts[i].StreamVersion)
            {
                var sorted = new List<StoredFact>(facts);
                sorted.Sort(static (x, y) => x.StreamVersion.CompareTo(y.StreamVersion));
                return sorted;
            }
        }

        return facts;
    }
}
