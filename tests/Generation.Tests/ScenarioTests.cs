using System.Globalization;
using System.Text.Json;

namespace YoungCarers.Generation.Tests;

/// <summary>Across enough families, the data holds the situations the SPEC's obligations, disputes and flags are about.</summary>
public class ScenarioTests
{
    private const int Families = 300;

    public static TheoryData<string, string, string> Situations => new()
    {
        { "adult.needs-assessment.completed.v1", "childrenInHousehold", "not-recorded" },
        { "adult.needs-assessment.completed.v1", "childrenInHousehold", "yes" },
        { "adult.needs-assessment.completed.v1", "childrenInHousehold", "no" },
        { "adult.care-plan.agreed.v1", "reliesOnChildCare", "True" },
        { "adult.care-plan.agreed.v1", "reliesOnChildCare", "False" },
        { "adult.care-plan.reviewed.v1", "reliesOnChildCare", "True" },
        { "adult.care-plan.reviewed.v1", "reliesOnChildCare", "False" },
        { "adult.referral-to-childrens.sent.v1", "reason", "young-carer" },
        { "adult.referral-to-childrens.sent.v1", "reason", "safeguarding" },
        { "adult.transition-assessment.completed.v1", "likelyEligibleAfter18", "True" },
        { "adult.transition-assessment.completed.v1", "likelyEligibleAfter18", "False" },
        { "children.referral.received.v1", "referralSource", "5A" },
        { "children.referral.decided.v1", "decision", "no-further-action" },
        { "children.referral.decided.v1", "decision", "early-help" },
        { "children.referral.decided.v1", "decision", "assessment" },
        { "children.referral.decided.v1", "decision", "section-47" },
        { "children.referral.decided.v1", "decision", "signposted" },
        { "children.young-carer-assessment.completed.v1", "excessiveOrInappropriate", "True" },
        { "children.young-carer-assessment.completed.v1", "excessiveOrInappropriate", "False" },
        { "children.referral-to-adults.sent.v1", "reason", "appearance-of-need" },
        { "children.referral-to-adults.sent.v1", "reason", "transition" },
        { "partner.young-carer.identified.v1", "identifiedBy", "school" },
        { "partner.young-carer.identified.v1", "identifiedBy", "gp" },
        { "partner.young-carer.identified.v1", "identifiedBy", "health" },
        { "partner.young-carer.identified.v1", "identifiedBy", "young-carers-service" },
        { "partner.young-carer.identified.v1", "identifiedBy", "other" },
    };

    [Theory]
    [MemberData(nameof(Situations))]
    public void The_data_holds_the_situation(string type, string field, string value)
    {
        Assert.Contains(Data(type), data => data.GetProperty(field).ToString() == value);
    }

    [Fact]
    public void Case_closures_use_every_CIN_census_reason_code()
    {
        // Adoption, death and court orders are rare endings: it takes more families to see them all.
        var codes = Lines.FirstDeliveries(Lines.ForFamilies(1000))
            .Where(line => line.Type == "children.case.closed.v1")
            .Select(line => JsonDocument.Parse(line.Json).RootElement.GetProperty("data"))
            .Select(data => data.GetProperty("reasonCode").GetString()).ToHashSet();

        Assert.Equal(Enumerable.Range(1, 9).Select(i => $"RC{i}"), codes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Adult_social_care_referrals_to_childrens_are_received_with_source_5A_and_reason_young_carer()
    {
        Assert.Contains(Data("children.referral.received.v1"), data =>
            data.GetProperty("referralSource").GetString() == "5A"
            && data.GetProperty("reasons").EnumerateArray().Any(reason => reason.GetString() == "young-carer")
            && data.TryGetProperty("linkedReferralId", out _));
    }

    [Fact]
    public void CIN_assessments_record_the_young_carer_factor_and_no_factors()
    {
        var factors = Data("children.cin-assessment.completed.v1").SelectMany(data => data.GetProperty("factors").EnumerateArray()).Select(factor => factor.GetString()).ToHashSet();

        Assert.Superset(new HashSet<string?> { "7A", "4B", "6B", "21" }, factors);
    }

    [Fact]
    public void Adult_assessments_record_children_providing_care_with_tasks_and_hours()
    {
        var children = Data("adult.needs-assessment.completed.v1").SelectMany(data => data.GetProperty("children").EnumerateArray()).ToList();

        Assert.Contains(children, child => child.GetProperty("providesCare").GetString() == "yes" && child.TryGetProperty("caringTasks", out _) && child.TryGetProperty("hoursPerWeek", out _));
        Assert.Contains(children, child => child.GetProperty("providesCare").GetString() == "unknown");
        Assert.Contains(children, child => child.GetProperty("providesCare").GetString() == "no");
    }

    [Fact]
    public void Plans_relying_on_child_care_name_the_child_carers()
    {
        Assert.All(Data("adult.care-plan.agreed.v1"), data =>
            Assert.Equal(data.GetProperty("reliesOnChildCare").GetBoolean(), data.GetProperty("childCarers").GetArrayLength() > 0));
    }

    [Fact]
    public void Young_carers_are_of_every_age_from_5_to_17_when_first_referred()
    {
        var ages = Data("children.referral.received.v1")
            .Select(data => Age(data.GetProperty("child"), DateOnly.Parse(data.GetProperty("receivedOn").GetString()!, CultureInfo.InvariantCulture)))
            .ToHashSet();

        Assert.Superset(Enumerable.Range(5, 13).ToHashSet(), ages);
    }

    [Fact]
    public void Some_young_carers_turn_18_within_the_window_with_and_without_a_transition_assessment()
    {
        var offered = Data("adult.transition-assessment.offered.v1").ToList();

        Assert.Contains(offered, data => Age(data.GetProperty("youngCarer"), DateOnly.Parse(data.GetProperty("offeredOn").GetString()!, CultureInfo.InvariantCulture)) == 17);
        Assert.True(Data("adult.transition-assessment.completed.v1").Count() < offered.Count);
    }

    [Fact]
    public void Young_adult_carers_aged_18_to_24_have_carers_assessments()
    {
        var ages = Data("adult.carers-assessment.completed.v1")
            .Where(data => data.GetProperty("carer").TryGetProperty("birthDate", out _))
            .Select(data => Age(data.GetProperty("carer"), DateOnly.Parse(data.GetProperty("completedOn").GetString()!, CultureInfo.InvariantCulture)))
            .ToList();

        Assert.Contains(ages, age => age is >= 18 and <= 24);
    }

    [Fact]
    public void The_same_child_is_known_to_both_case_systems_under_different_ids_and_one_NHS_number()
    {
        var byNhsNumber = Lines.FirstDeliveries(Lines.ForFamilies(Families))
            .SelectMany(line => Lines.People(JsonDocument.Parse(line.Json).RootElement.GetProperty("data")).Select(person => (line.FamilyKey, person.Person)))
            .Where(entry => entry.Person.TryGetProperty("nhsNumber", out _))
            .GroupBy(entry => entry.Person.GetProperty("nhsNumber").GetString())
            .ToList();

        Assert.Contains(byNhsNumber, group =>
            group.Any(entry => entry.Person.GetProperty("system").GetString() == "LAS")
            && group.Any(entry => entry.Person.GetProperty("system").GetString() == "LCS")
            && group.Any(entry => entry.Person.TryGetProperty("birthDate", out _)));

        // Synthetic numbers never collide: one number, one family.
        Assert.All(byNhsNumber, group => Assert.Single(group.Select(entry => entry.FamilyKey).Distinct()));
    }

    [Fact]
    public void Some_referrals_between_services_are_never_picked_up()
    {
        var lines = Lines.FirstDeliveries(Lines.ForFamilies(Families)).ToList();
        var sentFamilies = lines.Where(line => line.Type == "adult.referral-to-childrens.sent.v1").Select(line => line.FamilyKey).ToHashSet();
        var receivedFamilies = lines.Where(line => line.Type == "children.referral.received.v1").Select(line => line.FamilyKey).ToHashSet();

        Assert.Contains(sentFamilies, family => !receivedFamilies.Contains(family));
    }

    [Fact]
    public void In_some_families_both_services_close_without_assessing_the_young_carer()
    {
        var families = Lines.FirstDeliveries(Lines.ForFamilies(Families)).GroupBy(line => line.FamilyKey);

        Assert.Contains(families, family =>
            family.Any(line => line.Type == "adult.case.closed.v1")
            && family.Any(line => line.Type == "children.case.closed.v1")
            && !family.Any(line => line.Type == "children.young-carer-assessment.completed.v1"));
    }

    private static IEnumerable<JsonElement> Data(string type) =>
        Lines.FirstDeliveries(Lines.ForFamilies(Families))
            .Where(line => line.Type == type)
            .Select(line => JsonDocument.Parse(line.Json).RootElement.GetProperty("data"));

    private static int Age(JsonElement person, DateOnly on)
    {
        var birthDate = DateOnly.Parse(person.GetProperty("birthDate").GetString()!, CultureInfo.InvariantCulture);
        var age = on.Year - birthDate.Year;
        return on < birthDate.AddYears(age) ? age - 1 : age;
    }
}
