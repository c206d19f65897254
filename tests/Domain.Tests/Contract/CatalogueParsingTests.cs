using System.Text.Json;
using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Tests.Contract;

public class CatalogueParsingTests
{
    public static TheoryData<string> AcceptedTypes => new(Examples.All.Select(example => example.Type));

    [Fact]
    public void The_catalogue_accepts_the_25_SPEC_types_and_one_later_version()
    {
        Assert.Equal(25, EventCatalogue.StoredTypes.Count);
        Assert.All(EventCatalogue.StoredTypes, type => Assert.EndsWith(".v1", type, StringComparison.Ordinal));
        Assert.Equal(
            EventCatalogue.StoredTypes.Append("adult.needs-assessment.completed.v2").Order(StringComparer.Ordinal),
            EventCatalogue.AcceptedTypes.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_accepted_type_has_an_example()
    {
        Assert.Equal(
            EventCatalogue.AcceptedTypes.Order(StringComparer.Ordinal),
            Examples.All.Select(example => example.Type).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(AcceptedTypes))]
    public void A_valid_example_parses_to_its_record(string type)
    {
        var example = Examples.For(type);

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(example.Utf8, Examples.Now));

        Assert.Equal(example.Expected, parsed.Event);
        Assert.Equal(StoredEventSerializer.Serialize(example.Expected).Type, parsed.StoredType);
        Assert.Equal(new CloudEventEnvelope("1.0", example.Id, example.Source, type, new DateTimeOffset(2025, 3, 4, 10, 15, 0, TimeSpan.Zero), "example", "application/json"), parsed.Envelope);
    }

    [Theory]
    [MemberData(nameof(AcceptedTypes))]
    public void People_lists_everyone_the_event_mentions(string type)
    {
        var example = Examples.For(type);

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(example.Utf8, Examples.Now));

        Assert.Equal(example.People, parsed.Event.People);
    }

    [Theory]
    [MemberData(nameof(AcceptedTypes))]
    public void The_stored_data_is_the_canonical_serialisation_of_the_record(string type)
    {
        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(Examples.For(type).Utf8, Examples.Now));

        Assert.Equal(StoredEventSerializer.Serialize(parsed.Event).Json, parsed.DataJson);
        Assert.Equal(parsed.Event, StoredEventSerializer.Deserialize(parsed.StoredType, parsed.DataJson));
    }

    [Theory]
    [MemberData(nameof(AcceptedTypes))]
    public void An_item_of_a_batch_parses_like_a_single_event(string type)
    {
        var example = Examples.For(type);
        using var batch = JsonDocument.Parse($"[{example.Json}]", new JsonDocumentOptions { MaxDepth = InboundLimits.MaxJsonDepth + 1 });

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(batch.RootElement[0], Examples.Now));

        Assert.Equal(example.Expected, parsed.Event);
    }

    [Fact]
    public void Each_enum_reads_every_SPEC_string()
    {
        string[] decisions = ["no-further-action", "early-help", "assessment", "section-47", "signposted"];

        var read = decisions.Select(decision => Examples.Changed(ChildrenReferralDecided.TypeName, envelope => envelope.Data()["decision"] = decision))
            .Select(json => ((ChildrenReferralDecided)Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now)).Event).Decision);

        Assert.Equal(
            [ChildrenReferralDecision.NoFurtherAction, ChildrenReferralDecision.EarlyHelp, ChildrenReferralDecision.Assessment, ChildrenReferralDecision.Section47, ChildrenReferralDecision.Signposted],
            read);
    }

    [Theory]
    [InlineData("school", YoungCarerIdentifiedBy.School)]
    [InlineData("gp", YoungCarerIdentifiedBy.Gp)]
    [InlineData("health", YoungCarerIdentifiedBy.Health)]
    [InlineData("young-carers-service", YoungCarerIdentifiedBy.YoungCarersService)]
    [InlineData("other", YoungCarerIdentifiedBy.Other)]
    public void Identified_by_reads_its_SPEC_string(string text, YoungCarerIdentifiedBy expected)
    {
        var json = Examples.Changed(PartnerYoungCarerIdentified.TypeName, envelope => envelope.Data()["identifiedBy"] = text);

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));

        Assert.Equal(expected, ((PartnerYoungCarerIdentified)parsed.Event).IdentifiedBy);
    }

    [Fact]
    public void Optional_fields_and_arrays_may_be_left_out_or_null()
    {
        var json = Examples.Changed(AdultReferralReceived.TypeName, envelope =>
        {
            envelope.Remove("subject");
            envelope.Remove("datacontenttype");
            envelope.Data().Remove("householdChildren");
            envelope.Data()["reason"] = null;
        });

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));

        Assert.Equal(new AdultReferralReceived("AR-2025-0117", Examples.Dawn, new DateOnly(2025, 3, 3), null, []), parsed.Event);
        Assert.Null(parsed.Envelope.Subject);
        Assert.Null(parsed.Envelope.DataContentType);
    }

    [Fact]
    public void Valid_extension_attributes_are_allowed()
    {
        var json = Examples.Changed(AdultCaseClosed.TypeName, envelope =>
        {
            envelope["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            envelope["partitionkey"] = "LAS/7790";
            envelope["sequence2"] = 42;
            envelope["dataschema"] = "https://schemas.example/adult.case.closed.v1.json";
        });

        Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));
    }

    [Theory]
    [InlineData("2025-03-04T11:15:00+01:00")]
    [InlineData("2025-03-04t10:15:00.123456z")]
    [InlineData("2025-03-04T05:15:00-05:00")]
    public void Time_accepts_RFC_3339_offsets_and_fractions(string time)
    {
        var json = Examples.Changed(AdultCaseClosed.TypeName, envelope => envelope["time"] = time);

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));

        Assert.Equal(new DateTimeOffset(2025, 3, 4, 10, 15, 0, TimeSpan.Zero), parsed.Envelope.Time.AddTicks(-(parsed.Envelope.Time.Ticks % TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public void Time_keeps_fractions_to_the_tick()
    {
        var json = Examples.Changed(AdultCaseClosed.TypeName, envelope => envelope["time"] = "2025-03-04T10:15:00.123456789Z");

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));

        Assert.Equal(new DateTimeOffset(2025, 3, 4, 10, 15, 0, TimeSpan.Zero).AddTicks(1_234_567), parsed.Envelope.Time);
    }

    [Fact]
    public void Content_type_parameters_are_allowed()
    {
        var json = Examples.Changed(AdultCaseClosed.TypeName, envelope => envelope["datacontenttype"] = "Application/JSON; charset=utf-8");

        Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));
    }

    [Fact]
    public void Strings_at_their_caps_are_accepted()
    {
        var json = Examples.Changed(AdultCaseClosed.TypeName, envelope =>
        {
            envelope.Data()["reason"] = new string('r', InboundLimits.MaxTextLength);
            envelope.Data().Object("person")["id"] = new string('7', InboundLimits.MaxIdLength);
            envelope.Data().Object("person")["familyName"] = new string('L', InboundLimits.MaxNameLength);
        });

        Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));
    }

    [Fact]
    public void A_date_a_day_after_the_event_is_tolerated()
    {
        var json = Examples.Changed(AdultCaseClosed.TypeName, envelope => envelope.Data()["closedOn"] = "2025-03-05");

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));

        Assert.Equal(new DateOnly(2025, 3, 5), ((AdultCaseClosed)parsed.Event).ClosedOn);
    }
}
