namespace YoungCarers.Domain.Contract;

// Adult social care (Care Act 2014). Each record is one SPEC catalogue type; TypeName is what is
// stored, whatever the CLR type is called.

/// <param name="HouseholdChildren">Empty when the referral named no children.</param>
public sealed record AdultReferralReceived(
    string ReferralId,
    PersonRef Person,
    DateOnly ReceivedOn,
    string? Reason,
    IReadOnlyList<ChildInHousehold> HouseholdChildren) : IInboundEvent
{
    public const string TypeName = "adult.referral.received.v1";

    public IReadOnlyList<ChildInHousehold> HouseholdChildren { get; init => field = ValueList.Of(value); } = ValueList.Of(HouseholdChildren);

    IReadOnlyList<PersonRef> IInboundEvent.People => [Person, .. HouseholdChildren.Select(household => household.Child)];
}

public sealed record AdultNeedsAssessmentStarted(string AssessmentId, PersonRef Person, DateOnly StartedOn) : IInboundEvent
{
    public const string TypeName = "adult.needs-assessment.started.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Person];
}

/// <param name="ChildrenInHousehold">Whether the assessment recorded children in the household; "not-recorded" opens an obligation.</param>
/// <param name="Children">The children recorded; empty unless <paramref name="ChildrenInHousehold"/> is yes.</param>
public sealed record AdultNeedsAssessmentCompleted(
    string AssessmentId,
    PersonRef Person,
    DateOnly CompletedOn,
    bool Eligible,
    ChildrenInHouseholdAnswer ChildrenInHousehold,
    IReadOnlyList<ChildInHousehold> Children,
    bool ParentingResponsibilitiesConsidered) : IInboundEvent
{
    public const string TypeName = "adult.needs-assessment.completed.v1";

    public IReadOnlyList<ChildInHousehold> Children { get; init => field = ValueList.Of(value); } = ValueList.Of(Children);

    IReadOnlyList<PersonRef> IInboundEvent.People => [Person, .. Children.Select(household => household.Child)];
}

public sealed record AdultCarersAssessmentCompleted(
    string AssessmentId,
    PersonRef Carer,
    PersonRef CaredFor,
    DateOnly CompletedOn,
    bool Eligible) : IInboundEvent
{
    public const string TypeName = "adult.carers-assessment.completed.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Carer, CaredFor];
}

public sealed record AdultTransitionAssessmentOffered(string AssessmentId, PersonRef YoungCarer, DateOnly OfferedOn) : IInboundEvent
{
    public const string TypeName = "adult.transition-assessment.offered.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [YoungCarer];
}

public sealed record AdultTransitionAssessmentCompleted(
    string AssessmentId,
    PersonRef YoungCarer,
    DateOnly CompletedOn,
    bool LikelyEligibleAfter18) : IInboundEvent
{
    public const string TypeName = "adult.transition-assessment.completed.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [YoungCarer];
}

/// <param name="ChildCarers">The children whose care the plan counts on.</param>
public sealed record AdultCarePlanAgreed(
    string PlanId,
    PersonRef Person,
    DateOnly AgreedOn,
    bool ReliesOnChildCare,
    IReadOnlyList<PersonRef> ChildCarers,
    DateOnly? ReviewDueOn,
    LeadProfessional? LeadProfessional) : IInboundEvent
{
    public const string TypeName = "adult.care-plan.agreed.v1";

    public IReadOnlyList<PersonRef> ChildCarers { get; init => field = ValueList.Of(value); } = ValueList.Of(ChildCarers);

    IReadOnlyList<PersonRef> IInboundEvent.People => [Person, .. ChildCarers];
}

public sealed record AdultCarePlanReviewed(
    string PlanId,
    PersonRef Person,
    DateOnly ReviewedOn,
    bool ReliesOnChildCare,
    IReadOnlyList<PersonRef> ChildCarers) : IInboundEvent
{
    public const string TypeName = "adult.care-plan.reviewed.v1";

    public IReadOnlyList<PersonRef> ChildCarers { get; init => field = ValueList.Of(value); } = ValueList.Of(ChildCarers);

    IReadOnlyList<PersonRef> IInboundEvent.People => [Person, .. ChildCarers];
}

public sealed record AdultCarePlanEnded(string PlanId, PersonRef Person, DateOnly EndedOn, string Reason) : IInboundEvent
{
    public const string TypeName = "adult.care-plan.ended.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Person];
}

/// <param name="Adult">The adult whose involvement led to the referral.</param>
public sealed record AdultReferralToChildrensSent(
    string ReferralId,
    PersonRef Child,
    PersonRef Adult,
    DateOnly SentOn,
    ReferralToChildrensReason Reason) : IInboundEvent
{
    public const string TypeName = "adult.referral-to-childrens.sent.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child, Adult];
}

/// <summary>A Care Act s42 safeguarding enquiry started.</summary>
public sealed record AdultSafeguardingEnquiryStarted(string EnquiryId, PersonRef Person, DateOnly StartedOn) : IInboundEvent
{
    public const string TypeName = "adult.safeguarding-enquiry.started.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Person];
}

public sealed record AdultSafeguardingEnquiryConcluded(string EnquiryId, PersonRef Person, DateOnly ConcludedOn) : IInboundEvent
{
    public const string TypeName = "adult.safeguarding-enquiry.concluded.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Person];
}

public sealed record AdultCaseClosed(PersonRef Person, DateOnly ClosedOn, string Reason) : IInboundEvent
{
    public const string TypeName = "adult.case.closed.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Person];
}
