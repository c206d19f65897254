using System.Collections.Immutable;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;

namespace YoungCarers.Domain.Family;

/// <summary>
/// The whole-family projection: <see cref="Evolve"/> folds a stream's facts into a
/// <see cref="FamilyState"/>; <see cref="Describe"/>, <see cref="Decide"/> and <see cref="Flags"/>
/// evaluate it at an instant under a local policy. Pure: no clock, no I/O.
/// </summary>
public static partial class FamilyProjection
{
    public static FamilyState Evolve(FamilyState state, FamilyFact fact)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(fact);
        return fact.Payload switch
        {
            IInboundEvent inbound => Record(state.Join(inbound.People, ChildrenNamedIn(inbound), fact.OccurredAt), inbound, fact.Ref),
            FamilyMerged merged => state with { Merges = state.Merges.Add(new(merged, fact.Ref)) },
            FamilyAbsorbed absorbed => state with { AbsorbedInto = new(absorbed, fact.Ref) },
            FamilySplit split => state with
            {
                Members = state.Members.RemoveAll(member => split.MovedPersons.Any(member.Identifiers.Contains)),
                Splits = state.Splits.Add(new(split, fact.Ref)),
            },
            FamilySplitFrom from => state with { SplitFrom = new(from, fact.Ref) },
            DisputeRaised raised => WithDispute(state, raised.DisputeId, d => d with { Raised = d.Raised ?? new(raised, fact.Ref) }),
            DisputeEscalated escalated => WithDispute(state, escalated.DisputeId, d => d with { Escalations = d.Escalations.Add(new(escalated, fact.Ref)) }),
            DisputeInterimLeadAgreed agreed => WithDispute(state, agreed.DisputeId, d => d with { InterimLeads = d.InterimLeads.Add(new(agreed, fact.Ref)) }),
            DisputeResolved resolved => WithDispute(state, resolved.DisputeId, d => d with { Resolutions = d.Resolutions.Add(new(resolved, fact.Ref)) }),
            ObligationWaived waived => state with { Waivers = state.Waivers.Add(new(waived, fact.Ref)) },
            _ => throw new ArgumentException($"The family projection does not know {fact.Payload.GetType().Name}.", nameof(fact)),
        };
    }

    /// <summary>The state folded over facts in stream order, from empty.</summary>
    public static FamilyState Replay(IEnumerable<FamilyFact> facts) => facts.Aggregate(FamilyState.Empty, Evolve);

    // Who an event names in a child's place: it decides "child" for a person with no birth date.
    private static PersonRef[] ChildrenNamedIn(IInboundEvent inbound) => inbound switch
    {
        AdultReferralReceived e => [.. e.HouseholdChildren.Select(household => household.Child)],
        AdultNeedsAssessmentCompleted e => [.. e.Children.Select(household => household.Child)],
        AdultCarePlanAgreed e => [.. e.ChildCarers],
        AdultCarePlanReviewed e => [.. e.ChildCarers],
        AdultReferralToChildrensSent e => [e.Child],
        ChildrenReferralReceived e => [e.Child],
        ChildrenReferralDecided e => [e.Child],
        ChildrenYoungCarerAssessmentStarted e => [e.Child],
        ChildrenYoungCarerAssessmentCompleted e => [e.Child],
        ChildrenCinAssessmentStarted e => [e.Child],
        ChildrenCinAssessmentCompleted e => [e.Child],
        ChildrenCinPlanStarted e => [e.Child],
        ChildrenCinPlanEnded e => [e.Child],
        ChildrenSection47Started e => [e.Child],
        ChildrenReferralToAdultsSent e => [e.Child],
        ChildrenCaseClosed e => [e.Child],
        PartnerYoungCarerIdentified e => [e.Child],
        AdultNeedsAssessmentStarted or AdultCarersAssessmentCompleted or AdultTransitionAssessmentOffered or AdultTransitionAssessmentCompleted
            or AdultCarePlanEnded or AdultSafeguardingEnquiryStarted or AdultSafeguardingEnquiryConcluded or AdultCaseClosed => [],
        _ => throw new ArgumentException($"The family projection does not know {inbound.GetType().Name}.", nameof(inbound)),
    };

    private static FamilyState Record(FamilyState state, IInboundEvent inbound, EventRef at) => inbound switch
    {
        AdultReferralReceived e => state with { AdultReferrals = state.AdultReferrals.SetItem(e.ReferralId, new(e, at)) },
        AdultNeedsAssessmentStarted e => state with { NeedsAssessments = Starts(state.NeedsAssessments, e.AssessmentId, new(e, at)) },
        AdultNeedsAssessmentCompleted e => state with { NeedsAssessments = Ends(state.NeedsAssessments, e.AssessmentId, new(e, at)) },
        AdultCarersAssessmentCompleted e => state with { CarersAssessments = state.CarersAssessments.Add(new(e, at)) },
        AdultTransitionAssessmentOffered e => state with { TransitionOffers = state.TransitionOffers.Add(new(e, at)) },
        AdultTransitionAssessmentCompleted e => state with { TransitionAssessments = state.TransitionAssessments.Add(new(e, at)) },
        AdultCarePlanAgreed e => state with { CarePlans = state.CarePlans.SetItem(e.PlanId, PlanOf(state, e.PlanId) with { Agreed = new(e, at) }) },
        AdultCarePlanReviewed e => state with
        {
            CarePlans = state.CarePlans.SetItem(e.PlanId, PlanOf(state, e.PlanId) is var plan ? plan with { Reviews = plan.Reviews.Add(new(e, at)) } : plan),
        },
        AdultCarePlanEnded e => state with { CarePlans = state.CarePlans.SetItem(e.PlanId, PlanOf(state, e.PlanId) with { Ended = new(e, at) }) },
        AdultReferralToChildrensSent e => state with { ReferralsToChildrens = state.ReferralsToChildrens.Add(new(e, at)) },
        AdultSafeguardingEnquiryStarted e => state with { SafeguardingEnquiries = Starts(state.SafeguardingEnquiries, e.EnquiryId, new(e, at)) },
        AdultSafeguardingEnquiryConcluded e => state with { SafeguardingEnquiries = Ends(state.SafeguardingEnquiries, e.EnquiryId, new(e, at)) },
        AdultCaseClosed e => state with { AdultClosures = state.AdultClosures.Add(new(e, at)) },
        ChildrenReferralReceived e => state with { ChildrenReferrals = Starts(state.ChildrenReferrals, e.ReferralId, new(e, at)) },
        ChildrenReferralDecided e => state with { ChildrenReferrals = Ends(state.ChildrenReferrals, e.ReferralId, new(e, at)) },
        ChildrenYoungCarerAssessmentStarted e => state with { YoungCarerAssessments = Starts(state.YoungCarerAssessments, e.AssessmentId, new(e, at)) },
        ChildrenYoungCarerAssessmentCompleted e => state with { YoungCarerAssessments = Ends(state.YoungCarerAssessments, e.AssessmentId, new(e, at)) },
        ChildrenCinAssessmentStarted e => state with { CinAssessments = Starts(state.CinAssessments, e.AssessmentId, new(e, at)) },
        ChildrenCinAssessmentCompleted e => state with { CinAssessments = Ends(state.CinAssessments, e.AssessmentId, new(e, at)) },
        ChildrenCinPlanStarted e => state with { CinPlans = Starts(state.CinPlans, e.PlanId, new(e, at)) },
        ChildrenCinPlanEnded e => state with { CinPlans = Ends(state.CinPlans, e.PlanId, new(e, at)) },
        ChildrenSection47Started e => state with { Section47Enquiries = state.Section47Enquiries.Add(new(e, at)) },
        ChildrenReferralToAdultsSent e => state with { ReferralsToAdults = state.ReferralsToAdults.Add(new(e, at)) },
        ChildrenCaseClosed e => state with { ChildrenClosures = state.ChildrenClosures.Add(new(e, at)) },
        PartnerYoungCarerIdentified e => state with { PartnerIdentifications = state.PartnerIdentifications.Add(new(e, at)) },
        _ => throw new ArgumentException($"The family projection does not know {inbound.GetType().Name}.", nameof(inbound)),
    };

    // A dispute raised twice with one id keeps its first raising: its timers cannot restart.
    private static FamilyState WithDispute(FamilyState state, string disputeId, Func<DisputeRecord, DisputeRecord> change) =>
        state with { Disputes = state.Disputes.SetItem(disputeId, change(state.Disputes.GetValueOrDefault(disputeId) ?? DisputeRecord.None)) };

    private static CarePlanRecord PlanOf(FamilyState state, string planId) =>
        state.CarePlans.GetValueOrDefault(planId) ?? new(null, [], null);

    private static ImmutableSortedDictionary<string, Lifecycle<TStart, TEnd>> Starts<TStart, TEnd>(
        ImmutableSortedDictionary<string, Lifecycle<TStart, TEnd>> items, string id, Seen<TStart> start) =>
        items.SetItem(id, (items.GetValueOrDefault(id) ?? new(null, null)) with { Start = start });

    private static ImmutableSortedDictionary<string, Lifecycle<TStart, TEnd>> Ends<TStart, TEnd>(
        ImmutableSortedDictionary<string, Lifecycle<TStart, TEnd>> items, string id, Seen<TEnd> end) =>
        items.SetItem(id, (items.GetValueOrDefault(id) ?? new(null, null)) with { End = end });
}
