using Npgsql;
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

    /// <summary>Batches at least this large are validated on every processor at once.</summary>
    private const int ParallelValidationThreshold = 64;

    /// <summary>About two replay reads' worth of identifiers in each generation; some 10 MB at most.</summary>
    private const int FamilyHintsGeneration = 25_000;

    private readonly FamilyHints _familyHints = new(FamilyHintsGeneration);

    public Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<InboundPayload> payloads, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        return StoreAsync(Validate(payloads, parallel: true), acknowledgement: null, cancellationToken);
    }

    /// <summary>
    /// Validates on the calling thread only: a caller preparing ahead runs this while an earlier
    /// batch is being stored, and the store's continuations need the thread pool more.
    /// </summary>
    public PreparedPayloads Prepare(IReadOnlyList<InboundPayload> payloads)
    {
        ArgumentNullException.ThrowIfNull(payloads);
        return new PreparedPayloads(payloads, Validate(payloads, parallel: false));
    }

    /// <summary>
    /// Payloads are grouped by what links them (a person identifier, the same source and id, or
    /// identifiers this process recently stored in one family or split into one group), and each
    /// group is placed whole by <paramref name="planner"/>, in order of first appearance. Invalid
    /// payloads link to nothing: they are only quarantined. The groups are remembered as family
    /// hints until they are stored, so a later read can be split before this one is stored.
    /// </summary>
    public LanePlan Partition(PreparedPayloads prepared, LanePlanner planner)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(planner);
        if (planner.Lanes == 1 || prepared.State is not ValidatedBatch batch)
        {
            return planner.Whole(prepared);
        }

        var count = batch.Payloads.Count;

        // Disjoint sets over payload indexes, each rooted at its first payload.
        var groups = new DisjointSets(count);

        // Keyed by fingerprints: a shared one only joins two groups that need not be joined.
        var firstWithKey = new Dictionary<long, int>();
        var firstWithId = new Dictionary<long, int>();
        var firstInFamily = new Dictionary<long, int>();
        var hintedFamily = new long?[count];
        var eventIds = new long[count];
        var identifiers = new List<(long Identifier, int Payload)>();
        for (var i = 0; i < count; i++)
        {
            if (batch.Valid[i] is not { } valid)
            {
                continue;
            }

            var envelope = valid.Event.Envelope;
            var id = eventIds[i] = Fingerprint.Of(envelope.Source, envelope.Id);
            if (!firstWithId.TryAdd(id, i))
            {
                groups.Union(firstWithId[id], i);
            }

            foreach (var sighting in valid.Sightings)
            {
                foreach (var key in sighting.Keys)
                {
                    var fingerprint = Fingerprint.Of(key);
                    identifiers.Add((fingerprint, i));
                    if (!firstWithKey.TryAdd(fingerprint, i))
                    {
                        groups.Union(firstWithKey[fingerprint], i);
                    }

                    // Events about different people of one family would wait for each other's stream lock.
                    if (_familyHints.TryGetFamily(fingerprint, out var family))
                    {
                        hintedFamily[i] ??= family;
                        if (!firstInFamily.TryAdd(family, i))
                        {
                            groups.Union(firstInFamily[family], i);
                        }
                    }
                }
            }
        }

        var groupSizes = new int[count];
        var groupFamily = new long?[count];
        for (var i = 0; i < count; i++)
        {
            var group = groups.Find(i);
            groupSizes[group]++;
            groupFamily[group] ??= hintedFamily[i];
        }

        // What each group names: its family (until stored, a group stands in for its family: the
        // family one of its identifiers was hinted to, else the group's first event), its events
        // and its identifiers. Invalid payloads are groups of their own that name nothing.
        var groupKeys = new List<long>?[count];
        for (var i = 0; i < count; i++)
        {
            if (batch.Valid[i] is not null)
            {
                var group = groups.Find(i);
                (groupKeys[group] ??= [groupFamily[group] ??= eventIds[group]]).Add(eventIds[i]);
            }
        }

        foreach (var (identifier, payload) in identifiers)
        {
            groupKeys[groups.Find(payload)]!.Add(identifier);
        }

        _familyHints.Record(identifiers.Select(x => (x.Identifier, groupFamily[groups.Find(x.Payload)]!.Value)));

        var read = planner.Next();
        var laneOfGroup = new int[count];
        var members = new List<int>?[planner.Lanes];
        for (var i = 0; i < count; i++)
        {
            var group = groups.Find(i);
            if (group == i)
            {
                laneOfGroup[i] = read.Place(groupKeys[i] ?? [], groupSizes[i]);
            }

            (members[laneOfGroup[group]] ??= []).Add(i);
        }

        return read.Plan([.. members.Select(m =>
        {
            if (m is null)
            {
                return null;
            }

            var payloads = m.Select(i => batch.Payloads[i]).ToArray();
            return new PreparedPayloads(payloads, new ValidatedBatch(payloads, [.. m.Select(i => batch.Parsed[i])], [.. m.Select(i => batch.Valid[i])]));
        })]);
    }

    public Task<IReadOnlyList<IngestResult>> IngestPreparedAsync(PreparedPayloads prepared, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        return StoreAsync(prepared.State as ValidatedBatch ?? Validate(prepared.Payloads, parallel: true), acknowledgement: null, cancellationToken);
    }

    /// <summary>As <see cref="IIngestPipeline.IngestPreparedAsync(PreparedPayloads, IIngestAcknowledgement, CancellationToken)"/>, in the batch's own transaction.</summary>
    public Task<IReadOnlyList<IngestResult>> IngestPreparedAsync(
        PreparedPayloads prepared, IIngestAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        ArgumentNullException.ThrowIfNull(acknowledgement);
        return StoreAsync(prepared.State as ValidatedBatch ?? Validate(prepared.Payloads, parallel: true), acknowledgement, cancellationToken);
    }

    /// <summary>
    /// Parses and validates every payload, and turns each valid one into what gets stored: the
    /// CPU-bound part, done before any transaction (and, for a large batch, on every processor if
    /// <paramref name="parallel"/>).
    /// </summary>
    private ValidatedBatch Validate(IReadOnlyList<InboundPayload> payloads, bool parallel)
    {
        var now = clock.GetUtcNow();
        var parsed = new ParseResult[payloads.Count];
        var valid = new ValidEvent?[payloads.Count];
        if (parallel && payloads.Count >= ParallelValidationThreshold && Environment.ProcessorCount > 1)
        {
            Parallel.For(0, payloads.Count, i => ValidateOne(payloads[i], now, out parsed[i], out valid[i]));
        }
        else
        {
            for (var i = 0; i < payloads.Count; i++)
            {
                ValidateOne(payloads[i], now, out parsed[i], out valid[i]);
            }
        }

        return new ValidatedBatch(payloads, parsed, valid);
    }

    private static void ValidateOne(InboundPayload payload, DateTimeOffset now, out ParseResult parsed, out ValidEvent? valid)
    {
        parsed = InboundEventParser.Parse(payload.Payload.Span, now);
        valid = parsed is ParsedEvent e ? new ValidEvent(e, ToNewEvent(e, payload.Arrival), Sightings(e)) : null;
    }

    private async Task<IReadOnlyList<IngestResult>> StoreAsync(ValidatedBatch batch, IIngestAcknowledgement? acknowledgement, CancellationToken cancellationToken)
    {
        var payloads = batch.Payloads;
        var results = new IngestResult?[payloads.Count];
        var rejected = new List<int>();
        var validIndexes = new List<int>(payloads.Count);
        for (var i = 0; i < payloads.Count; i++)
        {
            if (batch.Valid[i] is null)
            {
                rejected.Add(i);
            }
            else
            {
                validIndexes.Add(i);
            }
        }

        var entries = new QuarantineEntry[rejected.Count];
        for (var r = 0; r < rejected.Count; r++)
        {
            entries[r] = ToQuarantine((RejectedEvent)batch.Parsed[rejected[r]], payloads[rejected[r]]);
        }

        IReadOnlyList<long> quarantineIds = [];
        if (validIndexes.Count == 0 && acknowledgement is null)
        {
            quarantineIds = await quarantine.AddAsync(entries, cancellationToken);
        }
        else if (validIndexes.Count == 0)
        {
            quarantineIds = await store.ExecuteAsync(
                async (transaction, token) =>
                {
                    var ids = entries.Length > 0 ? await QuarantineStore.AddAsync(transaction, entries, token) : [];
                    await ExecuteAsync(transaction, acknowledgement!.Commands(), token);
                    return ids;
                },
                cancellationToken);
        }
        else
        {
            var valid = new ValidEvent[validIndexes.Count];
            for (var v = 0; v < valid.Length; v++)
            {
                valid[v] = batch.Valid[validIndexes[v]]!;
            }

            // The rejected payloads are quarantined in the same transaction: one durable commit for the batch.
            (var stored, quarantineIds) = await store.ExecuteAsync(
                async (transaction, token) =>
                {
                    // The acknowledgement's commands go with the append's last round trip, or on their own if nothing is appended.
                    var storedResults = await StoreAsync(transaction, valid, acknowledgement?.Commands() ?? [], token);
                    var ids = entries.Length > 0 ? await QuarantineStore.AddAsync(transaction, entries, token) : [];
                    return (storedResults, ids);
                },
                cancellationToken);
            for (var v = 0; v < validIndexes.Count; v++)
            {
                results[validIndexes[v]] = stored[v];
            }
        }

        for (var r = 0; r < rejected.Count; r++)
        {
            var rejection = (RejectedEvent)batch.Parsed[rejected[r]];
            results[rejected[r]] = new QuarantinedResult(rejection.Source, rejection.Id, quarantineIds[r], rejection.Errors);
        }

        IngestMetrics.Record(results!, payloads);
        return results!;
    }

    private async Task<IReadOnlyList<IngestResult>> StoreAsync(
        EventStoreTransaction transaction, IReadOnlyList<ValidEvent> events, IReadOnlyList<NpgsqlBatchCommand> withAppend, CancellationToken cancellationToken)
    {
        var results = new IngestResult?[events.Count];

        // One round trip locks and loads the identifiers of all the events. Which of them are stored
        // already is looked up in that round trip only once an attempt has met one (see
        // EventStoreTransaction.ExpectsStoredEvents): redeliveries in a replayed file or a client's
        // batch come in the same batch as the first delivery, and those are found below without the
        // database. The identifiers loaded are then a superset of those of the new events, which the
        // plan may be given.
        var allKeys = new HashSet<IdentityKey>();
        foreach (var e in events)
        {
            foreach (var sighting in e.Sightings)
            {
                allKeys.UnionWith(sighting.Keys);
            }
        }

        IReadOnlyDictionary<(string Source, string Id), (string StreamId, long Version)> alreadyStored;
        KnownIdentities known;
        if (transaction.ExpectsStoredEvents)
        {
            var (lockAndLoad, readKnown) = PersonIndex.LockAndLoadCommands(allKeys, transaction.LockTableWasFull);
            (alreadyStored, known) = await transaction.FindStoredAsync(
                events.Select(e => (e.Event.Envelope.Source, e.Event.Envelope.Id)), lockAndLoad, readKnown, cancellationToken);
        }
        else
        {
            alreadyStored = new Dictionary<(string Source, string Id), (string StreamId, long Version)>();
            known = await PersonIndex.LockAndLoadAsync(transaction, allKeys, cancellationToken);
        }

        // Events stored before, or repeated within this batch, are duplicates and teach the index nothing new.
        var fresh = new List<int>(events.Count);
        var firstInBatch = new Dictionary<(string, string), int>(events.Count);
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
            await ExecuteAsync(transaction, withAppend, cancellationToken);
            return results!;
        }

        var sightings = new IReadOnlyList<PersonSighting>[unique.Count];
        for (var u = 0; u < unique.Count; u++)
        {
            sightings[u] = events[unique[u]].Sightings;
        }

        var plan = IdentityPlanner.Plan(sightings, known, Guid.CreateVersion7);
        _familyHints.Record(Enumerable.Range(0, unique.Count).SelectMany(u =>
        {
            var family = Fingerprint.Of(plan.EventFamilies[u]);
            return sightings[u].SelectMany(sighting => sighting.Keys).Select(key => (Fingerprint.Of(key), family));
        }));

        // Each stream's events in the order they are appended, and where each new event is among them.
        var streamIndexes = new Dictionary<string, int>(StringComparer.Ordinal);
        var streams = new List<(string FamilyId, List<NewEvent> Events)>();
        (int Stream, int Position) Add(string familyId, NewEvent e)
        {
            if (!streamIndexes.TryGetValue(familyId, out var index))
            {
                index = streams.Count;
                streamIndexes[familyId] = index;
                streams.Add((familyId, []));
            }

            streams[index].Events.Add(e);
            return (index, streams[index].Events.Count - 1);
        }

        foreach (var merge in plan.FamilyMerges)
        {
            var cause = events[unique[merge.CausedByEvent]].Event.Envelope;
            Add(merge.Survivor, FamilyEvent(new FamilyMerged(merge.Absorbed, MergeReason.LinkedByEvent, cause.Source, cause.Id, null, null), cause, $"merged:{merge.Absorbed}"));
            Add(merge.Absorbed, FamilyEvent(new FamilyAbsorbed(merge.Survivor, MergeReason.LinkedByEvent, cause.Source, cause.Id, null, null), cause, $"absorbed:{merge.Absorbed}"));
        }

        var placements = new (int Stream, int Position)[unique.Count];
        for (var u = 0; u < unique.Count; u++)
        {
            placements[u] = Add(plan.EventFamilies[u], events[unique[u]].NewEvent);
        }

        AppendResult appended;
        try
        {
            // The person index changes travel with the stream locks, saving a round trip.
            appended = await transaction.AppendAsync(
                [.. streams.Select(s => new StreamAppend(s.FamilyId, ExpectedVersion.Any, s.Events))], PersonIndex.ApplyCommands(plan, known), withAppend, cancellationToken);
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

        for (var u = 0; u < unique.Count; u++)
        {
            var envelope = events[unique[u]].Event.Envelope;
            var outcome = appended.Streams[placements[u].Stream].Events[placements[u].Position];
            results[unique[u]] = outcome.Outcome == AppendOutcome.Appended
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

    private static async Task ExecuteAsync(EventStoreTransaction transaction, IReadOnlyList<NpgsqlBatchCommand> commands, CancellationToken cancellationToken)
    {
        if (commands.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(transaction.Connection, transaction.Transaction);
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static PersonSighting[] Sightings(ParsedEvent parsed)
    {
        var people = parsed.Event.People;
        var sightings = new PersonSighting[people.Count];
        for (var p = 0; p < sightings.Length; p++)
        {
            sightings[p] = Sighting(people[p]);
        }

        return sightings;
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

    /// <summary>A valid event, and what it becomes: the event to append and the persons it mentions.</summary>
    private sealed record ValidEvent(ParsedEvent Event, NewEvent NewEvent, IReadOnlyList<PersonSighting> Sightings);

    /// <summary>A batch as validation left it: for each payload, its parse result and, if valid, what to store.</summary>
    private sealed record ValidatedBatch(IReadOnlyList<InboundPayload> Payloads, ParseResult[] Parsed, ValidEvent?[] Valid);
}
