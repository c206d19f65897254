using System.Text.Json;
using YoungCarers.Domain.Contract.Versions;
using static YoungCarers.Domain.Contract.Reading.SharedPayloads;

namespace YoungCarers.Domain.Contract.Reading;

/// <summary>Readers of the adult social care payloads (the <c>data</c> member), field by field as the SPEC lists them.</summary>
internal static class AdultPayloads
{
    private const string Data = "data";

    public static AdultReferralReceived ReferralReceived(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultReferralReceived(
            o.Id("referralId"),
            o.Person("person", AdultPerson),
            o.Date("receivedOn"),
            o.OptionalText("reason"),
            o.List("householdChildren", ReadChildInHousehold, required: false));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultNeedsAssessmentStarted NeedsAssessmentStarted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultNeedsAssessmentStarted(o.Id("assessmentId"), o.Person("person", AdultPerson), o.Date("startedOn"));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultNeedsAssessmentCompleted NeedsAssessmentCompleted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultNeedsAssessmentCompleted(
            o.Id("assessmentId"),
            o.Person("person", AdultPerson),
            o.Date("completedOn"),
            o.Bool("eligible"),
            o.Enum<ChildrenInHouseholdAnswer>("childrenInHousehold"),
            o.List("children", ReadChildInHousehold),
            o.Bool("parentingResponsibilitiesConsidered"));
        o.RejectUnknownFields();

        // Listing children while answering "no" or "not-recorded" leaves the obligation rules unable to tell which is true.
        if (payload.ChildrenInHousehold != ChildrenInHouseholdAnswer.Yes && payload.Children.Count > 0)
        {
            validation.Add(o.At("childrenInHousehold"), ValidationRules.Inconsistent, "Must be \"yes\" when children are listed.");
        }

        return payload;
    }

    public static AdultNeedsAssessmentCompletedV2 NeedsAssessmentCompletedV2(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var assessmentId = o.Id("assessmentId");
        var person = o.Person("person", AdultPerson);
        var completedOn = o.Date("completedOn");
        var eligible = o.Bool("eligible");
        var answered = o.TryGet("childrenInHousehold", out var answerValue);
        var answer = answered ? validation.Enum<ChildrenInHouseholdAnswer>(answerValue, o.At("childrenInHousehold")) : null;
        var children = o.List("children", ReadChildInHouseholdV2);
        var parentingConsidered = o.Bool("parentingResponsibilitiesConsidered");
        o.RejectUnknownFields();

        // v2 answers childrenInHousehold by listing children; the field is for when there are none to list.
        if (!answered && children.Count == 0)
        {
            validation.Add(o.At("childrenInHousehold"), ValidationRules.Required, "Required when no children are listed.");
        }
        else if (answer is { } given && given != ChildrenInHouseholdAnswer.Yes && children.Count > 0)
        {
            validation.Add(o.At("childrenInHousehold"), ValidationRules.Inconsistent, "Leave out, or \"yes\", when children are listed.");
        }

        return new AdultNeedsAssessmentCompletedV2(assessmentId, person, completedOn, eligible, answer, children, parentingConsidered);
    }

    public static AdultCarersAssessmentCompleted CarersAssessmentCompleted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultCarersAssessmentCompleted(
            o.Id("assessmentId"),
            o.Person("carer", AdultPerson),
            o.Person("caredFor", AdultPerson),
            o.Date("completedOn"),
            o.Bool("eligible"));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultTransitionAssessmentOffered TransitionAssessmentOffered(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultTransitionAssessmentOffered(o.Id("assessmentId"), o.Person("youngCarer", ChildPerson), o.Date("offeredOn"));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultTransitionAssessmentCompleted TransitionAssessmentCompleted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultTransitionAssessmentCompleted(
            o.Id("assessmentId"),
            o.Person("youngCarer", ChildPerson),
            o.Date("completedOn"),
            o.Bool("likelyEligibleAfter18"));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultCarePlanAgreed CarePlanAgreed(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultCarePlanAgreed(
            o.Id("planId"),
            o.Person("person", AdultPerson),
            o.Date("agreedOn"),
            o.Bool("reliesOnChildCare"),
            o.List("childCarers", ChildPerson),
            o.OptionalDate("reviewDueOn", DateKind.Scheduled),
            o.OptionalObject("leadProfessional", ReadLeadProfessional));
        o.RejectUnknownFields();
        if (payload.ReviewDueOn < payload.AgreedOn)
        {
            validation.Add(o.At("reviewDueOn"), ValidationRules.Inconsistent, "Must not be before agreedOn.");
        }

        return payload;
    }

    public static AdultCarePlanReviewed CarePlanReviewed(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultCarePlanReviewed(
            o.Id("planId"),
            o.Person("person", AdultPerson),
            o.Date("reviewedOn"),
            o.Bool("reliesOnChildCare"),
            o.List("childCarers", ChildPerson));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultCarePlanEnded CarePlanEnded(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultCarePlanEnded(o.Id("planId"), o.Person("person", AdultPerson), o.Date("endedOn"), o.Text("reason"));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultReferralToChildrensSent ReferralToChildrensSent(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultReferralToChildrensSent(
            o.Id("referralId"),
            o.Person("child", ChildPerson),
            o.Person("adult", AdultPerson),
            o.Date("sentOn"),
            o.Enum<ReferralToChildrensReason>("reason"));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultSafeguardingEnquiryStarted SafeguardingEnquiryStarted(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultSafeguardingEnquiryStarted(o.Id("enquiryId"), o.Person("person", AdultPerson), o.Date("startedOn"));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultSafeguardingEnquiryConcluded SafeguardingEnquiryConcluded(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultSafeguardingEnquiryConcluded(o.Id("enquiryId"), o.Person("person", AdultPerson), o.Date("concludedOn"));
        o.RejectUnknownFields();
        return payload;
    }

    public static AdultCaseClosed CaseClosed(Validation validation, JsonElement data)
    {
        var o = new FieldReader(validation, data, Data);
        var payload = new AdultCaseClosed(o.Person("person", AdultPerson), o.Date("closedOn"), o.Text("reason"));
        o.RejectUnknownFields();
        return payload;
    }

    private static ChildInHouseholdV2 ReadChildInHouseholdV2(Validation validation, JsonElement value, FieldPath at)
    {
        var o = new FieldReader(validation, value, at.ToString());
        var child = new ChildInHouseholdV2(o.Person("child", ChildPerson), o.Object("caring", ReadChildCaringV2, ChildCaringV2.Missing));
        o.RejectUnknownFields();
        return child;
    }

    private static ChildCaringV2 ReadChildCaringV2(Validation validation, JsonElement value, FieldPath at)
    {
        var o = new FieldReader(validation, value, at.ToString());
        var caring = new ChildCaringV2(
            o.Enum<CareProvision>("provides"),
            o.Strings("tasks", required: false),
            o.OptionalNumber("hoursPerWeek", 0, InboundLimits.MaxHoursPerWeek));
        o.RejectUnknownFields();
        return caring;
    }
}
