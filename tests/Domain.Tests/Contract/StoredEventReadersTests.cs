using System.Text;
using System.Text.Json;
using YoungCarers.Domain.Contract;
using YoungCarers.Generation;

namespace YoungCarers.Domain.Tests.Contract;

/// <summary>
/// Stored events are written by the generated serializer and read back by hand
/// (<c>StoredEventReaders</c>): every field of every type must come back, and JSON that does not
/// match its type must fail as the generated reader's strict options make it fail.
/// </summary>
public class StoredEventReadersTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private const string Maya = """{"system":"LCS","id":"C-1","nhsNumber":null,"givenName":"Maya","familyName":null,"birthDate":"2011-05-06","postcode":null}""";

    [Fact]
    public void Every_valid_generated_event_reads_back_as_the_record_it_was_stored_from()
    {
        var parsed = EventGenerator.Generate(new GenerationOptions(Families: 400, Seed: 11))
            .Where(line => line.IntendedValid)
            .Select(line => InboundEventParser.Parse(Encoding.UTF8.GetBytes(line.Json), Now))
            .OfType<ParsedEvent>()
            .ToList();

        Assert.Equal(EventCatalogue.StoredTypes.Order(StringComparer.Ordinal), parsed.Select(e => e.StoredType).Distinct().Order(StringComparer.Ordinal));
        Assert.All(parsed, e => Assert.Equal(e.Event, StoredEventSerializer.Deserialize(e.StoredType, e.DataJson)));
    }

    [Fact]
    public void The_generated_metadata_reads_the_stored_JSON_to_the_same_records()
    {
        var parsed = EventGenerator.Generate(new GenerationOptions(Families: 100, Seed: 12))
            .Where(line => line.IntendedValid)
            .Select(line => InboundEventParser.Parse(Encoding.UTF8.GetBytes(line.Json), Now))
            .OfType<ParsedEvent>();

        Assert.All(parsed, e => Assert.Equal(
            JsonSerializer.Deserialize(e.DataJson, StoredEventJsonContext.Default.GetTypeInfo(e.Event.GetType())!),
            StoredEventSerializer.Deserialize(e.StoredType, e.DataJson)));
    }

    [Fact]
    public void Fields_are_read_in_any_order()
    {
        var json = $$"""{"caredFor":[],"reasons":["young-carer"],"linkedReferralId":null,"referralSource":"school","receivedOn":"2025-03-04","child":{{Maya}},"referralId":"CR-1"}""";

        var read = (ChildrenReferralReceived)StoredEventSerializer.Deserialize(ChildrenReferralReceived.TypeName, json);

        Assert.Equal(
            new ChildrenReferralReceived("CR-1", new PersonRef("LCS", "C-1", null, "Maya", null, new DateOnly(2011, 5, 6), null), new DateOnly(2025, 3, 4), "school", ["young-carer"], [], null),
            read);
    }

    [Theory]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":"school","linkedReferralId":null,"reasons":["young-carer"]}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":"school","linkedReferralId":null,"reasons":null,"caredFor":[]}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":"school","linkedReferralId":null,"reasons":[null],"caredFor":[]}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":"school","linkedReferralId":null,"reasons":"young-carer","caredFor":[]}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":"school","linkedReferralId":null,"reasons":[],"caredFor":[null]}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":null,"linkedReferralId":null,"reasons":[],"caredFor":[]}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":7,"linkedReferralId":null,"reasons":[],"caredFor":[]}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-02-30","referralSource":"school","linkedReferralId":null,"reasons":[],"caredFor":[]}""")]
    [InlineData("""{"referralId":"CR-1","referralId":"CR-2","child":MAYA,"receivedOn":"2025-03-04","referralSource":"school","linkedReferralId":null,"reasons":[],"caredFor":[]}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":"school","linkedReferralId":null,"reasons":[],"caredFor":[],"urgent":true}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":"school","linkedReferralId":null,"reasons":[],"caredFor":[]} {}""")]
    [InlineData("""{"referralId":"CR-1","child":MAYA,"receivedOn":"2025-03-04","referralSource":"school","linkedReferralId":null,"reasons":[],"caredFor":[]""")]
    [InlineData("""[]""")]
    [InlineData("")]
    public void A_stored_event_that_does_not_match_its_type_fails_loudly(string json)
    {
        Assert.ThrowsAny<JsonException>(() => StoredEventSerializer.Deserialize(ChildrenReferralReceived.TypeName, json.Replace("MAYA", Maya, StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("\"decision\":\"Section-47\"")]
    [InlineData("\"decision\":\"section_47\"")]
    [InlineData("\"decision\":3")]
    [InlineData("\"decision\":null")]
    public void Enums_are_read_by_their_exact_SPEC_strings(string decision)
    {
        var json = $$"""{"referralId":"CR-1","child":{{Maya}},"decidedOn":"2025-03-04",{{decision}}}""";

        var exception = Assert.ThrowsAny<JsonException>(() => StoredEventSerializer.Deserialize(ChildrenReferralDecided.TypeName, json));

        Assert.Contains("'decision'", exception.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"hoursPerWeek\":\"12\"", "'hoursPerWeek'")]
    [InlineData("\"hoursPerWeek\":12.5,\"caringTasks\":[1]", "'caringTasks'")]
    [InlineData("\"hoursPerWeek\":12.5", "lacks caringTasks")]
    public void Nested_records_are_read_as_strictly(string rest, string named)
    {
        var json = $$"""{"referralId":"AR-1","person":{{Maya}},"receivedOn":"2025-03-04","reason":null,"householdChildren":[{"child":{{Maya}},"providesCare":"yes",{{rest}}}]}""";

        var exception = Assert.ThrowsAny<JsonException>(() => StoredEventSerializer.Deserialize(AdultReferralReceived.TypeName, json));

        Assert.Contains(named, exception.Message, StringComparison.Ordinal);
    }
}
