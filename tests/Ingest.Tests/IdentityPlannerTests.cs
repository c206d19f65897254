using YoungCarers.Ingest.Identity;

namespace YoungCarers.Ingest.Tests;

public sealed class IdentityPlannerTests
{
    private static readonly DateTimeOffset Earlier = new(2025, 1, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Earlier.AddDays(30);
    private int _nextId;

    [Fact]
    public void Persons_mentioned_in_one_event_form_one_new_family()
    {
        var plan = Plan([[Las("mum"), Cms("child")]]);

        Assert.Equal(2, plan.NewPersons.Count);
        Assert.Single(plan.NewPersons.Select(p => p.FamilyId).Distinct());
        Assert.Equal(plan.NewPersons[0].FamilyId, plan.EventFamilies[0]);
        Assert.Empty(plan.FamilyMerges);
    }

    [Fact]
    public void Events_about_unrelated_people_go_to_different_families()
    {
        var plan = Plan([[Las("a")], [Las("b")]]);

        Assert.NotEqual(plan.EventFamilies[0], plan.EventFamilies[1]);
    }

    [Fact]
    public void A_known_person_brings_the_event_into_their_family()
    {
        var known = Known((Las("mum").Keys[0], Person(1), "family-old"));

        var plan = Plan([[Las("mum"), Cms("child")]], known);

        Assert.Equal("family-old", plan.EventFamilies[0]);
        Assert.Equal("family-old", Assert.Single(plan.NewPersons).FamilyId);
        Assert.Empty(plan.PersonMerges);
    }

    [Fact]
    public void An_event_linking_two_families_merges_them_into_the_older()
    {
        var known = Known(
            (Las("mum").Keys[0], Person(1), "family-young"),
            (Cms("child").Keys[0], Person(2), "family-old"));

        var plan = Plan([[Las("other")], [Las("mum"), Cms("child")]], known);

        var merge = Assert.Single(plan.FamilyMerges);
        Assert.Equal(("family-old", "family-young", 1), (merge.Survivor, merge.Absorbed, merge.CausedByEvent));
        Assert.Equal("family-old", plan.EventFamilies[1]);
    }

    [Fact]
    public void Families_created_in_one_transaction_merge_into_the_one_whose_first_event_was_stored_first()
    {
        var known = Known(
            (Las("mum").Keys[0], Person(1), "family-young"),
            (Cms("child").Keys[0], Person(2), "family-z-twin"));

        var plan = Plan([[Las("mum"), Cms("child")]], known);

        Assert.Equal(("family-z-twin", "family-young"), (Assert.Single(plan.FamilyMerges).Survivor, plan.FamilyMerges[0].Absorbed));
    }

    [Fact]
    public void The_same_nhs_number_in_two_systems_is_one_person_and_joins_their_families()
    {
        var known = Known(
            (IdentityKey.ForSystem("LAS", "7781"), Person(1), "family-old"),
            (IdentityKey.ForNhsNumber("9434765919"), Person(2), "family-young"));
        var sighting = new PersonSighting([IdentityKey.ForSystem("LAS", "7781"), IdentityKey.ForNhsNumber("9434765919")], "Sam", "Jones", null);

        var plan = Plan([[sighting]], known);

        Assert.Equal(new PersonMerge(Person(1), Person(2)), Assert.Single(plan.PersonMerges));
        Assert.Equal("family-young", Assert.Single(plan.FamilyMerges).Absorbed);
    }

    [Fact]
    public void A_new_identifier_for_a_known_person_is_added_to_them()
    {
        var known = Known((IdentityKey.ForSystem("LAS", "7781"), Person(1), "family-old"));
        var sighting = new PersonSighting([IdentityKey.ForSystem("LAS", "7781"), IdentityKey.ForNhsNumber("9434765919")], null, null, null);

        var plan = Plan([[sighting]], known);

        Assert.Equal((IdentityKey.ForNhsNumber("9434765919"), Person(1)), Assert.Single(plan.NewIdentifiers));
        Assert.Empty(plan.NewPersons);
    }

    [Fact]
    public void The_same_name_and_birth_date_never_links_anyone()
    {
        var born = new DateOnly(2011, 5, 6);

        var plan = Plan([
            [new PersonSighting([IdentityKey.ForSystem("LAS", "1")], "Sam", "Jones", born)],
            [new PersonSighting([IdentityKey.ForSystem("CMS", "9")], "Sam", "Jones", born)],
        ]);

        Assert.NotEqual(plan.EventFamilies[0], plan.EventFamilies[1]);
    }

    private IdentityPlan Plan(IReadOnlyList<IReadOnlyList<PersonSighting>> events, KnownIdentities? known = null) =>
        IdentityPlanner.Plan(events, known ?? Known(), () => Guid.CreateVersion7(Earlier.AddDays(++_nextId)));

    private static PersonSighting Las(string id) => new([IdentityKey.ForSystem("LAS", id)], null, null, null);

    private static PersonSighting Cms(string id) => new([IdentityKey.ForSystem("CMS", id)], null, null, null);

    private static Guid Person(int n) => new($"00000000-0000-0000-0000-{n:D12}");

    private static KnownIdentities Known(params (IdentityKey Key, Guid Person, string Family)[] persons) => new(
        persons.ToDictionary(p => p.Key, p => new KnownPerson(p.Person, p.Family)),
        new Dictionary<string, FamilyAge>
        {
            ["family-old"] = new(Earlier, 10),
            ["family-young"] = new(Later, 20),
            // Created in one transaction with family-young (same time), but its first event was stored first.
            ["family-z-twin"] = new(Later, 15),
        });
}
