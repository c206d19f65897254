using System.Text.Json.Nodes;
using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Tests.Contract;

public class UpcastTests
{
    private const string V2 = "adult.needs-assessment.completed.v2";

    [Fact]
    public void A_v2_needs_assessment_is_upcast_to_the_v1_record_and_stored_as_v1()
    {
        var example = Examples.For(V2);

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(example.Utf8, Examples.Now));

        Assert.Equal(
            new AdultNeedsAssessmentCompleted(
                "NA-5540", Examples.Dawn, new DateOnly(2025, 3, 4), true, ChildrenInHouseholdAnswer.Yes,
                [new ChildInHousehold(Examples.Maya, CareProvision.Yes, ["personal care"], 10m), new ChildInHousehold(Examples.Leo, CareProvision.No, [], null)],
                false),
            parsed.Event);
        Assert.Equal(AdultNeedsAssessmentCompleted.TypeName, parsed.StoredType);
        Assert.Equal(V2, parsed.Envelope.Type);
        Assert.Equal(StoredEventSerializer.Serialize(parsed.Event).Json, parsed.DataJson);
    }

    [Theory]
    [InlineData("no", ChildrenInHouseholdAnswer.No)]
    [InlineData("not-recorded", ChildrenInHouseholdAnswer.NotRecorded)]
    public void A_v2_with_no_children_keeps_its_answer(string answer, ChildrenInHouseholdAnswer expected)
    {
        var json = Examples.Changed(V2, envelope =>
        {
            envelope.Data()["children"] = new JsonArray();
            envelope.Data()["childrenInHousehold"] = answer;
        });

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));

        var assessment = Assert.IsType<AdultNeedsAssessmentCompleted>(parsed.Event);
        Assert.Equal(expected, assessment.ChildrenInHousehold);
        Assert.Empty(assessment.Children);
    }

    [Fact]
    public void A_v2_with_no_children_must_say_whether_there_are_any()
    {
        var json = Examples.Changed(V2, envelope => envelope.Data()["children"] = new JsonArray());

        var rejected = Assert.IsType<RejectedEvent>(InboundEventParser.Parse(json, Examples.Now));

        Assert.Equal([("data.childrenInHousehold", ValidationRules.Required)], rejected.Errors.Select(error => (error.Field, error.Rule)));
    }

    [Fact]
    public void A_v2_listing_children_cannot_also_say_there_are_none()
    {
        var json = Examples.Changed(V2, envelope => envelope.Data()["childrenInHousehold"] = "no");

        var rejected = Assert.IsType<RejectedEvent>(InboundEventParser.Parse(json, Examples.Now));

        Assert.Equal([("data.childrenInHousehold", ValidationRules.Inconsistent)], rejected.Errors.Select(error => (error.Field, error.Rule)));
    }

    [Fact]
    public void A_v2_is_validated_in_its_own_shape()
    {
        var json = Examples.Changed(V2, envelope =>
        {
            var first = envelope.Data()["children"]![0]!.AsObject();
            first.Object("caring")["provides"] = "sometimes";
            var second = envelope.Data()["children"]![1]!.AsObject();
            second.Remove("caring");
            second["providesCare"] = "no";
        });

        var rejected = Assert.IsType<RejectedEvent>(InboundEventParser.Parse(json, Examples.Now));

        Assert.Equal(
            [
                ("data.children[0].caring.provides", ValidationRules.InvalidEnum),
                ("data.children[1].caring", ValidationRules.Required),
                ("data.children[1].providesCare", ValidationRules.UnknownField),
            ],
            rejected.Errors.Select(error => (error.Field, error.Rule)).Order());
        Assert.Equal(V2, rejected.Type);
    }
}
