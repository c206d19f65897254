using System.Text;
using System.Text.Json.Nodes;
using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Tests.Contract;

/// <summary>
/// A realistic, valid envelope for every accepted type, written as an upstream system would
/// publish it (SPEC field names, by hand), with the record it must parse to.
/// </summary>
internal static class Examples
{
    public const string Time = "2025-03-04T10:15:00Z";
    public const string AdultSource = "urn:la:barnet:adult-social-care:las";
    public const string ChildrenSource = "urn:la:barnet:childrens-social-care:lcs";
    public const string PartnerSource = "urn:la:barnet:partner:young-carers-service";

    /// <summary>The time of receipt: the morning after the events happened.</summary>
    public static readonly DateTimeOffset Now = new(2025, 3, 5, 9, 0, 0, TimeSpan.Zero);

    // The family: Dawn, who has multiple sclerosis; her daughter Maya (13), who cares for her; her
    // son Leo (10); her father Robert; her nephew Sam (19), a young adult carer; and Ellie (17), a
    // young carer in another family approaching transition.
    public const string DawnJson = """{ "system": "LAS", "id": "7781", "nhsNumber": "9434765919", "givenName": "Dawn", "familyName": "Hughes", "birthDate": "1979-03-14", "postcode": "EN5 1AB" }""";
    public const string MayaJson = """{ "system": "LCS", "id": "C-20411", "nhsNumber": "4010232137", "givenName": "Maya", "familyName": "Hughes", "birthDate": "2011-05-06", "postcode": "EN5 1AB" }""";
    public const string LeoJson = """{ "system": "LCS", "id": "C-20412", "birthDate": "2014-09-22" }""";
    public const string RobertJson = """{ "system": "LAS", "id": "7790", "nhsNumber": "4505577104", "givenName": "Robert", "familyName": "Lewis" }""";
    public const string SamJson = """{ "system": "LAS", "id": "7802", "givenName": "Sam", "familyName": "Hughes", "birthDate": "2005-11-02", "postcode": "en4 9qd" }""";
    public const string EllieJson = """{ "system": "LCS", "id": "C-18842", "nhsNumber": "4857773457", "givenName": "Ellie", "familyName": "Price", "birthDate": "2007-06-30", "postcode": "N20 0QE" }""";

    public static readonly PersonRef Dawn = new("LAS", "7781", "9434765919", "Dawn", "Hughes", new DateOnly(1979, 3, 14), "EN5 1AB");
    public static readonly PersonRef Maya = new("LCS", "C-20411", "4010232137", "Maya", "Hughes", new DateOnly(2011, 5, 6), "EN5 1AB");
    public static readonly PersonRef Leo = new("LCS", "C-20412", null, null, null, new DateOnly(2014, 9, 22), null);
    public static readonly PersonRef Robert = new("LAS", "7790", "4505577104", "Robert", "Lewis", null, null);
    public static readonly PersonRef Sam = new("LAS", "7802", null, "Sam", "Hughes", new DateOnly(2005, 11, 2), "en4 9qd");
    public static readonly PersonRef Ellie = new("LCS", "C-18842", "4857773457", "Ellie", "Price", new DateOnly(2007, 6, 30), "N20 0QE");

    public static readonly IReadOnlyList<Example> All =
    [
        new(AdultReferralReceived.TypeName, AdultSource, $$"""
            { "referralId": "AR-2025-0117", "person": {{DawnJson}}, "receivedOn": "2025-03-03",
              "reason": "Deteriorating multiple sclerosis; daughter helping with personal care.",
              "householdChildren": [
                { "child": {{MayaJson}}, "providesCare": "yes", "caringTasks": ["personal care", "medication"], "hoursPerWeek": 12.5 },
                { "child": {{LeoJson}}, "providesCare": "unknown" } ] }
            """,
            new AdultReferralReceived(
                "AR-2025-0117", Dawn, new DateOnly(2025, 3, 3), "Deteriorating multiple sclerosis; daughter helping with personal care.",
                [new ChildInHousehold(Maya, CareProvision.Yes, ["personal care", "medication"], 12.5m), new ChildInHousehold(Leo, CareProvision.Unknown, [], null)]),
            [Dawn, Maya, Leo]),
        new(AdultNeedsAssessmentStarted.TypeName, AdultSource, $$"""
            { "assessmentId": "NA-5531", "person": {{DawnJson}}, "startedOn": "2025-03-04" }
            """,
            new AdultNeedsAssessmentStarted("NA-5531", Dawn, new DateOnly(2025, 3, 4)),
            [Dawn]),
        new(AdultNeedsAssessmentCompleted.TypeName, AdultSource, $$"""
            { "assessmentId": "NA-5531", "person": {{DawnJson}}, "completedOn": "2025-03-04", "eligible": true,
              "childrenInHousehold": "yes",
              "children": [
                { "child": {{MayaJson}}, "providesCare": "yes", "caringTasks": ["personal care", "shopping", "emotional support"], "hoursPerWeek": 15 },
                { "child": {{LeoJson}}, "providesCare": "no" } ],
              "parentingResponsibilitiesConsidered": true }
            """,
            new AdultNeedsAssessmentCompleted(
                "NA-5531", Dawn, new DateOnly(2025, 3, 4), true, ChildrenInHouseholdAnswer.Yes,
                [new ChildInHousehold(Maya, CareProvision.Yes, ["personal care", "shopping", "emotional support"], 15m), new ChildInHousehold(Leo, CareProvision.No, [], null)],
                true),
            [Dawn, Maya, Leo]),
        new(AdultCarersAssessmentCompleted.TypeName, AdultSource, $$"""
            { "assessmentId": "CA-208", "carer": {{SamJson}}, "caredFor": {{DawnJson}}, "completedOn": "2025-02-27", "eligible": true }
            """,
            new AdultCarersAssessmentCompleted("CA-208", Sam, Dawn, new DateOnly(2025, 2, 27), true),
            [Sam, Dawn]),
        new(AdultTransitionAssessmentOffered.TypeName, AdultSource, $$"""
            { "assessmentId": "TA-77", "youngCarer": {{EllieJson}}, "offeredOn": "2025-03-01" }
            """,
            new AdultTransitionAssessmentOffered("TA-77", Ellie, new DateOnly(2025, 3, 1)),
            [Ellie]),
        new(AdultTransitionAssessmentCompleted.TypeName, AdultSource, $$"""
            { "assessmentId": "TA-77", "youngCarer": {{EllieJson}}, "completedOn": "2025-03-04", "likelyEligibleAfter18": true }
            """,
            new AdultTransitionAssessmentCompleted("TA-77", Ellie, new DateOnly(2025, 3, 4), true),
            [Ellie]),
        new(AdultCarePlanAgreed.TypeName, AdultSource, $$"""
            { "planId": "CP-9001", "person": {{DawnJson}}, "agreedOn": "2025-03-04", "reliesOnChildCare": true,
              "childCarers": [{{MayaJson}}], "reviewDueOn": "2025-06-04",
              "leadProfessional": { "name": "Priya Shah", "team": "East Locality Team", "service": "adult-social-care" } }
            """,
            new AdultCarePlanAgreed(
                "CP-9001", Dawn, new DateOnly(2025, 3, 4), true, [Maya], new DateOnly(2025, 6, 4),
                new LeadProfessional("Priya Shah", "East Locality Team", "adult-social-care")),
            [Dawn, Maya]),
        new(AdultCarePlanReviewed.TypeName, AdultSource, $$"""
            { "planId": "CP-9001", "person": {{DawnJson}}, "reviewedOn": "2025-03-04", "reliesOnChildCare": false, "childCarers": [] }
            """,
            new AdultCarePlanReviewed("CP-9001", Dawn, new DateOnly(2025, 3, 4), false, []),
            [Dawn]),
        new(AdultCarePlanEnded.TypeName, AdultSource, $$"""
            { "planId": "CP-9001", "person": {{DawnJson}}, "endedOn": "2025-03-04", "reason": "Moved to residential care." }
            """,
            new AdultCarePlanEnded("CP-9001", Dawn, new DateOnly(2025, 3, 4), "Moved to residential care."),
            [Dawn]),
        new(AdultReferralToChildrensSent.TypeName, AdultSource, $$"""
            { "referralId": "AR-2025-0117-C", "child": {{MayaJson}}, "adult": {{DawnJson}}, "sentOn": "2025-03-04", "reason": "young-carer" }
            """,
            new AdultReferralToChildrensSent("AR-2025-0117-C", Maya, Dawn, new DateOnly(2025, 3, 4), ReferralToChildrensReason.YoungCarer),
            [Maya, Dawn]),
        new(AdultSafeguardingEnquiryStarted.TypeName, AdultSource, $$"""
            { "enquiryId": "SG-311", "person": {{RobertJson}}, "startedOn": "2025-03-04" }
            """,
            new AdultSafeguardingEnquiryStarted("SG-311", Robert, new DateOnly(2025, 3, 4)),
            [Robert]),
        new(AdultSafeguardingEnquiryConcluded.TypeName, AdultSource, $$"""
            { "enquiryId": "SG-311", "person": {{RobertJson}}, "concludedOn": "2025-03-04" }
            """,
            new AdultSafeguardingEnquiryConcluded("SG-311", Robert, new DateOnly(2025, 3, 4)),
            [Robert]),
        new(AdultCaseClosed.TypeName, AdultSource, $$"""
            { "person": {{RobertJson}}, "closedOn": "2025-03-04", "reason": "No eligible needs following review." }
            """,
            new AdultCaseClosed(Robert, new DateOnly(2025, 3, 4), "No eligible needs following review."),
            [Robert]),
        new(ChildrenReferralReceived.TypeName, ChildrenSource, $$"""
            { "referralId": "CR-44120", "child": {{MayaJson}}, "receivedOn": "2025-03-04", "referralSource": "5A",
              "reasons": ["young-carer"], "caredFor": [{{DawnJson}}], "linkedReferralId": "AR-2025-0117-C" }
            """,
            new ChildrenReferralReceived("CR-44120", Maya, new DateOnly(2025, 3, 4), "5A", ["young-carer"], [Dawn], "AR-2025-0117-C"),
            [Maya, Dawn]),
        new(ChildrenReferralDecided.TypeName, ChildrenSource, $$"""
            { "referralId": "CR-44120", "child": {{MayaJson}}, "decidedOn": "2025-03-04", "decision": "no-further-action" }
            """,
            new ChildrenReferralDecided("CR-44120", Maya, new DateOnly(2025, 3, 4), ChildrenReferralDecision.NoFurtherAction),
            [Maya]),
        new(ChildrenYoungCarerAssessmentStarted.TypeName, ChildrenSource, $$"""
            { "assessmentId": "YCA-120", "child": {{MayaJson}}, "startedOn": "2025-03-04" }
            """,
            new ChildrenYoungCarerAssessmentStarted("YCA-120", Maya, new DateOnly(2025, 3, 4)),
            [Maya]),
        new(ChildrenYoungCarerAssessmentCompleted.TypeName, ChildrenSource, $$"""
            { "assessmentId": "YCA-120", "child": {{MayaJson}}, "completedOn": "2025-03-04", "caredFor": [{{DawnJson}}],
              "caringAppropriate": false, "excessiveOrInappropriate": true, "impacts": ["school attendance", "sleep"], "supportPlanned": true }
            """,
            new ChildrenYoungCarerAssessmentCompleted("YCA-120", Maya, new DateOnly(2025, 3, 4), [Dawn], false, true, ["school attendance", "sleep"], true),
            [Maya, Dawn]),
        new(ChildrenCinAssessmentStarted.TypeName, ChildrenSource, $$"""
            { "assessmentId": "CIN-8812", "child": {{LeoJson}}, "startedOn": "2025-03-03" }
            """,
            new ChildrenCinAssessmentStarted("CIN-8812", Leo, new DateOnly(2025, 3, 3)),
            [Leo]),
        new(ChildrenCinAssessmentCompleted.TypeName, ChildrenSource, $$"""
            { "assessmentId": "CIN-8813", "child": {{MayaJson}}, "authorisedOn": "2025-03-04", "factors": ["7A", "6B"] }
            """,
            new ChildrenCinAssessmentCompleted("CIN-8813", Maya, new DateOnly(2025, 3, 4), ["7A", "6B"]),
            [Maya]),
        new(ChildrenCinPlanStarted.TypeName, ChildrenSource, $$"""
            { "planId": "CINP-301", "child": {{MayaJson}}, "startedOn": "2025-03-04",
              "leadProfessional": { "name": "Tom Okafor", "team": "Children in Need Team 2", "service": "childrens-social-care" } }
            """,
            new ChildrenCinPlanStarted("CINP-301", Maya, new DateOnly(2025, 3, 4), new LeadProfessional("Tom Okafor", "Children in Need Team 2", "childrens-social-care")),
            [Maya]),
        new(ChildrenCinPlanEnded.TypeName, ChildrenSource, $$"""
            { "planId": "CINP-301", "child": {{MayaJson}}, "endedOn": "2025-03-04" }
            """,
            new ChildrenCinPlanEnded("CINP-301", Maya, new DateOnly(2025, 3, 4)),
            [Maya]),
        new(ChildrenSection47Started.TypeName, ChildrenSource, $$"""
            { "enquiryId": "S47-090", "child": {{LeoJson}}, "startedOn": "2025-03-04" }
            """,
            new ChildrenSection47Started("S47-090", Leo, new DateOnly(2025, 3, 4)),
            [Leo]),
        new(ChildrenReferralToAdultsSent.TypeName, ChildrenSource, $$"""
            { "referralId": "CRA-17", "adult": {{DawnJson}}, "child": {{MayaJson}}, "sentOn": "2025-03-04", "reason": "appearance-of-need" }
            """,
            new ChildrenReferralToAdultsSent("CRA-17", Dawn, Maya, new DateOnly(2025, 3, 4), ReferralToAdultsReason.AppearanceOfNeed),
            [Dawn, Maya]),
        new(ChildrenCaseClosed.TypeName, ChildrenSource, $$"""
            { "child": {{EllieJson}}, "closedOn": "2025-03-04", "reasonCode": "RC6" }
            """,
            new ChildrenCaseClosed(Ellie, new DateOnly(2025, 3, 4), "RC6"),
            [Ellie]),
        new(PartnerYoungCarerIdentified.TypeName, PartnerSource, $$"""
            { "child": {{MayaJson}}, "caredFor": [{{DawnJson}}], "identifiedOn": "2025-03-03", "identifiedBy": "young-carers-service" }
            """,
            new PartnerYoungCarerIdentified(Maya, [Dawn], new DateOnly(2025, 3, 3), YoungCarerIdentifiedBy.YoungCarersService),
            [Maya, Dawn]),
        new("adult.needs-assessment.completed.v2", AdultSource, $$"""
            { "assessmentId": "NA-5540", "person": {{DawnJson}}, "completedOn": "2025-03-04", "eligible": true,
              "children": [
                { "child": {{MayaJson}}, "caring": { "provides": "yes", "tasks": ["personal care"], "hoursPerWeek": 10 } },
                { "child": {{LeoJson}}, "caring": { "provides": "no" } } ],
              "parentingResponsibilitiesConsidered": false }
            """,
            new AdultNeedsAssessmentCompleted(
                "NA-5540", Dawn, new DateOnly(2025, 3, 4), true, ChildrenInHouseholdAnswer.Yes,
                [new ChildInHousehold(Maya, CareProvision.Yes, ["personal care"], 10m), new ChildInHousehold(Leo, CareProvision.No, [], null)],
                false),
            [Dawn, Maya, Leo]),
    ];

    public static Example For(string type) => All.Single(example => example.Type == type);

    /// <summary>An example's envelope, changed by <paramref name="change"/>, as UTF-8 JSON.</summary>
    public static byte[] Changed(string type, Action<JsonObject> change)
    {
        var envelope = JsonNode.Parse(For(type).Json)!.AsObject();
        change(envelope);
        return Encoding.UTF8.GetBytes(envelope.ToJsonString());
    }

    public static JsonObject Data(this JsonObject envelope) => envelope["data"]!.AsObject();

    public static JsonObject Object(this JsonObject parent, string name) => parent[name]!.AsObject();
}

/// <param name="People">Everyone the event mentions, in order.</param>
internal sealed record Example(string Type, string Source, string Data, IInboundEvent Expected, IReadOnlyList<PersonRef> People)
{
    public string Id => $"{Type}-0001";

    public string Json => $$"""
        { "specversion": "1.0", "id": "{{Id}}", "source": "{{Source}}", "type": "{{Type}}", "time": "{{Examples.Time}}",
          "subject": "example", "datacontenttype": "application/json", "data": {{Data}} }
        """;

    public byte[] Utf8 => Encoding.UTF8.GetBytes(Json);

    public override string ToString() => Type;
}
