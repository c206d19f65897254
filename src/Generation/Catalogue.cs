using System.Text.Json;

namespace YoungCarers.Generation;

/// <summary>
/// The SPEC's catalogue (version 1): one factory per event type, with the exact field names. The
/// generator writes payloads only through these, so a field name is spelled in one place.
/// </summary>
internal static class Catalogue
{
    public const string AdultReferralReceived = "adult.referral.received.v1";
    public const string AdultNeedsAssessmentStarted = "adult.needs-assessment.started.v1";
    public const string AdultNeedsAssessmentCompleted = "adult.needs-assessment.completed.v1";
    public const string AdultCarersAssessmentCompleted = "adult.carers-assessment.completed.v1";
    public const string AdultTransitionAssessmentOffered = "adult.transition-assessment.offered.v1";
    public const string AdultTransitionAssessmentCompleted = "adult.transition-assessment.completed.v1";
    public const string AdultCarePlanAgreed = "adult.care-plan.agreed.v1";
    public const string AdultCarePlanReviewed = "adult.care-plan.reviewed.v1";
    public const string AdultCarePlanEnded = "adult.care-plan.ended.v1";
    public const string AdultReferralToChildrensSent = "adult.referral-to-childrens.sent.v1";
    public const string AdultSafeguardingEnquiryStarted = "adult.safeguarding-enquiry.started.v1";
    public const string AdultSafeguardingEnquiryConcluded = "adult.safeguarding-enquiry.concluded.v1";
    public const string AdultCaseClosed = "adult.case.closed.v1";
    public const string ChildrenReferralReceived = "children.referral.received.v1";
    public const string ChildrenReferralDecided = "children.referral.decided.v1";
    public const string ChildrenYoungCarerAssessmentStarted = "children.young-carer-assessment.started.v1";
    public const string ChildrenYoungCarerAssessmentCompleted = "children.young-carer-assessment.completed.v1";
    public const string ChildrenCinAssessmentStarted = "children.cin-assessment.started.v1";
    public const string ChildrenCinAssessmentCompleted = "children.cin-assessment.completed.v1";
    public const string ChildrenCinPlanStarted = "children.cin-plan.started.v1";
    public const string ChildrenCinPlanEnded = "children.cin-plan.ended.v1";
    public const string ChildrenSection47Started = "children.section-47.started.v1";
    public const string ChildrenReferralToAdultsSent = "children.referral-to-adults.sent.v1";
    public const string ChildrenCaseClosed = "children.case.closed.v1";
    public const string PartnerYoungCarerIdentified = "partner.young-carer.identified.v1";

    public static Payload ReferralReceived(string referralId, PersonRef person, DateOnly receivedOn, string? reason, IReadOnlyList<HouseholdChild> householdChildren)
    {
        List<Field> fields = [new(Names.ReferralId, Text(referralId)), new(Names.Person, Person(person)), new(Names.ReceivedOn, Date(receivedOn))];
        if (reason is not null)
        {
            fields.Add(new(Names.Reason, Text(reason), Optional: true));
        }

        if (householdChildren.Count > 0)
        {
            fields.Add(new(Names.HouseholdChildren, new HouseholdValue(householdChildren), Optional: true));
        }

        return new(AdultReferralReceived, [.. fields], person);
    }

    public static Payload NeedsAssessmentStarted(string assessmentId, PersonRef person, DateOnly startedOn) =>
        new(AdultNeedsAssessmentStarted, [new(Names.AssessmentId, Text(assessmentId)), new(Names.Person, Person(person)), new(Names.StartedOn, Date(startedOn))], person);

    /// <param name="childrenInHousehold">"yes", "no" or "not-recorded"; <paramref name="children"/> is empty unless "yes".</param>
    public static Payload NeedsAssessmentCompleted(
        string assessmentId,
        PersonRef person,
        DateOnly completedOn,
        bool eligible,
        string childrenInHousehold,
        IReadOnlyList<HouseholdChild> children,
        bool parentingResponsibilitiesConsidered) =>
        new(
            AdultNeedsAssessmentCompleted,
            [
                new(Names.AssessmentId, Text(assessmentId)),
                new(Names.Person, Person(person)),
                new(Names.CompletedOn, Date(completedOn)),
                new(Names.Eligible, BoolValue.Of(eligible)),
                new(Names.ChildrenInHousehold, Enum(childrenInHousehold)),
                new(Names.Children, new HouseholdValue(children)),
                new(Names.ParentingResponsibilitiesConsidered, BoolValue.Of(parentingResponsibilitiesConsidered)),
            ],
            person);

    public static Payload CarersAssessmentCompleted(string assessmentId, PersonRef carer, PersonRef caredFor, DateOnly completedOn, bool eligible) =>
        new(
            AdultCarersAssessmentCompleted,
            [
                new(Names.AssessmentId, Text(assessmentId)),
                new(Names.Carer, Person(carer)),
                new(Names.CaredFor, Person(caredFor)),
                new(Names.CompletedOn, Date(completedOn)),
                new(Names.Eligible, BoolValue.Of(eligible)),
            ],
            carer);

    public static Payload TransitionAssessmentOffered(string assessmentId, PersonRef youngCarer, DateOnly offeredOn) =>
        new(AdultTransitionAssessmentOffered, [new(Names.AssessmentId, Text(assessmentId)), new(Names.YoungCarer, Person(youngCarer)), new(Names.OfferedOn, Date(offeredOn))], youngCarer);

    public static Payload TransitionAssessmentCompleted(string assessmentId, PersonRef youngCarer, DateOnly completedOn, bool likelyEligibleAfter18) =>
        new(
            AdultTransitionAssessmentCompleted,
            [
                new(Names.AssessmentId, Text(assessmentId)),
                new(Names.YoungCarer, Person(youngCarer)),
                new(Names.CompletedOn, Date(completedOn)),
                new(Names.LikelyEligibleAfter18, BoolValue.Of(likelyEligibleAfter18)),
            ],
            youngCarer);

    public static Payload CarePlanAgreed(
        string planId,
        PersonRef person,
        DateOnly agreedOn,
        IReadOnlyList<PersonRef> childCarers,
        DateOnly? reviewDueOn,
        LeadProfessional? leadProfessional)
    {
        List<Field> fields =
        [
            new(Names.PlanId, Text(planId)),
            new(Names.Person, Person(person)),
            new(Names.AgreedOn, Date(agreedOn)),
            new(Names.ReliesOnChildCare, BoolValue.Of(childCarers.Count > 0)),
            new(Names.ChildCarers, new PeopleValue(childCarers)),
        ];
        if (reviewDueOn is { } due)
        {
            fields.Add(new(Names.ReviewDueOn, Date(due), Optional: true));
        }

        if (leadProfessional is not null)
        {
            fields.Add(new(Names.LeadProfessional, new LeadValue(leadProfessional), Optional: true));
        }

        return new(AdultCarePlanAgreed, [.. fields], person);
    }

    /// <param name="childCarers">The children the plan still relies on; empty when it no longer relies on child care.</param>
    public static Payload CarePlanReviewed(string planId, PersonRef person, DateOnly reviewedOn, IReadOnlyList<PersonRef> childCarers) =>
        new(
            AdultCarePlanReviewed,
            [
                new(Names.PlanId, Text(planId)),
                new(Names.Person, Person(person)),
                new(Names.ReviewedOn, Date(reviewedOn)),
                new(Names.ReliesOnChildCare, BoolValue.Of(childCarers.Count > 0)),
                new(Names.ChildCarers, new PeopleValue(childCarers)),
            ],
            person);

    public static Payload CarePlanEnded(string planId, PersonRef person, DateOnly endedOn, string reason) =>
        new(AdultCarePlanEnded, [new(Names.PlanId, Text(planId)), new(Names.Person, Person(person)), new(Names.EndedOn, Date(endedOn)), new(Names.Reason, Text(reason))], person);

    /// <param name="reason">"young-carer", "safeguarding" or "other".</param>
    public static Payload ReferralToChildrensSent(string referralId, PersonRef child, PersonRef adult, DateOnly sentOn, string reason) =>
        new(
            AdultReferralToChildrensSent,
            [
                new(Names.ReferralId, Text(referralId)),
                new(Names.Child, Person(child)),
                new(Names.Adult, Person(adult)),
                new(Names.SentOn, Date(sentOn)),
                new(Names.Reason, Enum(reason)),
            ],
            child);

    public static Payload SafeguardingEnquiryStarted(string enquiryId, PersonRef person, DateOnly startedOn) =>
        new(AdultSafeguardingEnquiryStarted, [new(Names.EnquiryId, Text(enquiryId)), new(Names.Person, Person(person)), new(Names.StartedOn, Date(startedOn))], person);

    public static Payload SafeguardingEnquiryConcluded(string enquiryId, PersonRef person, DateOnly concludedOn) =>
        new(AdultSafeguardingEnquiryConcluded, [new(Names.EnquiryId, Text(enquiryId)), new(Names.Person, Person(person)), new(Names.ConcludedOn, Date(concludedOn))], person);

    public static Payload AdultClosed(PersonRef person, DateOnly closedOn, string reason) =>
        new(AdultCaseClosed, [new(Names.Person, Person(person)), new(Names.ClosedOn, Date(closedOn)), new(Names.Reason, Text(reason))], person);

    /// <param name="referralSource">A CIN census referral source code, e.g. "5A" for adult social care.</param>
    public static Payload ChildrensReferralReceived(
        string referralId,
        PersonRef child,
        DateOnly receivedOn,
        string referralSource,
        IReadOnlyList<string> reasons,
        IReadOnlyList<PersonRef> caredFor,
        string? linkedReferralId)
    {
        List<Field> fields =
        [
            new(Names.ReferralId, Text(referralId)),
            new(Names.Child, Person(child)),
            new(Names.ReceivedOn, Date(receivedOn)),
            new(Names.ReferralSource, Text(referralSource)),
            new(Names.Reasons, new StringsValue(reasons)),
        ];
        if (caredFor.Count > 0)
        {
            fields.Add(new(Names.CaredFor, new PeopleValue(caredFor), Optional: true));
        }

        if (linkedReferralId is not null)
        {
            fields.Add(new(Names.LinkedReferralId, Text(linkedReferralId), Optional: true));
        }

        return new(ChildrenReferralReceived, [.. fields], child);
    }

    /// <param name="decision">"no-further-action", "early-help", "assessment", "section-47" or "signposted".</param>
    public static Payload ReferralDecided(string referralId, PersonRef child, DateOnly decidedOn, string decision) =>
        new(
            ChildrenReferralDecided,
            [new(Names.ReferralId, Text(referralId)), new(Names.Child, Person(child)), new(Names.DecidedOn, Date(decidedOn)), new(Names.Decision, Enum(decision))],
            child);

    public static Payload YoungCarerAssessmentStarted(string assessmentId, PersonRef child, DateOnly startedOn) =>
        new(ChildrenYoungCarerAssessmentStarted, [new(Names.AssessmentId, Text(assessmentId)), new(Names.Child, Person(child)), new(Names.StartedOn, Date(startedOn))], child);

    public static Payload YoungCarerAssessmentCompleted(
        string assessmentId,
        PersonRef child,
        DateOnly completedOn,
        IReadOnlyList<PersonRef> caredFor,
        bool caringAppropriate,
        bool excessiveOrInappropriate,
        IReadOnlyList<string> impacts,
        bool supportPlanned) =>
        new(
            ChildrenYoungCarerAssessmentCompleted,
            [
                new(Names.AssessmentId, Text(assessmentId)),
                new(Names.Child, Person(child)),
                new(Names.CompletedOn, Date(completedOn)),
                new(Names.CaredFor, new PeopleValue(caredFor)),
                new(Names.CaringAppropriate, BoolValue.Of(caringAppropriate)),
                new(Names.ExcessiveOrInappropriate, BoolValue.Of(excessiveOrInappropriate)),
                new(Names.Impacts, new StringsValue(impacts)),
                new(Names.SupportPlanned, BoolValue.Of(supportPlanned)),
            ],
            child);

    public static Payload CinAssessmentStarted(string assessmentId, PersonRef child, DateOnly startedOn) =>
        new(ChildrenCinAssessmentStarted, [new(Names.AssessmentId, Text(assessmentId)), new(Names.Child, Person(child)), new(Names.StartedOn, Date(startedOn))], child);

    /// <param name="factors">CIN census factor codes, e.g. "7A" (young carer); "21" alone for none.</param>
    public static Payload CinAssessmentCompleted(string assessmentId, PersonRef child, DateOnly authorisedOn, IReadOnlyList<string> factors) =>
        new(
            ChildrenCinAssessmentCompleted,
            [new(Names.AssessmentId, Text(assessmentId)), new(Names.Child, Person(child)), new(Names.AuthorisedOn, Date(authorisedOn)), new(Names.Factors, new StringsValue(factors))],
            child);

    public static Payload CinPlanStarted(string planId, PersonRef child, DateOnly startedOn, LeadProfessional? leadProfessional)
    {
        List<Field> fields = [new(Names.PlanId, Text(planId)), new(Names.Child, Person(child)), new(Names.StartedOn, Date(startedOn))];
        if (leadProfessional is not null)
        {
            fields.Add(new(Names.LeadProfessional, new LeadValue(leadProfessional), Optional: true));
        }

        return new(ChildrenCinPlanStarted, [.. fields], child);
    }

    public static Payload CinPlanEnded(string planId, PersonRef child, DateOnly endedOn) =>
        new(ChildrenCinPlanEnded, [new(Names.PlanId, Text(planId)), new(Names.Child, Person(child)), new(Names.EndedOn, Date(endedOn))], child);

    public static Payload Section47Started(string enquiryId, PersonRef child, DateOnly startedOn) =>
        new(ChildrenSection47Started, [new(Names.EnquiryId, Text(enquiryId)), new(Names.Child, Person(child)), new(Names.StartedOn, Date(startedOn))], child);

    /// <param name="reason">"appearance-of-need", "transition" or "other".</param>
    public static Payload ReferralToAdultsSent(string referralId, PersonRef adult, PersonRef child, DateOnly sentOn, string reason) =>
        new(
            ChildrenReferralToAdultsSent,
            [
                new(Names.ReferralId, Text(referralId)),
                new(Names.Adult, Person(adult)),
                new(Names.Child, Person(child)),
                new(Names.SentOn, Date(sentOn)),
                new(Names.Reason, Enum(reason)),
            ],
            child);

    /// <param name="reasonCode">A CIN census closure reason, "RC1" to "RC9".</param>
    public static Payload ChildrenClosed(PersonRef child, DateOnly closedOn, string reasonCode) =>
        new(ChildrenCaseClosed, [new(Names.Child, Person(child)), new(Names.ClosedOn, Date(closedOn)), new(Names.ReasonCode, Enum(reasonCode))], child);

    /// <param name="identifiedBy">"school", "gp", "health", "young-carers-service" or "other".</param>
    public static Payload YoungCarerIdentified(PersonRef child, IReadOnlyList<PersonRef> caredFor, DateOnly identifiedOn, string identifiedBy)
    {
        List<Field> fields = [new(Names.Child, Person(child))];
        if (caredFor.Count > 0)
        {
            fields.Add(new(Names.CaredFor, new PeopleValue(caredFor), Optional: true));
        }

        fields.Add(new(Names.IdentifiedOn, Date(identifiedOn)));
        fields.Add(new(Names.IdentifiedBy, Enum(identifiedBy)));
        return new(PartnerYoungCarerIdentified, [.. fields], child);
    }

    private static TextValue Text(string text) => new(text);

    private static EnumValue Enum(string text) => new(text);

    private static DateValue Date(DateOnly date) => new(date);

    private static PersonValue Person(PersonRef person) => new(person);

    /// <summary>Every JSON name the generator writes, encoded once.</summary>
    public static class Names
    {
        public static readonly JsonEncodedText SpecVersion = JsonEncodedText.Encode("specversion");
        public static readonly JsonEncodedText Id = JsonEncodedText.Encode("id");
        public static readonly JsonEncodedText Source = JsonEncodedText.Encode("source");
        public static readonly JsonEncodedText Type = JsonEncodedText.Encode("type");
        public static readonly JsonEncodedText Time = JsonEncodedText.Encode("time");
        public static readonly JsonEncodedText Subject = JsonEncodedText.Encode("subject");
        public static readonly JsonEncodedText DataContentType = JsonEncodedText.Encode("datacontenttype");
        public static readonly JsonEncodedText Data = JsonEncodedText.Encode("data");

        public static readonly JsonEncodedText System = JsonEncodedText.Encode("system");
        public static readonly JsonEncodedText NhsNumber = JsonEncodedText.Encode("nhsNumber");
        public static readonly JsonEncodedText GivenName = JsonEncodedText.Encode("givenName");
        public static readonly JsonEncodedText FamilyName = JsonEncodedText.Encode("familyName");
        public static readonly JsonEncodedText BirthDate = JsonEncodedText.Encode("birthDate");
        public static readonly JsonEncodedText Postcode = JsonEncodedText.Encode("postcode");
        public static readonly JsonEncodedText ProvidesCare = JsonEncodedText.Encode("providesCare");
        public static readonly JsonEncodedText CaringTasks = JsonEncodedText.Encode("caringTasks");
        public static readonly JsonEncodedText HoursPerWeek = JsonEncodedText.Encode("hoursPerWeek");
        public static readonly JsonEncodedText Name = JsonEncodedText.Encode("name");
        public static readonly JsonEncodedText Team = JsonEncodedText.Encode("team");
        public static readonly JsonEncodedText Service = JsonEncodedText.Encode("service");

        public static readonly JsonEncodedText ReferralId = JsonEncodedText.Encode("referralId");
        public static readonly JsonEncodedText AssessmentId = JsonEncodedText.Encode("assessmentId");
        public static readonly JsonEncodedText PlanId = JsonEncodedText.Encode("planId");
        public static readonly JsonEncodedText EnquiryId = JsonEncodedText.Encode("enquiryId");
        public static readonly JsonEncodedText Person = JsonEncodedText.Encode("person");
        public static readonly JsonEncodedText Child = JsonEncodedText.Encode("child");
        public static readonly JsonEncodedText Adult = JsonEncodedText.Encode("adult");
        public static readonly JsonEncodedText Carer = JsonEncodedText.Encode("carer");
        public static readonly JsonEncodedText CaredFor = JsonEncodedText.Encode("caredFor");
        public static readonly JsonEncodedText YoungCarer = JsonEncodedText.Encode("youngCarer");
        public static readonly JsonEncodedText ChildCarers = JsonEncodedText.Encode("childCarers");
        public static readonly JsonEncodedText Children = JsonEncodedText.Encode("children");
        public static readonly JsonEncodedText HouseholdChildren = JsonEncodedText.Encode("householdChildren");
        public static readonly JsonEncodedText ReceivedOn = JsonEncodedText.Encode("receivedOn");
        public static readonly JsonEncodedText StartedOn = JsonEncodedText.Encode("startedOn");
        public static readonly JsonEncodedText CompletedOn = JsonEncodedText.Encode("completedOn");
        public static readonly JsonEncodedText OfferedOn = JsonEncodedText.Encode("offeredOn");
        public static readonly JsonEncodedText AgreedOn = JsonEncodedText.Encode("agreedOn");
        public static readonly JsonEncodedText ReviewedOn = JsonEncodedText.Encode("reviewedOn");
        public static readonly JsonEncodedText ReviewDueOn = JsonEncodedText.Encode("reviewDueOn");
        public static readonly JsonEncodedText EndedOn = JsonEncodedText.Encode("endedOn");
        public static readonly JsonEncodedText SentOn = JsonEncodedText.Encode("sentOn");
        public static readonly JsonEncodedText ConcludedOn = JsonEncodedText.Encode("concludedOn");
        public static readonly JsonEncodedText ClosedOn = JsonEncodedText.Encode("closedOn");
        public static readonly JsonEncodedText DecidedOn = JsonEncodedText.Encode("decidedOn");
        public static readonly JsonEncodedText AuthorisedOn = JsonEncodedText.Encode("authorisedOn");
        public static readonly JsonEncodedText IdentifiedOn = JsonEncodedText.Encode("identifiedOn");
        public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason");
        public static readonly JsonEncodedText Reasons = JsonEncodedText.Encode("reasons");
        public static readonly JsonEncodedText ReasonCode = JsonEncodedText.Encode("reasonCode");
        public static readonly JsonEncodedText Eligible = JsonEncodedText.Encode("eligible");
        public static readonly JsonEncodedText ChildrenInHousehold = JsonEncodedText.Encode("childrenInHousehold");
        public static readonly JsonEncodedText ParentingResponsibilitiesConsidered = JsonEncodedText.Encode("parentingResponsibilitiesConsidered");
        public static readonly JsonEncodedText LikelyEligibleAfter18 = JsonEncodedText.Encode("likelyEligibleAfter18");
        public static readonly JsonEncodedText ReliesOnChildCare = JsonEncodedText.Encode("reliesOnChildCare");
        public static readonly JsonEncodedText LeadProfessional = JsonEncodedText.Encode("leadProfessional");
        public static readonly JsonEncodedText ReferralSource = JsonEncodedText.Encode("referralSource");
        public static readonly JsonEncodedText LinkedReferralId = JsonEncodedText.Encode("linkedReferralId");
        public static readonly JsonEncodedText Decision = JsonEncodedText.Encode("decision");
        public static readonly JsonEncodedText CaringAppropriate = JsonEncodedText.Encode("caringAppropriate");
        public static readonly JsonEncodedText ExcessiveOrInappropriate = JsonEncodedText.Encode("excessiveOrInappropriate");
        public static readonly JsonEncodedText Impacts = JsonEncodedText.Encode("impacts");
        public static readonly JsonEncodedText SupportPlanned = JsonEncodedText.Encode("supportPlanned");
        public static readonly JsonEncodedText Factors = JsonEncodedText.Encode("factors");
        public static readonly JsonEncodedText IdentifiedBy = JsonEncodedText.Encode("identifiedBy");
    }
}
