using YoungCarers.Domain.Calendar;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Domain.Family;

public static partial class FamilyProjection
{
    /// <summary>
    /// The earliest instant strictly after <paramref name="now"/> at which <see cref="Describe"/>,
    /// <see cref="Decide"/>, <see cref="Flags"/> or <see cref="Disputes"/> could answer differently
    /// with no new event; null when nothing is pending. A projection can cache its answers until then.
    /// </summary>
    /// <remarks>
    /// Every rule reads the clock as the UK local date, except the dispute and waiver instants, so the
    /// candidates are starts of UK days: a business date not yet reached (an event dated ahead of its
    /// arrival), a member's next birthday (ages, child or adult, young adult carer), the day transition
    /// planning starts, the day a young carer has waited long enough to fall between services, the day
    /// after an open obligation's due day; and the instants the disputes name (stage and interim-lead
    /// deadlines, events dated ahead) and of waivers dated ahead. The answers only change at a
    /// candidate, so the candidates are tried in order and the first at which the answers differ
    /// from those at <paramref name="now"/> is the next change. After <see cref="CandidatesTried"/>
    /// candidates that change nothing the last one tried is returned: early, never late.
    /// </remarks>
    public static DateTimeOffset? NextChange(FamilyState state, DateTimeOffset now, LocalPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        var today = WorkingCalendar.LocalDate(now);
        var calendar = policy.Calendar();
        var days = new List<DateOnly>(BusinessDates(state));

        foreach (var born in state.Members.Select(member => member.BirthDate).OfType<DateOnly>())
        {
            days.Add(born);
            days.Add(Ages.Reaches(born, 12 * (Math.Max(Ages.YearsOn(born, today), -1) + 1)));
            days.Add(Ages.Reaches(born, policy.TransitionStartsAtMonths));
        }

        foreach (var carer in CareRecords(state).Where(record => record.Caring).GroupBy(record => record.CarerKey, StringComparer.Ordinal))
        {
            days.Add(calendar.AddWorkingDays(carer.Min(record => record.On), policy.FallsBetweenServicesWorkingDays));
        }

        var instants = days.Where(day => day > today).Select(StartOfDay).ToList();
        instants.AddRange(Decide(state, now, policy).Where(o => o.Status == ObligationStatus.Open).Select(o => o.Deadline));
        instants.AddRange(state.Waivers.Select(waiver => waiver.Event.WaivedAt));
        instants.AddRange(state.Disputes.Values.SelectMany(DisputeInstants));
        foreach (var dispute in Disputes(state, now, policy).Where(d => d.Status == DisputeStatus.Open))
        {
            instants.Add(dispute.StageDeadline);
            if (dispute.InterimLead.Status == InterimLeadStatus.Pending)
            {
                instants.Add(dispute.InterimLead.Deadline);
            }
        }

        var baseline = AnswersAt(state, now, policy);
        var candidates = instants.Where(instant => instant > now).Distinct().Order().ToList();
        foreach (var candidate in candidates.Take(CandidatesTried))
        {
            if (!baseline.SameAs(AnswersAt(state, candidate, policy)))
            {
                return candidate;
            }
        }

        return candidates.Count > CandidatesTried ? candidates[CandidatesTried - 1] : null;
    }

    /// <summary>How many candidate instants <see cref="NextChange"/> evaluates before answering early.</summary>
    public const int CandidatesTried = 64;

    /// <summary>Everything the projection answers at an instant, compared by value.</summary>
    private sealed record Answers(FamilyView View, IReadOnlyList<Obligation> Obligations, IReadOnlyList<Flag> Flags, IReadOnlyList<Dispute> Disputes)
    {
        public bool SameAs(Answers other) =>
            View == other.View && Obligations.SequenceEqual(other.Obligations) && Flags.SequenceEqual(other.Flags) && Disputes.SequenceEqual(other.Disputes);
    }

    private static Answers AnswersAt(FamilyState state, DateTimeOffset at, LocalPolicy policy)
    {
        var obligations = Decide(state, at, policy);
        return new(Describe(state, at), obligations, Flags(state, obligations, at, policy), Disputes(state, at, policy));
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

    /// <summary>Every business date the rules compare with today.</summary>
    private static IEnumerable<DateOnly> BusinessDates(FamilyState state)
    {
        IEnumerable<DateOnly?> dates =
        [
            .. state.AdultReferrals.Values.Select(r => (DateOnly?)r.Event.ReceivedOn),
            .. state.NeedsAssessments.Values.SelectMany(a => new[] { a.Start?.Event.StartedOn, a.End?.Event.CompletedOn }),
            .. state.CarersAssessments.Select(a => (DateOnly?)a.Event.CompletedOn),
            .. state.TransitionOffers.Select(a => (DateOnly?)a.Event.OfferedOn),
            .. state.TransitionAssessments.Select(a => (DateOnly?)a.Event.CompletedOn),
            .. state.CarePlans.Values.SelectMany(p => p.Reviews.Select(r => (DateOnly?)r.Event.ReviewedOn).Append(p.Agreed?.Event.AgreedOn).Append(p.Ended?.Event.EndedOn)),
            .. state.ReferralsToChildrens.Select(s => (DateOnly?)s.Event.SentOn),
            .. state.SafeguardingEnquiries.Values.SelectMany(e => new[] { e.Start?.Event.StartedOn, e.End?.Event.ConcludedOn }),
            .. state.AdultClosures.Select(c => (DateOnly?)c.Event.ClosedOn),
            .. state.ChildrenReferrals.Values.SelectMany(r => new[] { r.Start?.Event.ReceivedOn, r.End?.Event.DecidedOn }),
            .. state.YoungCarerAssessments.Values.SelectMany(a => new[] { a.Start?.Event.StartedOn, a.End?.Event.CompletedOn }),
            .. state.CinAssessments.Values.SelectMany(a => new[] { a.Start?.Event.StartedOn, a.End?.Event.AuthorisedOn }),
            .. state.CinPlans.Values.SelectMany(p => new[] { p.Start?.Event.StartedOn, p.End?.Event.EndedOn }),
            .. state.Section47Enquiries.Select(e => (DateOnly?)e.Event.StartedOn),
            .. state.ReferralsToAdults.Select(s => (DateOnly?)s.Event.SentOn),
            .. state.ChildrenClosures.Select(c => (DateOnly?)c.Event.ClosedOn),
            .. state.PartnerIdentifications.Select(p => (DateOnly?)p.Event.IdentifiedOn),
        ];
        return dates.OfType<DateOnly>();
    }
}
