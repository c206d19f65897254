using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Family;

/// <summary>The flags of SPEC section 7, by their contract names.</summary>
public static class FlagNames
{
    public const string FallsBetweenServices = "falls-between-services";
    public const string ReferralDeclinedAfterOtherClosed = "referral-declined-after-other-closed";
    public const string PackageReliesOnYoungCarer = "package-relies-on-young-carer";
    public const string TurnedEighteenWithoutTransitionAssessment = "turned-18-without-transition-assessment";
    public const string DisputeOverdue = "dispute-overdue";
    public const string ObligationOverdue = "obligation-overdue";
    public const string SafeguardingOpen = "safeguarding-open";
}

/// <summary>
/// A warning that a young carer may be falling between services, explaining itself: who it is
/// about, the events and obligation kinds that raised it, in words why, the clause behind it and the
/// policy version it was computed under.
/// </summary>
/// <param name="PersonKeys">The <see cref="FamilyMember.Key"/>s of the persons concerned.</param>
public sealed record Flag(
    string Name,
    IReadOnlyList<string> PersonKeys,
    IReadOnlyList<EventRef> Evidence,
    IReadOnlyList<string> ObligationKinds,
    string Reason,
    string Basis,
    string PolicyVersion)
{
    public IReadOnlyList<string> PersonKeys { get; init => field = ValueList.Of(value); } = ValueList.Of(PersonKeys);

    public IReadOnlyList<EventRef> Evidence { get; init => field = ValueList.Of(value); } = ValueList.Of(Evidence);

    public IReadOnlyList<string> ObligationKinds { get; init => field = ValueList.Of(value); } = ValueList.Of(ObligationKinds);
}
