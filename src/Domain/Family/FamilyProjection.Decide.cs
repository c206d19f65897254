using YoungCarers.Domain.Calendar;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Policy;

namespace YoungCarers.Domain.Family;

/// <summary>An event that discharged an obligation, and its business date.</summary>
internal sealed record Discharge(EventRef Ref, DateOnly On);

/// <summary>An obligation as a rule finds it, before the clock says whether it is open or overdue.</summary>
internal sealed record Opened(string Kind, string PersonKey, EventRef OpenedBy, DateOnly OpenedOn, DateOnly DueOn, Discharge? Met);

public static partial class FamilyProjection
{
    // The SPEC table's clauses, with its seed documents named as practitioners know them: seed 001
    // is the 2012 template MoU, seed 003 "No Wrong Doors for Young Carers" (4th edition, 2024).
    private const string MoU2012 = "Working together to support young carers and their families (template MoU, 2012)";
    private const string NoWrongDoors = "No Wrong Doors for Young Carers (MoU, 4th edition, 2024)";

    private static readonly Dictionary<string, (string OwedBy, string Basis)> Rules = new(StringComparer.Ordinal)
    {
        [ObligationKinds.RecordChildrenInHousehold] = (Services.AdultSocialCare,
            $"Care and Support (Assessment) Regulations 2014 reg 4(3); {NoWrongDoors} section 3: a needs assessment must record whether there are children in the household."),
        [ObligationKinds.ReferYoungCarer] = (Services.AdultSocialCare,
            $"Care Act statutory guidance 6.68-6.71; {MoU2012} section 11: whichever service identifies a young carer is responsible for referring or assessing."),
        [ObligationKinds.AcknowledgeReferral] = (Services.ChildrensSocialCare,
            $"Working Together 2023 (acknowledge within one working day); {MoU2012} section 14 (confirm within 48 hours)."),
        [ObligationKinds.DecideOnReferral] = (Services.ChildrensSocialCare,
            "Working Together 2023: a decision on a referral within one working day."),
        [ObligationKinds.YoungCarerAssessment] = (Services.ChildrensSocialCare,
            "Children Act 1989 s17ZA (duty when a young carer \"may have needs for support\"); Working Together 2023 (45 working days)."),
        [ObligationKinds.OfferAdultAssessment] = (Services.AdultSocialCare,
            $"Care Act 2014 s9 (appearance of need); {NoWrongDoors} key principles: \"the presence of a young carer ... should trigger either an assessment, or the offer of an assessment\"."),
        [ObligationKinds.CompleteAdultAssessment] = (Services.AdultSocialCare,
            "Care Act statutory guidance 6.29 (reasonable timescale; 28 days is common local practice)."),
        [ObligationKinds.ReviewCarePlanRelyingOnChild] = (Services.AdultSocialCare,
            $"{MoU2012} statement of intent: \"no care or support package ... relies on excessive or inappropriate caring by a young carer\"."),
        [ObligationKinds.TransitionAssessment] = (Services.AdultSocialCare,
            $"Care Act 2014 s63-s64 (transition assessment for a young carer approaching 18); {NoWrongDoors} section 5."),
        [ObligationKinds.ReviewYoungCarerAssessment] = (Services.ChildrensSocialCare,
            $"Children Act 1989 s17ZA(4)-(6) (reassess on change of circumstances); {NoWrongDoors} section 4."),
    };

    /// <summary>
    /// The family's handover obligations at <paramref name="now"/> under <paramref name="policy"/>.
    /// An absorbed family owes nothing: its facts and obligations now belong to the survivor.
    /// </summary>
    public static IReadOnlyList<Obligation> Decide(FamilyState state, DateTimeOffset now, LocalPolicy policy)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(policy);
        return DecideAt(new At(state, now, policy));
    }

    private static Obligation[] DecideAt(At at)
    {
        var (state, now, policy) = (at.State, at.Now, at.Policy);
        if (state.AbsorbedInto is not null)
        {
            return [];
        }

        var rules = new RuleContext(state, policy, at.Calendar, at.Care, at.Today);
        rules.KnowInvolvement(at.Today, at.Involvement);
        var opened = new List<Opened>();
        opened.AddRange(RecordChildrenInHousehold(rules));
        opened.AddRange(ReferYoungCarer(rules));
        opened.AddRange(AcknowledgeReferral(rules));
        opened.AddRange(DecideOnReferral(rules));
        opened.AddRange(YoungCarerAssessment(rules));
        opened.AddRange(OfferAdultAssessment(rules));
        opened.AddRange(CompleteAdultAssessment(rules));
        opened.AddRange(ReviewCarePlanRelyingOnChild(rules));
        opened.AddRange(TransitionAssessment(rules));
        opened.AddRange(ReviewYoungCarerAssessment(rules));
        // By opening day, then kind; the rules' order is kept among equals.
        var ordered = StableOrder.Sorted(opened, CompareOpening);
        var waivers = state.Waivers.IsEmpty ? [] : state.Waivers.Where(waiver => waiver.Event.WaivedAt <= now).ToList();
        var obligations = new Obligation[ordered.Count];
        for (var i = 0; i < ordered.Count; i++)
        {
            obligations[i] = Settle(ordered[i], now, policy, WaiverOf(state, ordered[i], waivers));
        }

        return obligations;
    }

    private static int CompareOpening(Opened x, Opened y)
    {
        var order = x.OpenedOn.CompareTo(y.OpenedOn);
        return order != 0 ? order : string.CompareOrdinal(x.Kind, y.Kind);
    }

    // Status is the one place the clock, discharges and waivers meet: met stays met, a waiver sets
    // aside what is still open or overdue.
    private static Obligation Settle(Opened opened, DateTimeOffset now, LocalPolicy policy, Seen<ObligationWaived>? waiver)
    {
        var (owedBy, basis) = Rules[opened.Kind];
        var deadline = WorkingCalendar.EndOfDay(opened.DueOn);
        var waived = opened.Met is null ? waiver : null;
        var status = opened.Met is not null ? ObligationStatus.Met
            : waived is not null ? ObligationStatus.Waived
            : now >= deadline ? ObligationStatus.Overdue
            : ObligationStatus.Open;
        return new(opened.Kind, owedBy, opened.PersonKey, opened.OpenedBy, opened.OpenedOn, opened.Met?.Ref, opened.Met?.On,
            opened.DueOn, deadline, status, basis, policy.Version,
            waived is null ? null : new(waived.Event.Reason, waived.Event.WaivedBy, waived.Event.WaivedAt, waived.Ref));
    }

    /// <summary>
    /// The earliest waiver (in force at the instant) naming the obligation. It may name the person by
    /// any of their identifiers: after a merge the member's key can be another identifier of the same
    /// person than the one the waiver was written against.
    /// </summary>
    private static Seen<ObligationWaived>? WaiverOf(FamilyState state, Opened opened, List<Seen<ObligationWaived>> waivers) =>
        waivers.Count == 0 ? null : NamedWaiver(state, opened, waivers);

    // Apart from WaiverOf: its lambdas capture a parameter, which makes the method allocate a closure
    // on every call, and most families have no waivers.
    private static Seen<ObligationWaived>? NamedWaiver(FamilyState state, Opened opened, List<Seen<ObligationWaived>> waivers)
    {
        var identifiers = state.Members.FirstOrDefault(member => member.Key == opened.PersonKey)?.Identifiers ?? [opened.PersonKey];
        var ids = identifiers.Append(opened.PersonKey)
            .Select(person => $"{opened.Kind}:{person}:{opened.OpenedBy.Source}/{opened.OpenedBy.EventId}")
            .ToHashSet(StringComparer.Ordinal);
        return waivers.Where(waiver => ids.Contains(waiver.Event.ObligationId)).MinBy(waiver => waiver.Event.WaivedAt);
    }

    private sealed record RuleContext(FamilyState State, LocalPolicy Policy, WorkingCalendar Calendar, List<CareRecord> Care, DateOnly Today)
    {
        public Opened Open(string kind, string personKey, EventRef by, DateOnly on, Discharge? met) =>
            new(kind, personKey, by, on, Policy.Timescales[kind].DueFrom(on, Calendar), met);

        public bool IsChildOn(string key, DateOnly day)
        {
            foreach (var member in State.Members)
            {
                if (member.Key == key)
                {
                    return FamilyProjection.IsChildOn(member, day);
                }
            }

            return false;
        }

        // Rules ask about the same days again and again: each day's involvement is worked out once.
        private readonly Dictionary<DateOnly, List<Involvement>> _involvement = [];

        public void KnowInvolvement(DateOnly day, List<Involvement> involvement) => _involvement[day] = involvement;

        public bool HasOpenInvolvement(string service, string key, DateOnly day)
        {
            if (!_involvement.TryGetValue(day, out var open))
            {
                _involvement[day] = open = OpenInvolvement(State, day);
            }

            // A loop, not Exists: a lambda capturing the parameters would allocate on every call.
            foreach (var involvement in open)
            {
                if (involvement.Service == service && involvement.PersonKey == key)
                {
                    return true;
                }
            }

            return false;
        }

        public bool Names(PersonRef person, string key) => State.KeyOf(person) == key;
    }

    /// <summary>
    /// The earliest discharge offered on or after a day, the first offered among equals. The rules
    /// offer candidates from loops over the state rather than building a sequence of them for every opener.
    /// </summary>
    private struct EarliestFrom(DateOnly from)
    {
        public Discharge? Found { get; private set; }

        public void Offer(EventRef by, DateOnly on)
        {
            if (on >= from && !(Found?.On <= on))
            {
                Found = new Discharge(by, on);
            }
        }
    }

    /// <summary>One obligation at a time per person: a new opener counts only once the last one is met.</summary>
    private static bool AlreadyOpen(List<Opened> opened, string personKey, DateOnly on)
    {
        foreach (var o in opened)
        {
            if (o.PersonKey == personKey && (o.Met is null || o.Met.On > on))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<Opened> RecordChildrenInHousehold(RuleContext rules)
    {
        var assessments = rules.State.NeedsAssessments.Values;
        foreach (var assessment in assessments)
        {
            if (assessment.End is not { Event.ChildrenInHousehold: ChildrenInHouseholdAnswer.NotRecorded } gap || rules.State.KeyOf(gap.Event.Person) is not { } adult)
            {
                continue;
            }

            var met = new EarliestFrom(gap.Event.CompletedOn);
            foreach (var other in assessments)
            {
                if (other.End is { Event.ChildrenInHousehold: not ChildrenInHouseholdAnswer.NotRecorded } recorded && rules.Names(recorded.Event.Person, adult))
                {
                    met.Offer(recorded.Ref, recorded.Event.CompletedOn);
                }
            }

            yield return rules.Open(ObligationKinds.RecordChildrenInHousehold, adult, gap.Ref, gap.Event.CompletedOn, met.Found);
        }
    }

    private static List<Opened> ReferYoungCarer(RuleContext rules)
    {
        var opened = new List<Opened>();
        var openers = rules.Care.FindAll(record => record.Caring && record.Source is CareSource.AdultAssessment or CareSource.CarePlan);
        foreach (var record in StableOrder.Sorted(openers, static (x, y) => x.On.CompareTo(y.On)))
        {
            var child = record.CarerKey;
            if (!rules.IsChildOn(child, record.On) || AlreadyOpen(opened, child, record.On)
                || rules.HasOpenInvolvement(Services.ChildrensSocialCare, child, record.On))
            {
                continue;
            }

            opened.Add(rules.Open(ObligationKinds.ReferYoungCarer, child, record.Ref, record.On, FirstChildrensContact(rules, child, record.On)));
        }

        return opened;
    }

    /// <summary>The first referral to or by children's social care about the child, or assessment of the child, on or after the day.</summary>
    private static Discharge? FirstChildrensContact(RuleContext rules, string child, DateOnly from)
    {
        var state = rules.State;
        var first = new EarliestFrom(from);
        foreach (var sent in state.ReferralsToChildrens)
        {
            if (rules.Names(sent.Event.Child, child))
            {
                first.Offer(sent.Ref, sent.Event.SentOn);
            }
        }

        foreach (var referral in state.ChildrenReferrals.Values)
        {
            if (referral.Start is { } received && rules.Names(received.Event.Child, child))
            {
                first.Offer(received.Ref, received.Event.ReceivedOn);
            }
        }

        foreach (var assessment in state.YoungCarerAssessments.Values)
        {
            if (assessment.Start is { } started && rules.Names(started.Event.Child, child))
            {
                first.Offer(started.Ref, started.Event.StartedOn);
            }

            if (assessment.End is { } completed && rules.Names(completed.Event.Child, child))
            {
                first.Offer(completed.Ref, completed.Event.CompletedOn);
            }
        }

        foreach (var assessment in state.CinAssessments.Values)
        {
            if (assessment.Start is { } started && rules.Names(started.Event.Child, child))
            {
                first.Offer(started.Ref, started.Event.StartedOn);
            }

            if (assessment.End is { } authorised && rules.Names(authorised.Event.Child, child))
            {
                first.Offer(authorised.Ref, authorised.Event.AuthorisedOn);
            }
        }

        return first.Found;
    }

    private static IEnumerable<Opened> AcknowledgeReferral(RuleContext rules)
    {
        foreach (var sent in rules.State.ReferralsToChildrens)
        {
            if (rules.State.KeyOf(sent.Event.Child) is not { } child)
            {
                continue;
            }

            // A children's referral citing the adult referral's id answers it whatever dates the two
            // systems wrote; without the link, any referral of the child received after it was sent does.
            var linked = new EarliestFrom(DateOnly.MinValue);
            var unlinked = new EarliestFrom(sent.Event.SentOn);
            foreach (var referral in rules.State.ChildrenReferrals.Values)
            {
                if (referral.Start is not { } received)
                {
                    continue;
                }

                if (received.Event.LinkedReferralId == sent.Event.ReferralId)
                {
                    linked.Offer(received.Ref, received.Event.ReceivedOn);
                }
                else if (linked.Found is null && rules.Names(received.Event.Child, child))
                {
                    unlinked.Offer(received.Ref, received.Event.ReceivedOn);
                }
            }

            yield return rules.Open(ObligationKinds.AcknowledgeReferral, child, sent.Ref, sent.Event.SentOn, linked.Found ?? unlinked.Found);
        }
    }

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;

    private static IEnumerable<Opened> DecideOnReferral(RuleContext rules)
    {
        foreach (var referral in rules.State.ChildrenReferrals.Values)
        {
            if (referral.Start is not { } received || rules.State.KeyOf(received.Event.Child) is not { } child)
            {
                continue;
            }

            var met = referral.End is { } decided ? new Discharge(decided.Ref, decided.Event.DecidedOn) : null;
            yield return rules.Open(ObligationKinds.DecideOnReferral, child, received.Ref, received.Event.ReceivedOn, met);
        }
    }

    private static List<Opened> YoungCarerAssessment(RuleContext rules)
    {
        // An assessment is how a child is assessed, not identified: it discharges, it never opens.
        // Each child's earliest identification, children in the order they were first identified.
        var firsts = new List<CareRecord>();
        foreach (var r in rules.Care)
        {
            if (!r.Caring || r.Source is CareSource.YoungCarerAssessment or CareSource.CinAssessment || !rules.IsChildOn(r.CarerKey, r.On))
            {
                continue;
            }

            var known = firsts.FindIndex(first => first.CarerKey == r.CarerKey);
            if (known < 0)
            {
                firsts.Add(r);
            }
            else if (r.On < firsts[known].On)
            {
                firsts[known] = r;
            }
        }

        var opened = new List<Opened>(firsts.Count);
        foreach (var first in firsts)
        {
            // The first assessment from the identification on; failing that, the latest before it.
            // Assessments are completed young carer assessments, and CIN assessments that found factor 7A.
            var met = new EarliestFrom(first.On);
            Discharge? latest = null;
            foreach (var assessment in rules.State.YoungCarerAssessments.Values)
            {
                if (assessment.End is { } completed && rules.Names(completed.Event.Child, first.CarerKey))
                {
                    met.Offer(completed.Ref, completed.Event.CompletedOn);
                    latest = Later(latest, completed.Ref, completed.Event.CompletedOn);
                }
            }

            foreach (var assessment in rules.State.CinAssessments.Values)
            {
                if (assessment.End is { } authorised && rules.Names(authorised.Event.Child, first.CarerKey) && TextLists.ContainsOrdinal(authorised.Event.Factors, YoungCarerFactor))
                {
                    met.Offer(authorised.Ref, authorised.Event.AuthorisedOn);
                    latest = Later(latest, authorised.Ref, authorised.Event.AuthorisedOn);
                }
            }

            opened.Add(rules.Open(ObligationKinds.YoungCarerAssessment, first.CarerKey, first.Ref, first.On, met.Found ?? latest));
        }

        return opened;
    }

    /// <summary>The later of a discharge and another; the one already found when both fall on the same day.</summary>
    private static Discharge? Later(Discharge? found, EventRef by, DateOnly on) => found?.On >= on ? found : new Discharge(by, on);

    private static List<Opened> OfferAdultAssessment(RuleContext rules)
    {
        // Identifications from outside adult social care: when adult social care itself records the
        // child's care it is already involved with the adult, and the referral rule applies instead.
        var openers = new List<(string Adult, EventRef Ref, DateOnly On)>();
        foreach (var r in rules.Care)
        {
            if (r.Caring && r.CaredForKey is { } adult && r.Source is CareSource.Partner or CareSource.ChildrenReferral or CareSource.YoungCarerAssessment
                && !rules.IsChildOn(adult, r.On) && !rules.HasOpenInvolvement(Services.AdultSocialCare, adult, r.On))
            {
                openers.Add((adult, r.Ref, r.On));
            }
        }

        foreach (var sent in rules.State.ReferralsToAdults)
        {
            if (rules.State.KeyOf(sent.Event.Adult) is { } adult)
            {
                openers.Add((adult, sent.Ref, sent.Event.SentOn));
            }
        }

        var opened = new List<Opened>();
        foreach (var (adult, by, on) in StableOrder.Sorted(openers, static (x, y) => x.On.CompareTo(y.On)))
        {
            if (AlreadyOpen(opened, adult, on))
            {
                continue;
            }

            var met = new EarliestFrom(on);
            foreach (var assessment in rules.State.NeedsAssessments.Values)
            {
                if (assessment.Start is { } started && rules.Names(started.Event.Person, adult))
                {
                    met.Offer(started.Ref, started.Event.StartedOn);
                }
            }

            opened.Add(rules.Open(ObligationKinds.OfferAdultAssessment, adult, by, on, met.Found));
        }

        return opened;
    }

    private static IEnumerable<Opened> CompleteAdultAssessment(RuleContext rules)
    {
        foreach (var assessment in rules.State.NeedsAssessments.Values)
        {
            if (assessment.Start is not { } started || rules.State.KeyOf(started.Event.Person) is not { } adult)
            {
                continue;
            }

            // A young carer known when it started, or who came to light while it ran; one recorded by
            // the completion itself is found in time, not late.
            var completedOn = assessment.End?.Event.CompletedOn;
            var youngCarerKnown = rules.Care.Exists(r => r.Caring && rules.IsChildOn(r.CarerKey, Max(r.On, started.Event.StartedOn))
                && (r.On <= started.Event.StartedOn || completedOn is null || r.On < completedOn));
            if (youngCarerKnown)
            {
                var met = assessment.End is { } end ? new Discharge(end.Ref, end.Event.CompletedOn) : null;
                yield return rules.Open(ObligationKinds.CompleteAdultAssessment, adult, started.Ref, started.Event.StartedOn, met);
            }
        }
    }

    private enum PlanStep
    {
        Relies,
        Clears,
        Ends,
    }

    // Most families have no care plan: nothing to review, and no iterator to allocate.
    private static IEnumerable<Opened> ReviewCarePlanRelyingOnChild(RuleContext rules) =>
        rules.State.CarePlans.IsEmpty ? [] : CarePlanReviewsOwed(rules);

    private static IEnumerable<Opened> CarePlanReviewsOwed(RuleContext rules)
    {
        var excessive = rules.State.YoungCarerAssessments.Values.Select(a => a.End).OfType<Seen<ChildrenYoungCarerAssessmentCompleted>>()
            .Where(e => e.Event.ExcessiveOrInappropriate).ToList();
        foreach (var plan in rules.State.CarePlans.Values)
        {
            if (plan.Agreed is not { } agreed || rules.State.KeyOf(agreed.Event.Person) is not { } adult)
            {
                continue;
            }

            var endedOn = plan.Ended?.Event.EndedOn;
            var steps = new List<(DateOnly On, PlanStep Step, EventRef Ref)>();
            if (agreed.Event.ReliesOnChildCare)
            {
                steps.Add((agreed.Event.AgreedOn, PlanStep.Relies, agreed.Ref));
            }

            steps.AddRange(plan.Reviews.Select(r => (r.Event.ReviewedOn, r.Event.ReliesOnChildCare ? PlanStep.Relies : PlanStep.Clears, r.Ref)));
            steps.AddRange(excessive
                .Where(e => e.Event.CaredFor.Any(p => rules.Names(p, adult)) && e.Event.CompletedOn >= agreed.Event.AgreedOn && !(endedOn <= e.Event.CompletedOn))
                .Select(e => (e.Event.CompletedOn, PlanStep.Relies, e.Ref)));
            if (plan.Ended is { } ended)
            {
                steps.Add((ended.Event.EndedOn, PlanStep.Ends, ended.Ref));
            }

            (EventRef Ref, DateOnly On)? open = null;
            foreach (var (on, step, by) in steps.OrderBy(s => s.On).ThenBy(s => s.Step))
            {
                if (step == PlanStep.Relies)
                {
                    open ??= (by, on);
                    continue;
                }

                if (open is { } pending)
                {
                    yield return rules.Open(ObligationKinds.ReviewCarePlanRelyingOnChild, adult, pending.Ref, pending.On, new(by, on));
                    open = null;
                }

                if (step == PlanStep.Ends)
                {
                    break;
                }
            }

            if (open is { } unmet)
            {
                yield return rules.Open(ObligationKinds.ReviewCarePlanRelyingOnChild, adult, unmet.Ref, unmet.On, null);
            }
        }
    }

    private static IEnumerable<Opened> TransitionAssessment(RuleContext rules)
    {
        foreach (var member in rules.State.Members)
        {
            if (member.BirthDate is not { } born)
            {
                continue;
            }

            // Most members never cared for anyone as a child: they are passed over before anything is allocated.
            var eighteen = Ages.Reaches(born, 18 * 12);
            DateOnly? firstCaring = null;
            foreach (var r in rules.Care)
            {
                if (r.Caring && r.CarerKey == member.Key && r.On < eighteen && (firstCaring is null || r.On < firstCaring))
                {
                    firstCaring = r.On;
                }
            }

            if (firstCaring is not { } first)
            {
                continue;
            }

            var opensOn = Max(Ages.Reaches(born, rules.Policy.TransitionStartsAtMonths), first);
            if (opensOn > rules.Today)
            {
                continue;
            }

            if (TransitionOpened(rules, member.Key, eighteen, opensOn) is { } opened)
            {
                yield return opened;
            }
        }
    }

    // Apart from the loop above: the lambdas here capture the member, and a closure is allocated on
    // entering the scope that declares what it captures, so in the loop it would be for every member.
    private static Opened? TransitionOpened(RuleContext rules, string memberKey, DateOnly eighteen, DateOnly opensOn)
    {
        var records = rules.Care.FindAll(r => r.CarerKey == memberKey && r.On < eighteen && r.On <= opensOn);
        if (!IsStillCaring(records, memberKey))
        {
            return null;
        }

        var latest = records.Where(r => r.Caring).MaxBy(r => r.On)!;
        var met = rules.State.TransitionAssessments.Where(t => rules.Names(t.Event.YoungCarer, memberKey))
            .OrderBy(t => t.Event.CompletedOn).Select(t => new Discharge(t.Ref, t.Event.CompletedOn)).FirstOrDefault();
        return new(ObligationKinds.TransitionAssessment, memberKey, latest.Ref, opensOn, eighteen.AddDays(-1), met);
    }

    // Most families have no plan ended and no case closed: nothing to review, and no iterator to allocate.
    private static IEnumerable<Opened> ReviewYoungCarerAssessment(RuleContext rules) =>
        rules.State.AdultClosures.IsEmpty && !rules.State.CarePlans.Values.Any(plan => plan.Ended is not null) ? [] : YoungCarerReviewsOwed(rules);

    private static IEnumerable<Opened> YoungCarerReviewsOwed(RuleContext rules)
    {
        var changes = rules.State.CarePlans.Values.Select(p => p.Ended).OfType<Seen<AdultCarePlanEnded>>()
            .Select(e => (Adult: e.Event.Person, e.Ref, On: e.Event.EndedOn))
            .Concat(rules.State.AdultClosures.Select(c => (Adult: c.Event.Person, c.Ref, On: c.Event.ClosedOn)))
            .OrderBy(c => c.On);
        var completed = rules.State.YoungCarerAssessments.Values.Select(a => a.End).OfType<Seen<ChildrenYoungCarerAssessmentCompleted>>().ToList();
        var reviewed = new HashSet<EventRef>();
        foreach (var (adultRef, by, on) in changes)
        {
            if (rules.State.KeyOf(adultRef) is not { } adult)
            {
                continue;
            }

            var inForce = completed.Where(c => c.Event.CompletedOn <= on)
                .GroupBy(c => rules.State.KeyOf(c.Event.Child))
                .Select(child => child.OrderBy(c => c.Event.CompletedOn).Last())
                .Where(c => c.Event.CaredFor.Any(p => rules.Names(p, adult)));
            foreach (var assessment in inForce)
            {
                if (rules.State.KeyOf(assessment.Event.Child) is not { } child || !reviewed.Add(assessment.Ref))
                {
                    continue;
                }

                var met = new EarliestFrom(on);
                foreach (var other in completed)
                {
                    if (other != assessment && rules.Names(other.Event.Child, child))
                    {
                        met.Offer(other.Ref, other.Event.CompletedOn);
                    }
                }

                yield return rules.Open(ObligationKinds.ReviewYoungCarerAssessment, child, by, on, met.Found);
            }
        }
    }
}
