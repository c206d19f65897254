using System.Collections.Concurrent;
using YoungCarers.Domain.Calendar;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Domain.Family;

public static partial class FamilyProjection
{
    /// <summary>
    /// The family's flags at <paramref name="now"/> (SPEC section 7), from its state and the
    /// obligations <see cref="Decide"/> found.
    /// </summary>
    /// <remarks>
    /// <c>dispute-overdue</c> is raised for each open dispute (see <see cref="Dispute.Overdue"/>) whose
    /// last stage is past its deadline, whose interim lead deadline passed with none agreed, or which
    /// went past any stage deadline and escalated automatically. The SPEC's "current stage past its
    /// deadline" alone could only ever catch the last stage, because earlier ones escalate the
    /// moment they go overdue; a dispute that has missed a stage deadline stays flagged until it is
    /// resolved, so the miss is not hidden by the escalation it caused.
    /// </remarks>
    public static IReadOnlyList<Flag> Flags(FamilyState state, IReadOnlyList<Obligation> obligations, DateTimeOffset now, LocalPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(obligations);
        ArgumentNullException.ThrowIfNull(policy);
        return FlagsAt(new At(state, now, policy), obligations, disputes: null);
    }

    /// <param name="disputes">The disputes at the instant when already worked out; null to work them out.</param>
    private static List<Flag> FlagsAt(At at, IReadOnlyList<Obligation> obligations, IReadOnlyList<Dispute>? disputes)
    {
        var (state, policy) = (at.State, at.Policy);
        if (state.AbsorbedInto is not null)
        {
            return [];
        }

        var (today, calendar, care, involvement) = (at.Today, at.Calendar, at.CareToday, at.Involvement);
        var youngCarers = new List<FamilyMember>();
        foreach (var member in state.Members)
        {
            if (IsChildOn(member, today) && IsStillCaring(care, member.Key))
            {
                youngCarers.Add(member);
            }
        }

        Flag Raise(string name, IEnumerable<string> persons, IEnumerable<EventRef> evidence, IEnumerable<string> kinds, string reason) =>
            new(name, Distinct(persons), Distinct(evidence), Distinct(kinds), reason, BasisOf(name), policy.Version);

        var flags = new List<Flag>();
        foreach (var youngCarer in youngCarers)
        {
            if (FallsBetween(state, youngCarer, care, involvement, obligations, today, policy, calendar) is var (evidence, kinds, reason))
            {
                flags.Add(Raise(FlagNames.FallsBetweenServices, [youngCarer.Key], evidence, kinds, reason));
            }
        }

        // Both ways of declining after the other service closed need a closed adult case. Each is
        // about one child, and only that child's assessment answers it (SPEC section 7), not a sibling's.
        if (!state.AdultClosures.IsEmpty)
        {
            foreach (var (declined, closed, child, reason) in DeclinedAfterOtherClosed(state, today))
            {
                if (!HasCompletedYoungCarerAssessment(state, child, today))
                {
                    flags.Add(Raise(FlagNames.ReferralDeclinedAfterOtherClosed, [child], [declined, closed], [], reason));
                }
            }
        }

        foreach (var (plan, adult, children) in PlansRelyingOnChildren(state, today))
        {
            flags.Add(Raise(FlagNames.PackageReliesOnYoungCarer, [adult, .. children], [plan], [],
                "An active adult care plan records that it relies on care by a child."));
        }

        foreach (var transition in obligations)
        {
            if (transition.Kind != ObligationKinds.TransitionAssessment || transition.Status is not (ObligationStatus.Open or ObligationStatus.Overdue) || transition.DueOn >= today)
            {
                continue;
            }

            flags.Add(Raise(FlagNames.TurnedEighteenWithoutTransitionAssessment, [transition.PersonKey], [transition.OpenedBy], [transition.Kind],
                "The young carer has turned 18 and no transition assessment has been completed."));
        }

        foreach (var dispute in disputes ?? DisputesAt(at))
        {
            if (dispute.Overdue is null)
            {
                continue;
            }

            flags.Add(Raise(FlagNames.DisputeOverdue, dispute.PersonKeys, dispute.Events, [], $"Dispute {dispute.DisputeId}: {dispute.Overdue}"));
        }

        var overdue = new List<Obligation>();
        foreach (var obligation in obligations)
        {
            if (obligation.Status == ObligationStatus.Overdue)
            {
                overdue.Add(obligation);
            }
        }

        if (overdue.Count > 0)
        {
            var (persons, evidence, kinds) = (new string[overdue.Count], new EventRef[overdue.Count], new string[overdue.Count]);
            for (var i = 0; i < overdue.Count; i++)
            {
                (persons[i], evidence[i], kinds[i]) = (overdue[i].PersonKey, overdue[i].OpenedBy, overdue[i].Kind);
            }

            flags.Add(Raise(FlagNames.ObligationOverdue, persons, evidence, kinds, $"{overdue.Count} obligation(s) about the family are past their deadline."));
        }

        // Grouped only when there is an enquiry: most families have none.
        if (involvement.Exists(i => i.Kind == InvolvementKind.Enquiry))
        {
            foreach (var enquiries in involvement.Where(i => i.Kind == InvolvementKind.Enquiry).GroupBy(i => i.PersonKey, StringComparer.Ordinal))
            {
                flags.Add(Raise(FlagNames.SafeguardingOpen, [enquiries.Key], enquiries.Select(i => i.OpenedBy), [],
                    "A safeguarding enquiry (Care Act s42) or child protection enquiry (Children Act s47) is open."));
            }
        }

        return flags;
    }

    /// <summary>
    /// The clause behind each flag (the README's flag table, in full as the obligations cite theirs).
    /// The two flags that watch an obligation's own subject cite that obligation's clause.
    /// </summary>
    private static string BasisOf(string flag) => flag switch
    {
        FlagNames.FallsBetweenServices =>
            $"{NoWrongDoors} section 1 (key principles): \"no wrong doors\" for young carers, who should be identified, assessed and their families supported regardless of which service has contact with them first.",
        FlagNames.ReferralDeclinedAfterOtherClosed =>
            $"{MoU2012} sections 11 and 14: whichever service identifies a young carer is responsible for referring or assessing their needs, and a referral to children's social care is confirmed and acted on.",
        FlagNames.PackageReliesOnYoungCarer => Rules[ObligationKinds.ReviewCarePlanRelyingOnChild].Basis,
        FlagNames.TurnedEighteenWithoutTransitionAssessment => Rules[ObligationKinds.TransitionAssessment].Basis,
        FlagNames.DisputeOverdue => DisputeBasis,
        FlagNames.ObligationOverdue =>
            "The basis each overdue obligation it cites carries: the statute or memorandum clause that sets that duty and its timescale.",
        FlagNames.SafeguardingOpen =>
            $"Care Act 2014 s42 (safeguarding enquiry about an adult at risk); Children Act 1989 s47 (child protection enquiry); {NoWrongDoors} section 7: a joint responsibility to identify and respond to young carers suffering, or likely to suffer, significant harm.",
        _ => throw new ArgumentOutOfRangeException(nameof(flag), flag, "Not a flag of SPEC section 7."),
    };

    /// <summary>
    /// The values without repeats, each where it first appears, as <see cref="Enumerable.Distinct{TSource}(IEnumerable{TSource})"/>
    /// gives them, without the hash set it builds: a flag cites a handful of values.
    /// </summary>
    private static List<T> Distinct<T>(IEnumerable<T> values)
    {
        var distinct = new List<T>();
        foreach (var value in values)
        {
            if (!distinct.Contains(value))
            {
                distinct.Add(value);
            }
        }

        return distinct;
    }

    // The reason is the same long text for every family under a policy: made once per count of days.
    private static readonly ConcurrentDictionary<int, string> FallsBetweenReasons = new();

    private static (List<EventRef> Evidence, List<string> Kinds, string Reason)? FallsBetween(
        FamilyState state, FamilyMember youngCarer, List<CareRecord> care, List<Involvement> involvement,
        IReadOnlyList<Obligation> obligations, DateOnly today, LocalPolicy policy, WorkingCalendar calendar)
    {
        // The earliest record of the child caring (the first of equals), and everyone they care for.
        CareRecord? identified = null;
        var caredFor = new List<string>();
        foreach (var r in care)
        {
            if (!r.Caring || r.CarerKey != youngCarer.Key)
            {
                continue;
            }

            if (identified is null || r.On < identified.On)
            {
                identified = r;
            }

            if (r.CaredForKey is { } adult && !caredFor.Contains(adult))
            {
                caredFor.Add(adult);
            }
        }

        // Working days between them reach the policy's count exactly when that many working days on is today or earlier.
        // Only a referral, assessment, plan or support picks a young carer up (SPEC section 7): an
        // enquiry does not, and an s47 enquiry, which has no end event, would hold the flag down until the case closed.
        if (calendar.AddWorkingDays(identified!.On, policy.FallsBetweenServicesWorkingDays) <= today
            && !involvement.Exists(i => i.Kind != InvolvementKind.Enquiry && (i.PersonKey == youngCarer.Key || caredFor.Contains(i.PersonKey))))
        {
            return ([identified.Ref], [], FallsBetweenReasons.GetOrAdd(policy.FallsBetweenServicesWorkingDays, static days =>
                $"Identified as a young carer {days} or more working days ago and neither service has an open referral, assessment, plan or support for the child or the adult they care for."));
        }

        if (state.ChildrenClosures.IsEmpty || state.AdultClosures.IsEmpty)
        {
            return null;
        }

        var childClosure = state.ChildrenClosures.Where(c => c.Event.ClosedOn <= today && state.KeyOf(c.Event.Child) == youngCarer.Key).MaxBy(c => c.Event.ClosedOn);
        var adultClosures = state.AdultClosures
            .Where(c => c.Event.ClosedOn <= today && state.KeyOf(c.Event.Person) is { } adult && caredFor.Contains(adult)
                && !involvement.Exists(i => i.Service == Services.AdultSocialCare && i.PersonKey == adult))
            .ToList();
        var stillOwed = obligations.Where(o => o.Status is ObligationStatus.Open or ObligationStatus.Overdue
            && (o.PersonKey == youngCarer.Key || adultClosures.Exists(c => state.KeyOf(c.Event.Person) == o.PersonKey))).ToList();
        if (childClosure is not null && adultClosures.Count > 0 && stillOwed.Count > 0
            && !involvement.Exists(i => i.Service == Services.ChildrensSocialCare && i.PersonKey == youngCarer.Key))
        {
            return ([childClosure.Ref, .. adultClosures.Select(c => c.Ref), .. stillOwed.Select(o => o.OpenedBy)], [.. stillOwed.Select(o => o.Kind)],
                "Both services have closed their cases while an obligation about the young carer or the adult they care for is still open.");
        }

        return null;
    }

    private static bool HasCompletedYoungCarerAssessment(FamilyState state, string child, DateOnly today)
    {
        foreach (var assessment in state.YoungCarerAssessments.Values)
        {
            if (assessment.End is { } e && e.Event.CompletedOn <= today && state.KeyOf(e.Event.Child) == child)
            {
                return true;
            }
        }

        foreach (var assessment in state.CinAssessments.Values)
        {
            if (assessment.End is { } e && e.Event.AuthorisedOn <= today && TextLists.ContainsOrdinal(e.Event.Factors, YoungCarerFactor) && state.KeyOf(e.Event.Child) == child)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Children's social care declining a referral after adult social care closed its case, or adult
    /// social care closing a referral it never assessed after children's social care closed theirs.
    /// </summary>
    private static IEnumerable<(EventRef Declined, EventRef Closed, string Child, string Reason)> DeclinedAfterOtherClosed(FamilyState state, DateOnly today)
    {
        foreach (var referral in state.ChildrenReferrals.Values)
        {
            if (referral.End is not { } decided || !IsDecline(decided.Event.Decision) || decided.Event.DecidedOn > today || state.KeyOf(decided.Event.Child) is not { } child)
            {
                continue;
            }

            var closed = state.AdultClosures.Where(c => c.Event.ClosedOn <= decided.Event.DecidedOn).MaxBy(c => c.Event.ClosedOn);
            if (closed is not null)
            {
                yield return (decided.Ref, closed.Ref, child,
                    "Children's social care declined a referral after adult social care had closed its case, and no young carer assessment of the child has been completed.");
            }
        }

        foreach (var closure in state.AdultClosures.Where(c => c.Event.ClosedOn <= today))
        {
            var adult = state.KeyOf(closure.Event.Person);
            var unassessed = state.AdultReferrals.Values.Any(r => state.KeyOf(r.Event.Person) == adult && r.Event.ReceivedOn <= closure.Event.ClosedOn
                && !state.NeedsAssessments.Values.Any(a => a.Start is { } s && state.KeyOf(s.Event.Person) == adult
                    && s.Event.StartedOn >= r.Event.ReceivedOn && s.Event.StartedOn <= closure.Event.ClosedOn));
            var childrensClosed = state.ChildrenClosures.Where(c => c.Event.ClosedOn <= closure.Event.ClosedOn).MaxBy(c => c.Event.ClosedOn);
            if (unassessed && childrensClosed is not null && state.KeyOf(childrensClosed.Event.Child) is { } child)
            {
                yield return (closure.Ref, childrensClosed.Ref, child,
                    "Adult social care closed a referral without assessment after children's social care had closed its case, and no young carer assessment of the child has been completed.");
            }
        }
    }

    /// <summary>Active care plans whose latest word (agreement or review) is that they rely on child care.</summary>
    private static IEnumerable<(EventRef Plan, string Adult, List<string> Children)> PlansRelyingOnChildren(FamilyState state, DateOnly today)
    {
        foreach (var plan in state.CarePlans.Values)
        {
            if (plan.Agreed is not { } agreed || agreed.Event.AgreedOn > today || plan.Ended?.Event.EndedOn <= today || state.KeyOf(agreed.Event.Person) is not { } adult)
            {
                continue;
            }

            var latest = plan.Reviews.Where(r => r.Event.ReviewedOn <= today).MaxBy(r => r.Event.ReviewedOn) is { } review
                ? (review.Event.ReliesOnChildCare, review.Event.ChildCarers, review.Ref)
                : (agreed.Event.ReliesOnChildCare, agreed.Event.ChildCarers, agreed.Ref);
            if (latest.ReliesOnChildCare)
            {
                yield return (latest.Ref, adult, [.. latest.ChildCarers.Select(state.KeyOf).OfType<string>()]);
            }
        }
    }
}
