using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Identity;
using YoungCarers.Ingest.Quarantine;

namespace YoungCarers.Ingest.Pipeline;

/// <summary>
/// Validates each payload, quarantines what fails, and stores the rest in their families' streams
/// in one transaction with the person index changes they imply (new persons, merged families).
/// </summary>
public sealed class IngestPipeline(PostgresEventStore store, QuarantineStore quarantine, TimeProvider clock) : IIngestPipeline
{
    /// <summary>The source recorded on events the service writes itself when identities link.</summary>
    public const string IdentitySource = "urn:youngcarers:identity";

    public async Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<InboundPayload> payloads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        var now = clock.GetUtcNow();
        var parsed = payloads.Select(p => InboundEventParser.Parse(p.Payload.Span, now)).ToList();
        var results = new IngestResult?[payloads.Count];

        var rejected = parsed.Select((result, index) => (result, index)).Where(p => p.result is RejectedEvent).ToList();
        if (rejected.Count > 0)
        {
            var ids = await quarantine.AddAsync(
                [.. rejected.Select(r => ToQuarantine((RejectedEvent)r.result, payloads[r.index]))], cancellationToken);
            for (var i = 0; i < rejected.Count; i++)
            {
                var rejection = (RejectedEvent)rejected[i].result;
                results[rejected[i].index] = new QuarantinedResult(rejection.Source, rejection.Id, ids[i], rejection.Errors);
            }
        }

        var valid = parsed.Select((result, index) => (Event: result as ParsedEvent, index)).Where(p => p.Event is not null).ToList();
        if (valid.Count > 0)
        {
            var stored = await store.ExecuteAsync(
                (transaction, token) => StoreAsync(transaction, [.. valid.Select(v => (v.Event!, payloads[v.index].Arrival))], token),
                cancellationToken);
            for (var i = 0; i < valid.Count; i++)
            {
                results[valid[i].index] = stored[i];
            }
        }

        return results!;
    }

    private static async Task<IReadOnlyList<IngestResult>> StoreAsync(
        EventStoreTransaction transaction, IReadOnlyList<(ParsedEvent Event, Arrival Arrival)> events, CancellationToken cancellationToken)
    {
        var results = new IngestResult?[events.Count];

        // Events stored before, or repeated within this batch, are duplicates and teach the index nothing new.
        var alreadyStored = await transaction.FindStoredAsync(events.Select(e => (e.Event.Envelope.Source, e.Event.Envelope.Id)), cancellationToken);
        var fresh = new List<int>();
        var firstInBatch = new Dictionary<(string, string), int>();
        for (var i = 0; i < events.Count; i++)
        {
            var envelope = events[i].Event.Envelope;
            if (alreadyStored.TryGetValue((envelope.Source, envelope.Id), out var stored))
            {
                results[i] = new DuplicateResult(envelope.Source, envelope.Id, stored.StreamId);
            }
            else if (!firstInBatch.TryAdd((envelope.Source, envelope.Id), i))
            {
                fresh.Add(-i - 1);
            }
            else
            {
                fresh.Add(i);
            }
        }

        var unique = fresh.Where(i => i >= 0).ToList();
        if (unique.Count == 0)
        {
            return results!;
        }

        var sightings = unique.Select(i => (IReadOnlyList<PersonSighting>)[.. events[i].Event.Event.People.Select(Sighting)]).ToList();
        await PersonIndex.LockAsync(transaction, sightings.SelectMany(s => s).SelectMany(s => s.Keys), cancellationToken);
        var known = await PersonIndex.LoadAsync(transaction, [.. sightings.SelectMany(s => s).SelectMany(s => s.Keys).Distinct()], cancellationToken);
        var plan = IdentityPlanner.Plan(sightings, known, Guid.CreateVersion7);
        await PersonIndex.ApplyAsync(transaction, plan, cancellationToken);

        var streams = new Dictionary<string, List<NewEvent>>(StringComparer.Ordinal);
        void Add(string familyId, NewEvent e) => (streams.TryGetValue(familyId, out var list) ? list : streams[familyId] = []).Add(e);

        foreach (var merge in plan.FamilyMerges)
        {
            var cause = events[unique[merge.CausedByEvent]].Event.Envelope;
            Add(merge.Survivor, FamilyEvent(new FamilyMerged(merge.Absorbed, MergeReason.LinkedByEvent, cause.Source, cause.Id, null, null), cause, $"merged:{merge.Absorbed}"));
            Add(merge.Absorbed, FamilyEvent(new FamilyAbsorbed(merge.Survivor, MergeReason.LinkedByEvent, cause.Source, cause.Id, null, null), cause, $"absorbed:{merge.Absorbed}"));
        }

        for (var u = 0; u < unique.Count; u++)
        {
            Add(plan.EventFamilies[u], ToNewEvent(events[unique[u]].Event, events[unique[u]].Arrival));
        }

        AppendResult appended;
        try
        {
            appended = await transaction.AppendAsync([.. streams.Select(s => new StreamAppend(s.Key, ExpectedVersion.Any, s.Value))], cancellationToken);
            foreach (var merge in plan.FamilyMerges)
            {
                await transaction.ArchiveStreamAsync(merge.Absorbed, merge.Survivor, cancellationToken);
            }
        }
        catch (StreamArchivedException e)
        {
            // A family this batch resolved to was merged away by a transaction that committed meanwhile.
            throw new TransactionConflictException(e.Message);
        }

        var versions = appended.Streams
            .SelectMany(s => s.Events)
            .Zip(streams.SelectMany(s => s.Value))
            .ToDictionary(pair => (pair.Second.Source, pair.Second.SourceEventId), pair => pair.First);
        foreach (var i in unique)
        {
            var envelope = events[i].Event.Envelope;
            var outcome = versions[(envelope.Source, envelope.Id)];
            results[i] = outcome.Outcome == AppendOutcome.Appended
                ? new AcceptedResult(envelope.Source, envelope.Id, outcome.StreamId, outcome.StreamVersion)
                : new DuplicateResult(envelope.Source, envelope.Id, outcome.StreamId);
        }

        foreach (var repeat in fresh.Where(i => i < 0).Select(i => -i - 1))
        {
            var envelope = events[repeat].Event.Envelope;
            var first = results[firstInBatch[(envelope.Source, envelope.Id)]]!;
            results[repeat] = new DuplicateResult(envelope.Source, envelope.Id, first switch
            {
                AcceptedResult accepted => accepted.FamilyId,
                DuplicateResult duplicate => duplicate.FamilyId,
                _ => throw new InvalidOperationException("A stored event has no family."),
            });
        }

        return results!;
    }

    private static PersonSighting Sighting(PersonRef person)
    {
        IdentityKey[] keys = person.NhsNumber is { } nhs
            ? [IdentityKey.ForSystem(person.System, person.Id), IdentityKey.ForNhsNumber(nhs)]
            : [IdentityKey.ForSystem(person.System, person.Id)];
        return new PersonSighting(keys, person.GivenName, person.FamilyName, person.BirthDate);
    }

    private static NewEvent ToNewEvent(ParsedEvent parsed, Arrival arrival) => new(
        parsed.StoredType,
        parsed.DataJson,
        parsed.Envelope.Time,
        parsed.Envelope.Source,
        parsed.Envelope.Id,
        new EventMetadata(CorrelationId: parsed.Envelope.Id, CausationId: null)
        {
            Channel = arrival.Channel,
            Subject = parsed.Envelope.Subject,
            PublishedType = parsed.Envelope.Type == parsed.StoredType ? null : parsed.Envelope.Type,
        });

    private static NewEvent FamilyEvent(IFamilyEvent e, CloudEventEnvelope cause, string id)
    {
        var (type, json) = FamilyEventSerializer.Serialize(e);
        return new NewEvent(type, json, cause.Time, IdentitySource, id, new EventMetadata(CorrelationId: cause.Id, CausationId: $"{cause.Source}#{cause.Id}"));
    }

    private static QuarantineEntry ToQuarantine(RejectedEvent rejection, InboundPayload payload) =>
        new(payload.Arrival, payload.Payload, rejection.Source, rejection.Id, rejection.Type, rejection.Errors);
}
