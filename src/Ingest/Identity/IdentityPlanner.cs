namespace YoungCarers.Ingest.Identity;

/// <summary>A person the index already knows.</summary>
public sealed record KnownPerson(Guid PersonId, string FamilyId)
{
    /// <summary>
    /// The index has the person's given name, family name and birth date, so no sighting can fill
    /// anything in (details are only ever filled, never overwritten). False when not known.
    /// </summary>
    public bool HasAllDetails { get; init; }
}

/// <summary>What the index knows about the identifiers a batch mentions.</summary>
/// <param name="Persons">The person behind each known identifier.</param>
/// <param name="FamilyAges">How old each of those persons' families is (the older survives a merge).</param>
public sealed record KnownIdentities(
    IReadOnlyDictionary<IdentityKey, KnownPerson> Persons,
    IReadOnlyDictionary<string, FamilyAge> FamilyAges);

/// <summary>
/// When a family's stream was created and the store position of its first event: families created
/// in one transaction share the time, and the position still orders them as their events arrived.
/// </summary>
public sealed record FamilyAge(DateTimeOffset CreatedAt, long FirstEventSeq)
{
    /// <summary>Younger than every family that exists: a family the batch is about to create.</summary>
    public static FamilyAge Unborn { get; } = new(DateTimeOffset.MaxValue, long.MaxValue);
}

public sealed record NewPerson(Guid PersonId, string FamilyId, string? GivenName, string? FamilyName, DateOnly? BirthDate);

/// <summary>Two records of one person (they share an identifier, such as an NHS number) become one.</summary>
public sealed record PersonMerge(Guid Kept, Guid Absorbed);

/// <summary>
/// Two existing families turned out to be one. <paramref name="CausedByEvent"/> indexes the batch:
/// the first event that mentions someone of the absorbed family.
/// </summary>
public sealed record FamilyMerge(string Survivor, string Absorbed, int CausedByEvent);

/// <summary>Everything a batch changes in the person index, and the family each event belongs to.</summary>
public sealed record IdentityPlan(
    IReadOnlyList<string> EventFamilies,
    IReadOnlyList<NewPerson> NewPersons,
    IReadOnlyList<(IdentityKey Key, Guid PersonId)> NewIdentifiers,
    IReadOnlyList<PersonMerge> PersonMerges,
    IReadOnlyList<FamilyMerge> FamilyMerges,
    IReadOnlyList<(Guid PersonId, PersonSighting Sighting)> Sightings);

/// <summary>
/// Decides who is who and which family each event belongs to: a pure function of the batch and of
/// what the index already knows. Identifiers shared between sightings make one person; persons
/// mentioned in one event make one family; families so linked merge, the oldest surviving. The
/// outcome is the same whatever order the events arrive in, because it is the connected components
/// of that graph. Names and birth dates never link anyone here.
/// </summary>
public static class IdentityPlanner
{
    public static IdentityPlan Plan(IReadOnlyList<IReadOnlyList<PersonSighting>> eventPeople, KnownIdentities known, Func<Guid> newId)
    {
        ArgumentNullException.ThrowIfNull(eventPeople);
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(newId);

        // Persons: nodes are known person ids and, for identifiers never seen, the identifiers themselves.
        var persons = new UnionFind<object>();
        var sightingNodes = new List<List<object>>(eventPeople.Count);
        foreach (var people in eventPeople)
        {
            var nodes = new List<object>(people.Count);
            foreach (var sighting in people)
            {
                object? first = null;
                foreach (var key in sighting.Keys)
                {
                    object node = known.Persons.TryGetValue(key, out var person) ? person.PersonId : key;
                    persons.Add(node);
                    if (first is null)
                    {
                        first = node;
                    }
                    else
                    {
                        persons.Union(first, node);
                    }
                }

                nodes.Add(first ?? throw new ArgumentException("A sighting has no identifiers.", nameof(eventPeople)));
            }

            sightingNodes.Add(nodes);
        }

        // One id per person: the oldest known record (v7 ids sort by creation), or a new one.
        var personIds = new Dictionary<object, Guid>();
        var personMerges = new List<PersonMerge>();
        foreach (var component in persons.Components())
        {
            var knownIds = component.OfType<Guid>().Order().ToList();
            var id = knownIds.Count > 0 ? knownIds[0] : newId();
            personIds[persons.Find(component[0])] = id;
            personMerges.AddRange(knownIds.Skip(1).Select(absorbed => new PersonMerge(id, absorbed)));
        }

        Guid PersonOf(object node) => personIds[persons.Find(node)];

        var familyOfKnownPerson = known.Persons.Values.GroupBy(p => p.PersonId).ToDictionary(g => g.Key, g => g.First().FamilyId);

        // Families: nodes are person ids; a known person starts joined to their family's node.
        var families = new UnionFind<object>();
        foreach (var personId in personIds.Values)
        {
            families.Add(personId);
            if (familyOfKnownPerson.TryGetValue(personId, out var familyId))
            {
                families.Add(familyId);
                families.Union(personId, familyId);
            }
        }

        foreach (var merge in personMerges)
        {
            var familyId = familyOfKnownPerson[merge.Absorbed];
            families.Add(familyId);
            families.Union(merge.Kept, familyId);
        }

        for (var e = 0; e < sightingNodes.Count; e++)
        {
            var first = PersonOf(sightingNodes[e][0]);
            foreach (var node in sightingNodes[e].Skip(1))
            {
                families.Union(first, PersonOf(node));
            }
        }

        // A merge is put down to the first event of the batch that mentions someone of the absorbed family.
        var firstMention = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var e = 0; e < eventPeople.Count; e++)
        {
            foreach (var key in eventPeople[e].SelectMany(sighting => sighting.Keys))
            {
                if (known.Persons.TryGetValue(key, out var person))
                {
                    firstMention.TryAdd(person.FamilyId, e);
                }
            }
        }

        // The surviving family of each component: the oldest existing one, or a new family.
        var survivorOf = new Dictionary<object, string>();
        var familyMerges = new List<FamilyMerge>();
        foreach (var component in families.Components())
        {
            var existing = component.OfType<string>()
                .Select(f => (Id: f, Age: known.FamilyAges.GetValueOrDefault(f) ?? FamilyAge.Unborn))
                .OrderBy(f => f.Age.CreatedAt)
                .ThenBy(f => f.Age.FirstEventSeq)
                .ThenBy(f => f.Id, StringComparer.Ordinal)
                .Select(f => f.Id)
                .ToList();
            var survivor = existing.Count > 0 ? existing[0] : NewFamilyId(newId());
            survivorOf[families.Find(component[0])] = survivor;
            familyMerges.AddRange(existing.Skip(1).Select(absorbed => new FamilyMerge(survivor, absorbed, firstMention[absorbed])));
        }

        string FamilyOfPerson(Guid personId) => survivorOf[families.Find(personId)];

        var newPersons = new Dictionary<Guid, NewPerson>();
        var newIdentifiers = new Dictionary<IdentityKey, Guid>();
        var sightings = new List<(Guid, PersonSighting)>();
        for (var e = 0; e < eventPeople.Count; e++)
        {
            for (var p = 0; p < eventPeople[e].Count; p++)
            {
                var sighting = eventPeople[e][p];
                var personId = PersonOf(sightingNodes[e][p]);
                sightings.Add((personId, sighting));
                if (!familyOfKnownPerson.ContainsKey(personId) && !newPersons.ContainsKey(personId))
                {
                    newPersons[personId] = new NewPerson(personId, FamilyOfPerson(personId), sighting.GivenName, sighting.FamilyName, sighting.BirthDate);
                }

                foreach (var key in sighting.Keys.Where(k => !known.Persons.ContainsKey(k)))
                {
                    newIdentifiers.TryAdd(key, personId);
                }
            }
        }

        var eventFamilies = sightingNodes.Select(nodes => FamilyOfPerson(PersonOf(nodes[0]))).ToList();
        return new IdentityPlan(
            eventFamilies,
            [.. newPersons.Values],
            [.. newIdentifiers.Select(pair => (pair.Key, pair.Value))],
            personMerges,
            familyMerges,
            sightings);
    }

    public static string NewFamilyId(Guid id) => $"family-{id:N}";
}
