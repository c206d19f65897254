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
        var persons = new DisjointSets();
        var personNodeOfKnown = new Dictionary<Guid, int>();
        var personNodeOfKey = new Dictionary<IdentityKey, int>();
        var knownPersonOfNode = new List<Guid?>();
        int PersonNodeOf(IdentityKey key)
        {
            if (known.Persons.TryGetValue(key, out var person))
            {
                if (!personNodeOfKnown.TryGetValue(person.PersonId, out var knownNode))
                {
                    personNodeOfKnown[person.PersonId] = knownNode = persons.Add();
                    knownPersonOfNode.Add(person.PersonId);
                }

                return knownNode;
            }

            if (!personNodeOfKey.TryGetValue(key, out var node))
            {
                personNodeOfKey[key] = node = persons.Add();
                knownPersonOfNode.Add(null);
            }

            return node;
        }

        var sightingNodes = new List<int[]>(eventPeople.Count);
        foreach (var people in eventPeople)
        {
            var nodes = new int[people.Count];
            for (var p = 0; p < people.Count; p++)
            {
                var first = -1;
                foreach (var key in people[p].Keys)
                {
                    var node = PersonNodeOf(key);
                    if (first < 0)
                    {
                        first = node;
                    }
                    else
                    {
                        persons.Union(first, node);
                    }
                }

                nodes[p] = first >= 0 ? first : throw new ArgumentException("A sighting has no identifiers.", nameof(eventPeople));
            }

            sightingNodes.Add(nodes);
        }

        // One id per person: the oldest known record (v7 ids sort by creation), or a new one.
        var personIdOfRoot = new Dictionary<int, Guid>();
        var personMerges = new List<PersonMerge>();
        var knownIds = new List<Guid>();
        foreach (var component in persons.Components())
        {
            knownIds.Clear();
            foreach (var node in component)
            {
                if (knownPersonOfNode[node] is { } knownId)
                {
                    knownIds.Add(knownId);
                }
            }

            knownIds.Sort();
            var id = knownIds.Count > 0 ? knownIds[0] : newId();
            personIdOfRoot[component[0]] = id;
            for (var absorbed = 1; absorbed < knownIds.Count; absorbed++)
            {
                personMerges.Add(new PersonMerge(id, knownIds[absorbed]));
            }
        }

        Guid PersonOf(int node) => personIdOfRoot[persons.Find(node)];

        var familyOfKnownPerson = new Dictionary<Guid, string>();
        foreach (var person in known.Persons.Values)
        {
            familyOfKnownPerson.TryAdd(person.PersonId, person.FamilyId);
        }

        // Families: nodes are persons and existing families; a known person starts joined to their family's node.
        var families = new DisjointSets();
        var familyNodeOfPerson = new Dictionary<Guid, int>();
        var familyNodeOfFamily = new Dictionary<string, int>(StringComparer.Ordinal);
        var familyOfNode = new List<string?>();
        int FamilyNodeOf(string familyId)
        {
            if (!familyNodeOfFamily.TryGetValue(familyId, out var node))
            {
                familyNodeOfFamily[familyId] = node = families.Add();
                familyOfNode.Add(familyId);
            }

            return node;
        }

        foreach (var personId in personIdOfRoot.Values)
        {
            var node = familyNodeOfPerson[personId] = families.Add();
            familyOfNode.Add(null);
            if (familyOfKnownPerson.TryGetValue(personId, out var familyId))
            {
                families.Union(node, FamilyNodeOf(familyId));
            }
        }

        foreach (var merge in personMerges)
        {
            families.Union(familyNodeOfPerson[merge.Kept], FamilyNodeOf(familyOfKnownPerson[merge.Absorbed]));
        }

        foreach (var nodes in sightingNodes)
        {
            var first = familyNodeOfPerson[PersonOf(nodes[0])];
            for (var p = 1; p < nodes.Length; p++)
            {
                families.Union(first, familyNodeOfPerson[PersonOf(nodes[p])]);
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
        var survivorOfRoot = new Dictionary<int, string>();
        var familyMerges = new List<FamilyMerge>();
        foreach (var component in families.Components())
        {
            if (component.TrueForAll(node => familyOfNode[node] is null))
            {
                survivorOfRoot[component[0]] = NewFamilyId(newId());
                continue;
            }

            var existing = component.Select(node => familyOfNode[node]).OfType<string>()
                .Select(f => (Id: f, Age: known.FamilyAges.GetValueOrDefault(f) ?? FamilyAge.Unborn))
                .OrderBy(f => f.Age.CreatedAt)
                .ThenBy(f => f.Age.FirstEventSeq)
                .ThenBy(f => f.Id, StringComparer.Ordinal)
                .Select(f => f.Id)
                .ToList();
            var survivor = existing[0];
            survivorOfRoot[component[0]] = survivor;
            familyMerges.AddRange(existing.Skip(1).Select(absorbed => new FamilyMerge(survivor, absorbed, firstMention[absorbed])));
        }

        string FamilyOfPerson(Guid personId) => survivorOfRoot[families.Find(familyNodeOfPerson[personId])];

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
