namespace YoungCarers.Domain.Contract;

// Children's social care (Children Act 1989); codes follow the DfE Children in Need census. Each
// record is one SPEC catalogue type; TypeName is what is stored, whatever the CLR type is called.

/// <param name="ReferralSource">The CIN census referral source code, e.g. "5A" (adult social care).</param>
/// <param name="Reasons">E.g. "young-carer".</param>
/// <param name="CaredFor">Empty when the referral named nobody the child cares for.</param>
/// <param name="LinkedReferralId">The adult side's referralId, when adult social care referred.</param>
public sealed record ChildrenReferralReceived(
    string ReferralId,
    PersonRef Child,
    DateOnly ReceivedOn,
    string ReferralSource,
    IReadOnlyList<string> Reasons,
    IReadOnlyList<PersonRef> CaredFor,
    string? LinkedReferralId) : IInboundEvent
{
    public const string TypeName = "children.referral.received.v1";

    public IReadOnlyList<string> Reasons { get; init => field = ValueList.Of(value); } = ValueList.Of(Reasons);

    public IReadOnlyList<PersonRef> CaredFor { get; init => field = ValueList.Of(value); } = ValueList.Of(CaredFor);

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child, .. CaredFor];
}

public sealed record ChildrenReferralDecided(
    string ReferralId,
    PersonRef Child,
    DateOnly DecidedOn,
    ChildrenReferralDecision Decision) : IInboundEvent
{
    public const string TypeName = "children.referral.decided.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child];
}

/// <summary>A young carer's needs assessment (Children Act s17ZA) started.</summary>
public sealed record ChildrenYoungCarerAssessmentStarted(string AssessmentId, PersonRef Child, DateOnly StartedOn) : IInboundEvent
{
    public const string TypeName = "children.young-carer-assessment.started.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child];
}

public sealed record ChildrenYoungCarerAssessmentCompleted(
    string AssessmentId,
    PersonRef Child,
    DateOnly CompletedOn,
    IReadOnlyList<PersonRef> CaredFor,
    bool CaringAppropriate,
    bool ExcessiveOrInappropriate,
    IReadOnlyList<string> Impacts,
    bool SupportPlanned) : IInboundEvent
{
    public const string TypeName = "children.young-carer-assessment.completed.v1";

    public IReadOnlyList<PersonRef> CaredFor { get; init => field = ValueList.Of(value); } = ValueList.Of(CaredFor);

    public IReadOnlyList<string> Impacts { get; init => field = ValueList.Of(value); } = ValueList.Of(Impacts);

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child, .. CaredFor];
}

/// <summary>A child in need assessment (Children Act s17) started.</summary>
public sealed record ChildrenCinAssessmentStarted(string AssessmentId, PersonRef Child, DateOnly StartedOn) : IInboundEvent
{
    public const string TypeName = "children.cin-assessment.started.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child];
}

/// <param name="Factors">CIN census factor codes: "7A" young carer, "4B" parental mental health, "21" no factors; at least one.</param>
public sealed record ChildrenCinAssessmentCompleted(
    string AssessmentId,
    PersonRef Child,
    DateOnly AuthorisedOn,
    IReadOnlyList<string> Factors) : IInboundEvent
{
    public const string TypeName = "children.cin-assessment.completed.v1";

    public IReadOnlyList<string> Factors { get; init => field = ValueList.Of(value); } = ValueList.Of(Factors);

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child];
}

public sealed record ChildrenCinPlanStarted(
    string PlanId,
    PersonRef Child,
    DateOnly StartedOn,
    LeadProfessional? LeadProfessional) : IInboundEvent
{
    public const string TypeName = "children.cin-plan.started.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child];
}

public sealed record ChildrenCinPlanEnded(string PlanId, PersonRef Child, DateOnly EndedOn) : IInboundEvent
{
    public const string TypeName = "children.cin-plan.ended.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child];
}

/// <summary>A child protection enquiry (Children Act s47) started.</summary>
public sealed record ChildrenSection47Started(string EnquiryId, PersonRef Child, DateOnly StartedOn) : IInboundEvent
{
    public const string TypeName = "children.section-47.started.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child];
}

/// <param name="Adult">The adult referred, typically the person the child cares for.</param>
public sealed record ChildrenReferralToAdultsSent(
    string ReferralId,
    PersonRef Adult,
    PersonRef Child,
    DateOnly SentOn,
    ReferralToAdultsReason Reason) : IInboundEvent
{
    public const string TypeName = "children.referral-to-adults.sent.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Adult, Child];
}

/// <param name="ReasonCode">The CIN census closure reason, "RC1" to "RC9"; "RC6" is a transfer to adult social care.</param>
public sealed record ChildrenCaseClosed(PersonRef Child, DateOnly ClosedOn, string ReasonCode) : IInboundEvent
{
    public const string TypeName = "children.case.closed.v1";

    IReadOnlyList<PersonRef> IInboundEvent.People => [Child];
}
