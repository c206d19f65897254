using YoungCarers.Domain.Calendar;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Domain.Family;

public static partial class FamilyProjection
{
    /// <summary>
    /// An instant strictly after <paramref name="now"/> by which <see cref="Describe"/>,
    /// <see cref="Decide"/>, <see cref="Flags"/> or <see cref="Disputes"/> may first answer differently
    /// with no new event; null when nothing is pending. It is never later than the first change,
    /// and it is always a real rule threshold, though the answers need not change there: a
    /// projection can cache its answers until then and, at it, evaluate again and ask again.
    /// </summary>
    /// <remarks>
    /// Every rule reads the clock as the UK local date, except the dispute and waiver instants, so the
    /// thresholds are starts of UK days: a business date not yet reached (an event dated ahead of its
    /// arrival), a member's birth and next birthday (ages, child or adult, young adult carer), the day
    /// transition planning starts, the day a young carer has waited long enough to fall between
    /// services, the day after an open obligation's due day; and the instants the disputes name
    /// (stage and interim-lead deadlines, events dated ahead) and of waivers dated ahead. The answers
    /// only change at a threshold, so the earliest one after <paramref name="now"/> is never late.
    /// It is returned without evaluating the answers there: firing early costs one evaluation that
    /// changes nothing, and is cheaper than trying thresholds until one makes a difference.
    /// </remarks>
    public static DateTimeOffset? NextChange(FamilyState state, DateTimeOffset now, LocalPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        var at = new At(state, now, policy);
        return NextChangeAt(at, DecideAt(at), DisputesAt(at));
    }

    /// <summary>The earliest rule threshold after the instant, given the obligations and disputes at it.</summary>
    private static DateTimeOffset? NextChangeAt(At at, IReadOnlyList<Obligation> obligations, IReadOnlyList<Dispute> disputes)
    {
        var (state, now, policy, today) = (at.State, at.Now, at.Policy, at.Today);
        DateTimeOffset? next = null;
        void Consider(DateTimeOffset instant)
        {
            if (instant > now && (next is null || instant < next))
            {
                next = instant;
            }
        }

        // Days are compared first and turned into instants once: the earliest day after today wins.
        DateOnly? day = null;
        void ConsiderDay(DateOnly candidate)
        {
            if (candidate > today && (day is null || candidate < day))
            {
                day = candidate;
            }
        }

        if (EarliestBusinessDateAfter(state, today) is { } business)
        {
            ConsiderDay(business);
        }

        foreach (var member in state.Members)
        {
            if (member.BirthDate is { } born)
            {
                ConsiderDay(born);
                ConsiderDay(Ages.Reaches(born, 12 * (Math.Max(Ages.YearsOn(born, today), -1) + 1)));
                ConsiderDay(Ages.Reaches(born, policy.TransitionStartsAtMonths));
            }
        }

        var firstCared = new Dictionary<string, DateOnly>(StringComparer.Ordinal);
        foreach (var record in at.Care)
        {
            if (record.Caring && (!firstCared.TryGetValue(record.CarerKey, out var first) || record.On < first))
            {
                firstCared[record.CarerKey] = record.On;
            }
        }

        foreach (var first in firstCared.Values)
        {
            ConsiderDay(at.Calendar.AddWorkingDays(first, policy.FallsBetweenServicesWorkingDays));
        }

        if (day is { } earliest)
        {
            Consider(StartOfDay(earliest));
        }

        foreach (var obligation in obligations)
        {
            if (obligation.Status == ObligationStatus.Open)
            {
                Consider(obligation.Deadline);
            }
        }

        foreach (var waiver in state.Waivers)
        {
            Consider(waiver.Event.WaivedAt);
        }

        foreach (var record in state.Disputes.Values)
        {
            foreach (var instant in DisputeInstants(record))
            {
                Consider(instant);
            }
        }

        foreach (var dispute in disputes)
        {
            if (dispute.Status == DisputeStatus.Open)
            {
                Consider(dispute.StageDeadline);
                if (dispute.InterimLead.Status == InterimLeadStatus.Pending)
                {
                    Consider(dispute.InterimLead.Deadline);
                }
            }
        }

        return next;
    }

    /// <summary>Every instant a dispute's events name: one dated ahead of now comes into force then.</summary>
    private static IEnumerable<DateTimeOffset> DisputeInstants(DisputeRecord record) =>
    [
        .. record.Raised is { } raised ? [raised.Event.RaisedOn] : Array.Empty<DateTimeOffset>(),
        .. record.Escalations.Select(e => e.Event.EscalatedOn),
        .. record.InterimLeads.Select(a => a.Event.AgreedOn),
        .. record.Resolutions.Select(r => r.Event.ResolvedOn),
    ];

    /// <summary>The instant a UK day begins: the end of the day before it.</summary>
    private static DateTimeOffset StartOfDay(DateOnly day) => WorkingCalendar.EndOfDay(day.AddDays(-1));

    /// <summary>The earliest of the business dates the rules compare with today that is still ahead of it.</summary>
    private static DateOnly? EarliestBusinessDateAfter(FamilyState state, DateOnly today)
    {
        DateOnly? earliest = null;
        void Consider(DateOnly? day)
        {
            if (day is { } date && date > today && (earliest is null || date < earliest))
            {
                earliest = date;
            }
        }

        foreach (var r in state.AdultReferrals.Values)
        {
            Consider(r.Event.ReceivedOn);
        }

        foreach (var a in state.NeedsAssessments.Values)
        {
            Consider(a.Start?.Event.StartedOn);
            Consider(a.End?.Event.CompletedOn);
        }

        foreach (var a in state.CarersAssessments)
        {
            Consider(a.Event.CompletedOn);
        }

        foreach (var a in state.TransitionOffers)
        {
            Consider(a.Event.OfferedOn);
        }

        foreach (var a in state.TransitionAssessments)
        {
            Consider(a.Event.CompletedOn);
        }

        foreach (var p in state.CarePlans.Values)
        {
            foreach (var r in p.Reviews)
            {
                Consider(r.Event.ReviewedOn);
            }

            Consider(p.Agreed?.Event.AgreedOn);
            Consider(p.Ended?.Event.EndedOn);
        }

        foreach (var s in state.ReferralsToChildrens)
        {
            Consider(s.Event.SentOn);
        }

        foreach (var e in state.SafeguardingEnquiries.Values)
        {
            Consider(e.Start?.Event.StartedOn);
            Consider(e.End?.Event.ConcludedOn);
        }

        foreach (var c in state.AdultClosures)
        {
            Consider(c.Event.ClosedOn);
        }

        foreach (var r in state.ChildrenReferrals.Values)
        {
            Consider(r.Start?.Event.ReceivedOn);
            Consider(r.End?.Event.DecidedOn);
        }

        foreach (var a in state.YoungCarerAssessments.Values)
        {
            Consider(a.Start?.Event.StartedOn);
            Consider(a.End?.Event.CompletedOn);
        }

        foreach (var a in state.CinAssessments.Values)
        {
            Consider(a.Start?.Event.StartedOn);
            Consider(a.End?.Event.AuthorisedOn);
        }

        foreach (var p in state.CinPlans.Values)
        {
            Consider(p.Start?.Event.StartedOn);
            Consider(p.End?.Event.EndedOn);
        }

        foreach (var e in state.Section47Enquiries)
        {
            Consider(e.Event.StartedOn);
        }

        foreach (var s in state.ReferralsToAdults)
        {
            Consider(s.Event.SentOn);
        }

        foreach (var c in state.ChildrenClosures)
        {
            Consider(c.Event.ClosedOn);
        }

        foreach (var p in state.PartnerIdentifications)
        {
            Consider(p.Event.IdentifiedOn);
        }

        return earliest;
    }
}
