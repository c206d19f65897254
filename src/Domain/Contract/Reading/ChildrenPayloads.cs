using System.Text.Json;
using static YoungCarers.Domain.Contract.Reading.SharedPayloads;

namespace YoungCarers.Domain.Contract.Reading;

/// <summary>Readers of the children's social care payloads (the <c>data</c> member), field by field as the SPEC lists them.</summary>
internal static class ChildrenPayloads
{
    private const string Data = "data";

    /// <summary>The CIN census case closure reasons.</summary>
    private static readonly string[] CaseClosureReasons = ["RC1", "RC2", "RC3", "RC4", "RC5", "RC6", "RC7", "RC8", "RC9"];

    public static ChildrenReferralReceived ReferralReceived(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenReferralReceived(
            o.Id("referralId"),
            o.Person("child", ChildPerson),
            o.Date("receivedOn"),
            o.Code("referralSource"),
            o.Strings("reasons"),
            o.List("caredFor", AdultPerson, required: false),
            o.OptionalId("linkedReferralId"));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenReferralDecided ReferralDecided(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenReferralDecided(
            o.Id("referralId"),
            o.Person("child", ChildPerson),
            o.Date("decidedOn"),
            o.Enum<ChildrenReferralDecision>("decision"));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenYoungCarerAssessmentStarted YoungCarerAssessmentStarted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenYoungCarerAssessmentStarted(o.Id("assessmentId"), o.Person("child", ChildPerson), o.Date("startedOn"));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenYoungCarerAssessmentCompleted YoungCarerAssessmentCompleted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenYoungCarerAssessmentCompleted(
            o.Id("assessmentId"),
            o.Person("child", ChildPerson),
            o.Date("completedOn"),
            o.List("caredFor", AdultPerson),
            o.Bool("caringAppropriate"),
            o.Bool("excessiveOrInappropriate"),
            o.Strings("impacts"),
            o.Bool("supportPlanned"));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenCinAssessmentStarted CinAssessmentStarted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenCinAssessmentStarted(o.Id("assessmentId"), o.Person("child", ChildPerson), o.Date("startedOn"));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenCinAssessmentCompleted CinAssessmentCompleted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);

        // The census records "21" for no factors, so an empty list is a gap, not an answer.
        var payload = new ChildrenCinAssessmentCompleted(
            o.Id("assessmentId"),
            o.Person("child", ChildPerson),
            o.Date("authorisedOn"),
            o.Strings("factors", minItems: 1));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenCinPlanStarted CinPlanStarted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenCinPlanStarted(
            o.Id("planId"),
            o.Person("child", ChildPerson),
            o.Date("startedOn"),
            o.OptionalObject("leadProfessional", ReadLeadProfessional));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenCinPlanEnded CinPlanEnded(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenCinPlanEnded(o.Id("planId"), o.Person("child", ChildPerson), o.Date("endedOn"));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenSection47Started Section47Started(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenSection47Started(o.Id("enquiryId"), o.Person("child", ChildPerson), o.Date("startedOn"));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenReferralToAdultsSent ReferralToAdultsSent(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenReferralToAdultsSent(
            o.Id("referralId"),
            o.Person("adult", AdultPerson),
            o.Person("child", ChildPerson),
            o.Date("sentOn"),
            o.Enum<ReferralToAdultsReason>("reason"));
        o.RejectUnknownFields();
        return payload;
    }

    public static ChildrenCaseClosed CaseClosed(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new ChildrenCaseClosed(o.Person("child", ChildPerson), o.Date("closedOn"), o.CodeFrom("reasonCode", CaseClosureReasons));
        o.RejectUnknownFields();
        return payload;
    }
}
