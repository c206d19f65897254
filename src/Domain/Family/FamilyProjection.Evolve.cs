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
        return fact.Payload is IInboundEvent inbound
            ? Record(state, state.Join(inbound.People, ChildrenNamedIn(inbound), fact.OccurredAt), inbound, fact.Ref)
            : RecordFamilyEvent(state, fact);
    }

    // Apart from Evolve: the lambdas here capture the fact, which makes their method allocate a closure
    // on every call, and nearly every fact is an inbound event.
    private static FamilyState RecordFamilyEvent(FamilyState state, FamilyFact fact) => fact.Payload switch
    {
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

    /// <summary>The state folded over facts in stream order, from empty.</summary>
    public static FamilyState Replay(IEnumerable<FamilyFact> facts) => facts.Aggregate(FamilyState.Empty, Evolve);

    // Who an event names in a child's place: it decides "child" for a person with no birth date.
    private static PersonRef[] ChildrenNamedIn(IInboundEvent inbound) => inbound switch
    {
        AdultReferralReceived e => ChildrenOf(e.HouseholdChildren),
        AdultNeedsAssessmentCompleted e => ChildrenOf(e.Children),
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

    private static PersonRef[] ChildrenOf(IReadOnlyList<ChildInHousehold> household)
    {
        var children = new PersonRef[household.Count];
        for (var i = 0; i < children.Length; i++)
        {
            children[i] = household[i].Child;
        }

        return children;
    }

    // The state with the event's people joined in and the event recorded, copied once.
    private static FamilyState Record(FamilyState state, ImmutableArray<FamilyMember> members, IInboundEvent inbound, EventRef at) => inbound switch
    {
        AdultReferralReceived e => state with { Members = members, AdultReferrals = state.AdultReferrals.SetItem(e.ReferralId, new(e, at)) },
        AdultNeedsAssessmentStarted e => state with { Members = members, NeedsAssessments = Starts(state.NeedsAssessments, e.AssessmentId, new(e, at)) },
        AdultNeedsAssessmentCompleted e => state with { Members = members, NeedsAssessments = Ends(state.NeedsAssessments, e.AssessmentId, new(e, at)) },
        AdultCarersAssessmentCompleted e => state with { Members = members, CarersAssessments = state.CarersAssessments.Add(new(e, at)) },
        AdultTransitionAssessmentOffered e => state with { Members = members, TransitionOffers = state.TransitionOffers.Add(new(e, at)) },
        AdultTransitionAssessmentCompleted e => state with { Members = members, TransitionAssessments = state.TransitionAssessments.Add(new(e, at)) },
        AdultCarePlanAgreed e => state with { Members = members, CarePlans = state.CarePlans.SetItem(e.PlanId, PlanOf(state, e.PlanId) with { Agreed = new(e, at) }) },
        AdultCarePlanReviewed e => state with
        {
            Members = members,
            CarePlans = state.CarePlans.SetItem(e.PlanId, PlanOf(state, e.PlanId) is var plan ? plan with { Reviews = plan.Reviews.Add(new(e, at)) } : plan),
        },
        AdultCarePlanEnded e => state with { Members = members, CarePlans = state.CarePlans.SetItem(e.PlanId, PlanOf(state, e.PlanId) with { Ended = new(e, at) }) },
        AdultReferralToChildrensSent e => state with { Members = members, ReferralsToChildrens = state.ReferralsToChildrens.Add(new(e, at)) },
        AdultSafeguardingEnquiryStarted e => state with { Members = members, SafeguardingEnquiries = Starts(state.SafeguardingEnquiries, e.EnquiryId, new(e, at)) },
        AdultSafeguardingEnquiryConcluded e => state with { Members = members, SafeguardingEnquiries = Ends(state.SafeguardingEnquiries, e.EnquiryId, new(e, at)) },
        AdultCaseClosed e => state with { Members = members, AdultClosures = state.AdultClosures.Add(new(e, at)) },
        ChildrenReferralReceived e => state with { Members = members, ChildrenReferrals = Starts(state.ChildrenReferrals, e.ReferralId, new(e, at)) },
        ChildrenReferralDecided e => state with { Members = members, ChildrenReferrals = Ends(state.ChildrenReferrals, e.ReferralId, new(e, at)) },
        ChildrenYoungCarerAssessmentStarted e => state with { Members = members, YoungCarerAssessments = Starts(state.YoungCarerAssessments, e.AssessmentId, new(e, at)) },
        ChildrenYoungCarerAssessmentCompleted e => state with { Members = members, YoungCarerAssessments = Ends(state.YoungCarerAssessments, e.AssessmentId, new(e, at)) },
        ChildrenCinAssessmentStarted e => state with { Members = members, CinAssessments = Starts(state.CinAssessments, e.AssessmentId, new(e, at)) },
        ChildrenCinAssessmentCompleted e => state with { Members = members, CinAssessments = Ends(state.CinAssessments, e.AssessmentId, new(e, at)) },
        ChildrenCinPlanStarted e => state with { Members = members, CinPlans = Starts(state.CinPlans, e.PlanId, new(e, at)) },
        ChildrenCinPlanEnded e => state with { Members = members, CinPlans = Ends(state.CinPlans, e.PlanId, new(e, at)) },
        ChildrenSection47Started e => state with { Members = members, Section47Enquiries = state.Section47Enquiries.Add(new(e, at)) },
        ChildrenReferralToAdultsSent e => state with { Members = members, ReferralsToAdults = state.ReferralsToAdults.Add(new(e, at)) },
        ChildrenCaseClosed e => state with { Members = members, ChildrenClosures = state.ChildrenClosures.Add(new(e, at)) },
        PartnerYoungCarerIdentified e => state with { Members = members, PartnerIdentifications = state.PartnerIdentifications.Add(new(e, at)) },
        _ => throw new ArgumentException($"The family projection does not know {inbound.GetType().Name}.", nameof(inbound)),
    };

    // A dispute raised twice with one id keeps its first raising: its timers cannot restart.
    private static FamilyState WithDispute(FamilyState state, string disputeId, Func<DisputeRecord, DisputeRecord> change) =>
        state with { Disputes = state.Disputes.SetItem(disputeId, change(state.Disputes.GetValueOrDefault(disputeId) ?? DisputeRecord.None)) };

    private static CarePlanRecord PlanOf(FamilyState state, string planId) =>
        state.CarePlans.GetValueOrDefault(planId) ?? new(null, [], null);

    private static CaseRecordCollection<Lifecycle<TStart, TEnd>> Starts<TStart, TEnd>(
        CaseRecordCollection<Lifecycle<TStart, TEnd>> items, string id, Seen<TStart> start) =>
        items.SetItem(id, (items.GetValueOrDefault(id) ?? new(null, null)) with { Start = start });

    private static CaseRecordCollection<Lifecycle<TStart, TEnd>> Ends<TStart, TEnd>(
        CaseRecordCollection<Lifecycle<TStart, TEnd>> items, string id, Seen<TEnd> end) =>
        items.SetItem(id, (items.GetValueOrDefault(id) ?? new(null, null)) with { End = end });
}
