using System.Text.Json;
using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Tests.Contract;

public class StoredEventSerializerTests
{
    public static TheoryData<string> StoredTypes => new(EventCatalogue.StoredTypes.Order(StringComparer.Ordinal));

    [Theory]
    [MemberData(nameof(StoredTypes))]
    public void Every_type_round_trips_to_an_equal_record(string type)
    {
        var original = Examples.For(type).Expected;

        var (storedType, json) = StoredEventSerializer.Serialize(original);
        var read = StoredEventSerializer.Deserialize(storedType, json);

        Assert.Equal(type, storedType);
        Assert.Equal(original, read);
        Assert.NotSame(original, read);
    }

    // Lists come after the other fields (they are declared in the record bodies, to be held as
    // value lists); JSON field order carries no meaning, but it is fixed.
    [Fact]
    public void The_stored_JSON_uses_SPEC_names_enum_strings_ISO_dates_and_explicit_nulls()
    {
        var assessment = new AdultNeedsAssessmentCompleted(
            "NA-1",
            new PersonRef("LAS", "7790", null, null, null, null, null),
            new DateOnly(2025, 3, 4),
            false,
            ChildrenInHouseholdAnswer.NotRecorded,
            [],
            false);

        var (type, json) = StoredEventSerializer.Serialize(assessment);

        Assert.Equal("adult.needs-assessment.completed.v1", type);
        Assert.Equal(
            """{"assessmentId":"NA-1","person":{"system":"LAS","id":"7790","nhsNumber":null,"givenName":null,"familyName":null,"birthDate":null,"postcode":null},"completedOn":"2025-03-04","eligible":false,"childrenInHousehold":"not-recorded","parentingResponsibilitiesConsidered":false,"children":[]}""",
            json);
    }

    [Fact]
    public void Nested_records_and_multi_word_enums_are_stored_by_their_SPEC_names()
    {
        var referral = (AdultReferralReceived)Examples.For(AdultReferralReceived.TypeName).Expected;
        var decided = new ChildrenReferralDecided("CR-1", Examples.Maya, new DateOnly(2025, 3, 4), ChildrenReferralDecision.Section47);

        var referralJson = StoredEventSerializer.Serialize(referral).Json;
        var decidedJson = StoredEventSerializer.Serialize(decided).Json;

        Assert.Contains("""
            "householdChildren":[{"child":{"system":"LCS","id":"C-20411","nhsNumber":"4010232137","givenName":"Maya","familyName":"Hughes","birthDate":"2011-05-06","postcode":"EN5 1AB"},"providesCare":"yes","hoursPerWeek":12.5,"caringTasks":["personal care","medication"]}
            """, referralJson, StringComparison.Ordinal);
        Assert.Contains("\"decision\":\"section-47\"", decidedJson, StringComparison.Ordinal);
    }

    [Fact]
    public void People_is_not_stored()
    {
        var json = StoredEventSerializer.Serialize(Examples.For(AdultCarePlanAgreed.TypeName).Expected).Json;

        Assert.DoesNotContain("people", json, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Reading_an_unknown_stored_type_fails_deliberately()
    {
        var exception = Assert.Throws<UnknownEventTypeException>(() => StoredEventSerializer.Deserialize("adult.referral.received.v9", "{}"));

        Assert.Equal("adult.referral.received.v9", exception.EventType);
    }

    [Fact]
    public void A_later_inbound_version_is_never_a_stored_type()
    {
        Assert.Throws<UnknownEventTypeException>(() => StoredEventSerializer.Deserialize("adult.needs-assessment.completed.v2", "{}"));
    }

    [Theory]
    [InlineData("""{"assessmentId":"NA-1","startedOn":"2025-03-04"}""")]
    [InlineData("""{"assessmentId":"NA-1","person":{"system":"LAS","id":"7790","nhsNumber":null,"givenName":null,"familyName":null,"birthDate":null,"postcode":null},"startedOn":"2025-03-04","extra":1}""")]
    [InlineData("""{"assessmentId":null,"person":{"system":"LAS","id":"7790","nhsNumber":null,"givenName":null,"familyName":null,"birthDate":null,"postcode":null},"startedOn":"2025-03-04"}""")]
    [InlineData("null")]
    [InlineData("""{"assessmentId":"NA-1","person":{"system":"LAS","id":"7790","nhsNumber":null,"givenName":null,"familyName":null,"birthDate":null},"startedOn":"2025-03-04"}""")]
    [InlineData("""{"assessmentId":"NA-1","person":{"system":"LAS","id":"7790","nhsNumber":null,"givenName":null,"familyName":null,"birthDate":null,"postcode":null,"age":9},"startedOn":"2025-03-04"}""")]
    [InlineData("""{"assessmentId":"NA-1","person":{"system":null,"id":"7790","nhsNumber":null,"givenName":null,"familyName":null,"birthDate":null,"postcode":null},"startedOn":"2025-03-04"}""")]
    [InlineData("""{"assessmentId":"NA-1","person":{"system":"LAS","id":"7790","id":"7791","nhsNumber":null,"givenName":null,"familyName":null,"birthDate":null,"postcode":null},"startedOn":"2025-03-04"}""")]
    [InlineData("""{"assessmentId":"NA-1","person":{"system":"LAS","id":7790,"nhsNumber":null,"givenName":null,"familyName":null,"birthDate":null,"postcode":null},"startedOn":"2025-03-04"}""")]
    [InlineData("""{"assessmentId":"NA-1","person":{"system":"LAS","id":"7790","nhsNumber":null,"givenName":null,"familyName":null,"birthDate":"2011-02-30","postcode":null},"startedOn":"2025-03-04"}""")]
    [InlineData("""{"assessmentId":"NA-1","person":{"system":"LAS","id":"7790","nhsNumber":null,"givenName":null,"familyName":null,"birthDate":"06/05/2011","postcode":null},"startedOn":"2025-03-04"}""")]
    [InlineData("""{"assessmentId":"NA-1","person":["LAS","7790"],"startedOn":"2025-03-04"}""")]
    public void Stored_JSON_that_does_not_match_its_type_fails_loudly(string json)
    {
        Assert.ThrowsAny<JsonException>(() => StoredEventSerializer.Deserialize(AdultNeedsAssessmentStarted.TypeName, json));
    }

    [Fact]
    public void A_persons_birth_date_is_read_however_its_digits_are_escaped()
    {
        var json = """{"assessmentId":"NA-1","person":{"system":"LAS","id":"7790","nhsNumber":null,"givenName":"D\u0061wn","familyName":null,"birthDate":"1979-03-1\u0034","postcode":null},"startedOn":"2025-03-04"}""";

        var started = (AdultNeedsAssessmentStarted)StoredEventSerializer.Deserialize(AdultNeedsAssessmentStarted.TypeName, json);

        Assert.Equal(new PersonRef("LAS", "7790", null, "Dawn", null, new DateOnly(1979, 3, 14), null), started.Person);
    }

    [Fact]
    public void Serialising_an_event_outside_the_catalogue_fails()
    {
        Assert.Throws<ArgumentException>(() => StoredEventSerializer.Serialize(new NotInTheCatalogue()));
    }

    [Fact]
    public void Records_holding_lists_are_equal_by_content_however_they_were_built()
    {
        string[] tasks = ["shopping"];
        var fromArray = new ChildInHousehold(Examples.Maya, CareProvision.Yes, tasks, null);
        var fromList = new ChildInHousehold(Examples.Maya, CareProvision.Yes, new List<string> { "shopping" }, null);
        var changed = fromArray with { CaringTasks = new List<string> { "shopping", "cooking" } };

        Assert.Equal(fromArray, fromList);
        Assert.Equal(fromArray.GetHashCode(), fromList.GetHashCode());
        Assert.NotEqual(fromArray, changed);
        Assert.Equal(fromArray, changed with { CaringTasks = ["shopping"] });
    }

    private sealed record NotInTheCatalogue : IInboundEvent
    {
        public IReadOnlyList<PersonRef> People => [];
    }
}
