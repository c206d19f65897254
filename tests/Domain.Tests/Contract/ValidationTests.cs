using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Tests.Contract;

/// <summary>Each rule, by the field path and rule code the parser reports for it.</summary>
public class ValidationTests
{
    private const string Referral = AdultReferralReceived.TypeName;
    private const string Assessment = AdultNeedsAssessmentCompleted.TypeName;

    // Structure

    [Theory]
    [InlineData("")]
    [InlineData("{ \"specversion\": \"1.0\", ")]
    [InlineData("{ 'specversion': '1.0' }")]
    [InlineData("{} {}")]
    [InlineData("{ \"id\": \"1\", } ")]
    public void Text_that_is_not_one_JSON_value_is_malformed(string json)
    {
        var rejected = Rejected(Encoding.UTF8.GetBytes(json));

        Assert.Equal(new RejectedEvent(null, null, null, [new ValidationError("$", ValidationRules.MalformedJson, rejected.Errors[0].Message)]), rejected);
    }

    [Theory]
    [InlineData("{ \"data\": { \"familyName\": nightingale } }", "nigh")]
    [InlineData("{ \"data\": { \"nhsNumber\": 943 476 5919 } }", "476")]
    [InlineData("{ \"data\": { \"givenName\": \"Ma\u0001ya\" } }", "\u0001")]
    public void Malformed_JSON_is_described_by_where_it_breaks_and_not_by_what_it_says_there(string json, string sent)
    {
        var message = Rejected(Encoding.UTF8.GetBytes(json)).Errors[0].Message;

        Assert.DoesNotContain(sent, message, StringComparison.Ordinal);
        Assert.StartsWith("Not valid JSON: it breaks at line 1, byte ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_UTF_8_is_malformed()
    {
        byte[] json = [.. "{ \"id\": \""u8, 0xC3, 0x28, .. "\" }"u8];

        AssertOnly(Rejected(json), "$", ValidationRules.MalformedJson);
    }

    [Fact]
    public void Invalid_UTF_8_in_a_batch_item_is_malformed()
    {
        byte[] json = [.. "[{ \"id\": \""u8, 0xC3, 0x28, .. "\" }]"u8];
        using var batch = JsonDocument.Parse(json);

        AssertOnly(Assert.IsType<RejectedEvent>(InboundEventParser.Parse(batch.RootElement[0], Examples.Now)), "$", ValidationRules.MalformedJson);
    }

    [Theory]
    [InlineData("\\ud800")]
    [InlineData("\\udc00x")]
    public void An_escape_of_half_a_surrogate_pair_is_malformed(string escaped)
    {
        var json = Examples.For(AdultCaseClosed.TypeName).Json.Replace("No eligible needs following review.", escaped, StringComparison.Ordinal);

        var rejected = Rejected(Encoding.UTF8.GetBytes(json));

        AssertOnly(rejected, "$", ValidationRules.MalformedJson);
        Assert.Equal(AdultCaseClosed.TypeName, rejected.Type);
    }

    [Fact]
    public void An_event_broken_in_its_own_envelope_is_named_as_far_as_it_can_be_read()
    {
        var json = Examples.For(AdultCaseClosed.TypeName).Json
            .Replace($"\"id\": \"{AdultCaseClosed.TypeName}-0001\"", "\"id\": \"\\ud800\", \"x\\udc00\": 1", StringComparison.Ordinal);
        using var batch = JsonDocument.Parse($"[{json}]");

        var single = Rejected(Encoding.UTF8.GetBytes(json));
        var item = Assert.IsType<RejectedEvent>(InboundEventParser.Parse(batch.RootElement[0], Examples.Now));

        AssertOnly(single, "$", ValidationRules.MalformedJson);
        AssertOnly(item, "$", ValidationRules.MalformedJson);
        Assert.Equal((Examples.AdultSource, null, AdultCaseClosed.TypeName), (single.Source, single.Id, single.Type));
        Assert.Equal((Examples.AdultSource, null, AdultCaseClosed.TypeName), (item.Source, item.Id, item.Type));
    }

    [Fact]
    public void Escaped_text_including_a_surrogate_pair_is_read()
    {
        var json = Examples.For(AdultCaseClosed.TypeName).Json.Replace("No eligible needs following review.", "Caf\\u00e9 \\ud83d\\ude00 \\\\ud", StringComparison.Ordinal);

        var parsed = Assert.IsType<ParsedEvent>(InboundEventParser.Parse(Encoding.UTF8.GetBytes(json), Examples.Now));

        Assert.Equal("Caf\u00e9 \ud83d\ude00 \\ud", ((AdultCaseClosed)parsed.Event).Reason);
    }

    [Fact]
    public void An_envelope_that_is_not_an_object_is_the_wrong_type()
    {
        AssertOnly(Rejected("[]"u8.ToArray()), "$", ValidationRules.WrongType);
    }

    [Fact]
    public void Data_that_is_not_an_object_is_the_wrong_type()
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope["data"] = new JsonArray()), "data", ValidationRules.WrongType);
    }

    [Fact]
    public void An_event_nested_too_deep_is_rejected_before_it_is_read()
    {
        var json = Examples.Changed(Referral, envelope => envelope.Data()["reason"] = Nested(InboundLimits.MaxJsonDepth));

        var rejected = Rejected(json);

        AssertOnly(rejected, "$", ValidationRules.TooDeep);
    }

    [Fact]
    public void Nesting_up_to_the_cap_is_read_normally()
    {
        // The envelope and data objects are two levels, so this reaches the cap exactly.
        var json = Examples.Changed(Referral, envelope => envelope.Data()["reason"] = Nested(InboundLimits.MaxJsonDepth - 2));

        AssertOnly(Rejected(json), "data.reason", ValidationRules.WrongType);
    }

    [Fact]
    public void An_event_over_the_size_cap_is_rejected_before_it_is_read()
    {
        var json = Examples.Changed(Referral, envelope => envelope.Data()["reason"] = new string('x', InboundLimits.MaxEventBytes));

        AssertOnly(Rejected(json), "$", ValidationRules.TooLarge);
    }

    [Fact]
    public void A_batch_item_over_the_caps_is_rejected_and_still_named()
    {
        var tooLarge = Examples.Changed(Referral, envelope => envelope.Data()["reason"] = new string('x', InboundLimits.MaxEventBytes));
        var tooDeep = Examples.Changed(Referral, envelope => envelope.Data()["reason"] = Nested(InboundLimits.MaxJsonDepth));
        using var batch = JsonDocument.Parse(
            $"[{Encoding.UTF8.GetString(tooLarge)}, {Encoding.UTF8.GetString(tooDeep)}]",
            new JsonDocumentOptions { MaxDepth = 64 });

        var first = Assert.IsType<RejectedEvent>(InboundEventParser.Parse(batch.RootElement[0], Examples.Now));
        var second = Assert.IsType<RejectedEvent>(InboundEventParser.Parse(batch.RootElement[1], Examples.Now));

        AssertOnly(first, "$", ValidationRules.TooLarge);
        AssertOnly(second, "$", ValidationRules.TooDeep);
        Assert.Equal((Examples.AdultSource, $"{Referral}-0001", Referral), (second.Source, second.Id, second.Type));
    }

    // Envelope

    [Theory]
    [InlineData("specversion")]
    [InlineData("id")]
    [InlineData("source")]
    [InlineData("type")]
    [InlineData("time")]
    [InlineData("data")]
    public void A_missing_envelope_attribute_is_required(string attribute)
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope.Remove(attribute)), attribute, ValidationRules.Required);
    }

    [Theory]
    [InlineData("0.3")]
    [InlineData("1.0.2")]
    [InlineData("1")]
    public void A_specversion_other_than_1_0_is_rejected(string specVersion)
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope["specversion"] = specVersion), "specversion", ValidationRules.SpecVersion);
    }

    [Fact]
    public void A_numeric_specversion_is_the_wrong_type()
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope["specversion"] = 1.0), "specversion", ValidationRules.WrongType);
    }

    [Theory]
    [InlineData("adult.referral.recieved.v1")]
    [InlineData("adult.referral.received")]
    [InlineData("Adult.Referral.Received.v1")]
    public void A_type_outside_the_catalogue_is_unknown(string type)
    {
        var rejected = RejectedChange(Referral, envelope => envelope["type"] = type);

        AssertOnly(rejected, "type", ValidationRules.UnknownType);
        Assert.Equal(type, rejected.Type);
    }

    [Fact]
    public void An_unknown_version_names_the_versions_accepted()
    {
        var rejected = RejectedChange(Referral, envelope => envelope["type"] = "adult.referral.received.v3");

        AssertOnly(rejected, "type", ValidationRules.UnknownType);
        Assert.Contains("adult.referral.received.v1", rejected.Errors[0].Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2025-03-04", ValidationRules.InvalidTime)]
    [InlineData("2025-03-04T10:15:00", ValidationRules.InvalidTime)]
    [InlineData("2025-03-04T10:15Z", ValidationRules.InvalidTime)]
    [InlineData("2025-03-04 10:15:00Z", ValidationRules.InvalidTime)]
    [InlineData("Tue, 04 Mar 2025 10:15:00 GMT", ValidationRules.InvalidTime)]
    [InlineData("2025-02-30T10:15:00Z", ValidationRules.ImpossibleDate)]
    [InlineData("2025-03-04T24:00:00Z", ValidationRules.ImpossibleDate)]
    [InlineData("2025-03-04T10:15:00+15:00", ValidationRules.ImpossibleDate)]
    [InlineData("1899-12-31T23:59:59Z", ValidationRules.TooEarly)]
    [InlineData("2025-03-06T09:00:01Z", ValidationRules.FutureDate)]
    public void Time_must_be_a_real_RFC_3339_instant_no_more_than_a_day_after_now(string time, string rule)
    {
        AssertOnly(RejectedChange(AdultCaseClosed.TypeName, envelope => envelope["time"] = time), "time", rule);
    }

    [Fact]
    public void A_source_with_spaces_is_not_a_URI()
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope["source"] = "adult social care"), "source", ValidationRules.InvalidUri);
    }

    [Fact]
    public void A_data_content_type_other_than_JSON_is_rejected()
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope["datacontenttype"] = "application/xml"), "datacontenttype", ValidationRules.InvalidContentType);
    }

    [Theory]
    [InlineData("Traceparent")]
    [InlineData("trace_parent")]
    [InlineData("data_base64")]
    public void An_envelope_attribute_that_is_not_a_valid_extension_name_is_unknown(string attribute)
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope[attribute] = "x"), attribute, ValidationRules.UnknownField);
    }

    [Fact]
    public void An_extension_attribute_must_be_a_scalar()
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope["tracing"] = new JsonObject { ["id"] = "1" }), "tracing", ValidationRules.WrongType);
    }

    [Fact]
    public void A_rejected_event_is_named_by_its_envelope()
    {
        var rejected = RejectedChange(Referral, envelope => envelope.Data().Remove("referralId"));

        Assert.Equal((Examples.AdultSource, $"{Referral}-0001", Referral), (rejected.Source, rejected.Id, rejected.Type));
    }

    // Data fields

    [Theory]
    [InlineData("referralId")]
    [InlineData("person")]
    [InlineData("receivedOn")]
    public void A_missing_data_field_is_required(string field)
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope.Data().Remove(field)), $"data.{field}", ValidationRules.Required);
    }

    [Theory]
    [InlineData("system")]
    [InlineData("id")]
    public void A_person_needs_a_system_and_an_id(string field)
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope.Data().Object("person").Remove(field)), $"data.person.{field}", ValidationRules.Required);
    }

    [Fact]
    public void A_null_required_field_is_required()
    {
        AssertOnly(RejectedChange(Assessment, envelope => envelope.Data()["eligible"] = null), "data.eligible", ValidationRules.Required);
    }

    [Fact]
    public void A_required_array_is_required_even_when_it_would_be_empty()
    {
        AssertOnly(RejectedChange(Assessment, envelope => envelope.Data().Remove("children")), "data.children", ValidationRules.Required);
    }

    [Fact]
    public void An_unknown_data_field_is_rejected()
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope.Data()["priority"] = "high"), "data.priority", ValidationRules.UnknownField);
    }

    [Fact]
    public void An_unknown_field_in_a_nested_person_is_rejected()
    {
        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data().Object("person")["middleName"] = "Ann"),
            "data.person.middleName",
            ValidationRules.UnknownField);
    }

    [Fact]
    public void A_field_given_twice_is_a_duplicate()
    {
        var example = Examples.For(AdultCaseClosed.TypeName);
        var json = example.Json.Replace("\"closedOn\":", "\"reason\": \"Duplicate.\", \"closedOn\":", StringComparison.Ordinal);

        AssertOnly(Rejected(Encoding.UTF8.GetBytes(json)), "data.reason", ValidationRules.DuplicateField);
    }

    [Fact]
    public void A_field_names_case_matters()
    {
        var rejected = RejectedChange(AdultCaseClosed.TypeName, envelope =>
        {
            envelope.Data()["ClosedOn"] = envelope.Data()["closedOn"]!.DeepClone();
            envelope.Data().Remove("closedOn");
        });

        AssertErrors(rejected, ("data.ClosedOn", ValidationRules.UnknownField), ("data.closedOn", ValidationRules.Required));
    }

    [Theory]
    [InlineData("\"yes\"")]
    [InlineData("1")]
    [InlineData("null")]
    public void A_boolean_must_be_true_or_false(string value)
    {
        var rejected = RejectedChange(Assessment, envelope => envelope.Data()["eligible"] = JsonNode.Parse(value));

        AssertOnly(rejected, "data.eligible", value == "null" ? ValidationRules.Required : ValidationRules.WrongType);
    }

    [Fact]
    public void A_number_where_a_string_belongs_is_the_wrong_type()
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope.Data()["referralId"] = 117), "data.referralId", ValidationRules.WrongType);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void A_blank_string_is_empty(string value)
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope.Data().Object("person")["givenName"] = value), "data.person.givenName", ValidationRules.Empty);
    }

    // Enums and codes

    [Theory]
    [InlineData("Not recorded")]
    [InlineData("not_recorded")]
    [InlineData("YES")]
    public void A_value_outside_an_enum_is_invalid(string value)
    {
        AssertOnly(RejectedChange(Assessment, envelope => envelope.Data()["childrenInHousehold"] = value), "data.childrenInHousehold", ValidationRules.InvalidEnum);
    }

    [Fact]
    public void An_enum_inside_an_array_item_is_reported_at_its_index()
    {
        AssertOnly(
            RejectedChange(Assessment, envelope => envelope.Data()["children"]![1]!["providesCare"] = "sometimes"),
            "data.children[1].providesCare",
            ValidationRules.InvalidEnum);
    }

    [Theory]
    [InlineData("RC10")]
    [InlineData("rc6")]
    [InlineData("6")]
    public void A_case_closure_reason_must_be_RC1_to_RC9(string code)
    {
        AssertOnly(RejectedChange(ChildrenCaseClosed.TypeName, envelope => envelope.Data()["reasonCode"] = code), "data.reasonCode", ValidationRules.InvalidEnum);
    }

    [Fact]
    public void A_CIN_assessment_must_record_at_least_one_factor()
    {
        AssertOnly(RejectedChange(ChildrenCinAssessmentCompleted.TypeName, envelope => envelope.Data()["factors"] = new JsonArray()), "data.factors", ValidationRules.TooFewItems);
    }

    // NHS numbers

    [Theory]
    [InlineData("943476591")]
    [InlineData("94347659190")]
    [InlineData("943 476 5919")]
    [InlineData("943-476-5919")]
    [InlineData("94347659I9")]
    public void An_NHS_number_must_be_ten_digits(string nhsNumber)
    {
        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data().Object("person")["nhsNumber"] = nhsNumber),
            "data.person.nhsNumber",
            ValidationRules.NhsNumberFormat);
    }

    [Theory]
    [InlineData("9434765918")]
    [InlineData("9434765910")]
    [InlineData("4934765919")]
    [InlineData("1234567890")]
    [InlineData("1234567891")]
    public void An_NHS_number_with_a_wrong_check_digit_is_rejected(string nhsNumber)
    {
        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data().Object("person")["nhsNumber"] = nhsNumber),
            "data.person.nhsNumber",
            ValidationRules.NhsNumberChecksum);
    }

    [Fact]
    public void An_NHS_number_given_as_a_number_is_the_wrong_type()
    {
        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data().Object("person")["nhsNumber"] = 9434765919),
            "data.person.nhsNumber",
            ValidationRules.WrongType);
    }

    [Fact]
    public void A_bad_NHS_number_deep_in_an_array_is_reported_by_its_full_path()
    {
        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data()["householdChildren"]![0]!["child"]!["nhsNumber"] = "4010232138"),
            "data.householdChildren[0].child.nhsNumber",
            ValidationRules.NhsNumberChecksum);
    }

    // Dates

    [Theory]
    [InlineData("2025-02-30", ValidationRules.ImpossibleDate)]
    [InlineData("2025-13-01", ValidationRules.ImpossibleDate)]
    [InlineData("2025-00-10", ValidationRules.ImpossibleDate)]
    [InlineData("2025-3-3", ValidationRules.InvalidDate)]
    [InlineData("03/03/2025", ValidationRules.InvalidDate)]
    [InlineData("2025-03-03T00:00:00Z", ValidationRules.InvalidDate)]
    [InlineData("1899-12-31", ValidationRules.TooEarly)]
    [InlineData("2025-03-06", ValidationRules.FutureDate)]
    [InlineData("2026-01-01", ValidationRules.FutureDate)]
    public void A_date_must_be_a_real_date_in_the_past(string date, string rule)
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope.Data()["receivedOn"] = date), "data.receivedOn", rule);
    }

    [Fact]
    public void A_date_may_not_be_after_the_events_own_time()
    {
        var rejected = RejectedChange(AdultCaseClosed.TypeName, envelope =>
        {
            envelope["time"] = "2025-01-10T09:00:00Z";
            envelope.Data()["closedOn"] = "2025-01-12";
        });

        AssertOnly(rejected, "data.closedOn", ValidationRules.FutureDate);
    }

    [Theory]
    [InlineData("2025-03-07", ValidationRules.FutureDate)]
    [InlineData("2012-02-30", ValidationRules.ImpossibleDate)]
    public void A_birth_date_must_be_real_and_not_in_the_future(string birthDate, string rule)
    {
        AssertOnly(RejectedChange(ChildrenSection47Started.TypeName, envelope => envelope.Data().Object("child")["birthDate"] = birthDate), "data.child.birthDate", rule);
    }

    [Fact]
    public void A_child_needs_a_birth_date()
    {
        AssertOnly(RejectedChange(ChildrenSection47Started.TypeName, envelope => envelope.Data().Object("child").Remove("birthDate")), "data.child.birthDate", ValidationRules.Required);
    }

    [Fact]
    public void Children_in_every_child_role_need_a_birth_date()
    {
        var householdChild = RejectedChange(Referral, envelope => envelope.Data()["householdChildren"]![1]!["child"]!.AsObject().Remove("birthDate"));
        var childCarer = RejectedChange(AdultCarePlanAgreed.TypeName, envelope => envelope.Data()["childCarers"]![0]!.AsObject().Remove("birthDate"));
        var youngCarer = RejectedChange(AdultTransitionAssessmentOffered.TypeName, envelope => envelope.Data().Object("youngCarer").Remove("birthDate"));

        AssertOnly(householdChild, "data.householdChildren[1].child.birthDate", ValidationRules.Required);
        AssertOnly(childCarer, "data.childCarers[0].birthDate", ValidationRules.Required);
        AssertOnly(youngCarer, "data.youngCarer.birthDate", ValidationRules.Required);
    }

    [Fact]
    public void An_adult_needs_no_birth_date()
    {
        var json = Examples.Changed(AdultReferralToChildrensSent.TypeName, envelope => envelope.Data().Object("adult").Remove("birthDate"));

        Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));
    }

    [Fact]
    public void A_review_may_be_due_in_the_future_but_not_decades_ahead()
    {
        var nextYear = Examples.Changed(AdultCarePlanAgreed.TypeName, envelope => envelope.Data()["reviewDueOn"] = "2026-03-04");
        var decadesAhead = RejectedChange(AdultCarePlanAgreed.TypeName, envelope => envelope.Data()["reviewDueOn"] = "2040-03-04");

        Assert.IsType<ParsedEvent>(InboundEventParser.Parse(nextYear, Examples.Now));
        AssertOnly(decadesAhead, "data.reviewDueOn", ValidationRules.TooLate);
    }

    // Lengths, sizes and ranges

    [Fact]
    public void An_id_over_its_cap_is_too_long()
    {
        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data()["referralId"] = new string('7', InboundLimits.MaxIdLength + 1)),
            "data.referralId",
            ValidationRules.TooLong);
    }

    [Fact]
    public void A_name_over_its_cap_is_too_long()
    {
        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data().Object("person")["familyName"] = new string('H', InboundLimits.MaxNameLength + 1)),
            "data.person.familyName",
            ValidationRules.TooLong);
    }

    [Fact]
    public void Free_text_over_its_cap_is_too_long()
    {
        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data()["reason"] = new string('r', InboundLimits.MaxTextLength + 1)),
            "data.reason",
            ValidationRules.TooLong);
    }

    [Fact]
    public void An_array_over_its_cap_has_too_many_items()
    {
        var tasks = new JsonArray([.. Enumerable.Range(0, InboundLimits.MaxArrayItems + 1).Select(index => (JsonNode?)$"task {index}")]);

        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data()["householdChildren"]![0]!["caringTasks"] = tasks),
            "data.householdChildren[0].caringTasks",
            ValidationRules.TooManyItems);
    }

    [Fact]
    public void String_array_items_must_be_short_non_empty_strings()
    {
        var rejected = RejectedChange(ChildrenYoungCarerAssessmentCompleted.TypeName, envelope =>
            envelope.Data()["impacts"] = new JsonArray("sleep", "", new string('i', InboundLimits.MaxListItemLength + 1), 4));

        AssertErrors(
            rejected,
            ("data.impacts[1]", ValidationRules.Empty),
            ("data.impacts[2]", ValidationRules.TooLong),
            ("data.impacts[3]", ValidationRules.WrongType));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(168.5)]
    public void Hours_of_care_must_fit_in_a_week(double hours)
    {
        AssertOnly(
            RejectedChange(Referral, envelope => envelope.Data()["householdChildren"]![0]!["hoursPerWeek"] = hours),
            "data.householdChildren[0].hoursPerWeek",
            ValidationRules.OutOfRange);
    }

    [Theory]
    [InlineData("ZZZ")]
    [InlineData("EN5 1A")]
    [InlineData("1N5 1AB")]
    [InlineData("EN5  1AB")]
    public void A_postcode_must_look_like_a_UK_postcode(string postcode)
    {
        AssertOnly(RejectedChange(Referral, envelope => envelope.Data().Object("person")["postcode"] = postcode), "data.person.postcode", ValidationRules.InvalidPostcode);
    }

    [Theory]
    [InlineData("EN51AB")]
    [InlineData("sw1a 1aa")]
    [InlineData("M1 1AE")]
    public void Postcodes_in_any_case_with_or_without_the_space_are_accepted(string postcode)
    {
        var json = Examples.Changed(Referral, envelope => envelope.Data().Object("person")["postcode"] = postcode);

        Assert.IsType<ParsedEvent>(InboundEventParser.Parse(json, Examples.Now));
    }

    // Consistency

    [Theory]
    [InlineData("no")]
    [InlineData("not-recorded")]
    public void Children_listed_while_saying_there_are_none_is_inconsistent(string answer)
    {
        AssertOnly(RejectedChange(Assessment, envelope => envelope.Data()["childrenInHousehold"] = answer), "data.childrenInHousehold", ValidationRules.Inconsistent);
    }

    [Fact]
    public void A_review_due_before_the_plan_was_agreed_is_inconsistent()
    {
        AssertOnly(RejectedChange(AdultCarePlanAgreed.TypeName, envelope => envelope.Data()["reviewDueOn"] = "2025-01-04"), "data.reviewDueOn", ValidationRules.Inconsistent);
    }

    // All at once

    [Fact]
    public void Every_error_of_an_event_is_collected_at_once()
    {
        var rejected = RejectedChange(Referral, envelope =>
        {
            envelope["specversion"] = "0.3";
            envelope["time"] = "yesterday";
            envelope.Data().Remove("referralId");
            envelope.Data()["colour"] = "blue";
            envelope.Data().Object("person")["nhsNumber"] = "9434765918";
            envelope.Data()["householdChildren"]![0]!["providesCare"] = "Yes";
            envelope.Data()["householdChildren"]![1]!["child"]!["birthDate"] = "2014-09-31";
        });

        AssertErrors(
            rejected,
            ("data.colour", ValidationRules.UnknownField),
            ("data.householdChildren[0].providesCare", ValidationRules.InvalidEnum),
            ("data.householdChildren[1].child.birthDate", ValidationRules.ImpossibleDate),
            ("data.person.nhsNumber", ValidationRules.NhsNumberChecksum),
            ("data.referralId", ValidationRules.Required),
            ("specversion", ValidationRules.SpecVersion),
            ("time", ValidationRules.InvalidTime));
    }

    [Fact]
    public void Messages_do_not_repeat_personal_data()
    {
        var rejected = RejectedChange(Referral, envelope =>
        {
            envelope.Data().Object("person")["nhsNumber"] = "9434765918";
            envelope.Data().Object("person")["birthDate"] = "1979-02-29";
            envelope.Data().Object("person")["familyName"] = new string('H', InboundLimits.MaxNameLength + 1);
        });

        Assert.Equal(3, rejected.Errors.Count);
        Assert.All(rejected.Errors, error =>
        {
            Assert.DoesNotContain("9434765918", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("1979", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("HHH", error.Message, StringComparison.Ordinal);
        });
    }

    private static JsonNode Nested(int depth)
    {
        JsonNode node = new JsonArray();
        for (var level = 1; level < depth; level++)
        {
            node = new JsonArray(node);
        }

        return node;
    }

    private static RejectedEvent RejectedChange(string type, Action<JsonObject> change) => Rejected(Examples.Changed(type, change));

    private static RejectedEvent Rejected(byte[] json) => Assert.IsType<RejectedEvent>(InboundEventParser.Parse(json, Examples.Now));

    private static void AssertOnly(RejectedEvent rejected, string field, string rule) => AssertErrors(rejected, (field, rule));

    private static void AssertErrors(RejectedEvent rejected, params (string Field, string Rule)[] expected)
    {
        Assert.Equal(expected.Order(), rejected.Errors.Select(error => (error.Field, error.Rule)).Order());
        Assert.All(rejected.Errors, error => Assert.False(string.IsNullOrWhiteSpace(error.Message)));
    }
}
