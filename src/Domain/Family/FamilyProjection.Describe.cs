using YoungCarers.Domain.Contract;

namespace YoungCarers.Domain.Family;

/// <summary>Where a record of a child's caring came from; rules differ by who recorded it.</summary>
internal enum CareSource
{
    AdultReferral,
    AdultAssessment,
    CarePlan,
    CarersAssessment,
    ReferralToChildrens,
    ChildrenReferral,
    YoungCarerAssessment,
    CinAssessment,
    Partner,
}

/// <summary>One record that a person cares (or, where <paramref name="Caring"/> is false, no longer cares) for someone.</summary>
internal sealed record CareRecord(string CarerKey, string? CaredForKey, DateOnly On, bool Caring, CareSource Source, EventRef Ref);

public static partial class FamilyProjection
{
    private const string YoungCarerFactor = "7A";
    private const string YoungCarerReason = "young-carer";

    public static FamilyView Describe(FamilyState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return DescribeAt(new At(state, now, null));
    }

    private static FamilyView DescribeAt(At at)
    {
        var (state, today, care) = (at.State, at.Today, at.CareToday);
        var members = state.Members.Select(member => View(state, member, care, today)).ToList();
        return new(
            members,
            at.Involvement,
            LeadProfessionalOn(state, today),
            state.AbsorbedInto?.Event.SurvivorFamilyId,
            [.. state.Merges.Select(merge => merge.Event.AbsorbedFamilyId)]);
    }

    private static MemberView View(FamilyState state, FamilyMember member, List<CareRecord> care, DateOnly today)
    {
        int? age = member.BirthDate is { } born ? Ages.YearsOn(born, today) : null;
        var caresFor = new List<string>();
        var caring = false;
        foreach (var record in care)
        {
            if (record.CarerKey == member.Key && record.Caring)
            {
                caring = true;
                if (record.CaredForKey is { } caredFor && !caresFor.Contains(caredFor))
                {
                    caresFor.Add(caredFor);
                }
            }
        }

        var roles = new List<FamilyRole>();
        if (IsAdultWithCareNeeds(state, member, care, today))
        {
            roles.Add(FamilyRole.AdultWithCareNeeds);
        }

        if (IsChildOn(member, today))
        {
            roles.Add(FamilyRole.Child);
            if (IsStillCaring(care, member.Key))
            {
                roles.Add(FamilyRole.YoungCarer);
            }
        }
        else if (age is >= 18 and <= 24 && caring)
        {
            roles.Add(FamilyRole.YoungAdultCarer);
        }

        return new(member, age, roles, caresFor);
    }

    /// <summary>
    /// Whether the latest word on a person, among the records given, is that they care: a later
    /// assessment recording that a child no longer provides care ends their being a young carer.
    /// </summary>
    /// <remarks>
    /// The latest record by date decides; on one date a record that they care outranks one that
    /// they do not. A plain scan: rules ask this for every member, often several times.
    /// </remarks>
    internal static bool IsStillCaring(List<CareRecord> care, string key)
    {
        DateOnly? latest = null;
        var caring = false;
        foreach (var record in care)
        {
            if (record.CarerKey != key)
            {
                continue;
            }

            if (latest is not { } day || record.On > day)
            {
                (latest, caring) = (record.On, record.Caring);
            }
            else if (record.On == day)
            {
                caring |= record.Caring;
            }
        }

        return caring;
    }

    /// <summary>A child on a day: under 18, or, with no birth date known, named in a child's place.</summary>
    private static bool IsChildOn(FamilyMember member, DateOnly day) =>
        member.BirthDate is { } born ? Ages.YearsOn(born, day) < 18 : member.NamedAsChild;

    private static bool IsAdultWithCareNeeds(FamilyState state, FamilyMember member, List<CareRecord> care, DateOnly today)
    {
        if (IsChildOn(member, today))
        {
            return false;
        }

        // Plain loops: this runs for every member, and each LINQ query over a sorted dictionary's
        // values allocates its iterators.
        foreach (var record in care)
        {
            if (record.Caring && record.CaredForKey == member.Key)
            {
                return true;
            }
        }

        foreach (var (_, referral) in state.AdultReferrals)
        {
            if (member.IsNamedBy(referral.Event.Person))
            {
                return true;
            }
        }

        foreach (var (_, assessment) in state.NeedsAssessments)
        {
            if ((assessment.Start?.Event.Person ?? assessment.End?.Event.Person) is { } person && member.IsNamedBy(person))
            {
                return true;
            }
        }

        foreach (var (_, plan) in state.CarePlans)
        {
            if (plan.Agreed is { } agreed && member.IsNamedBy(agreed.Event.Person))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Every record of someone caring, from any source, by member key. An adult assessment recording
    /// that a child does not provide care is the only record that someone stopped.
    /// </summary>
    internal static List<CareRecord> CareRecords(FamilyState state)
    {
        var records = new List<CareRecord>();
        void Add(PersonRef carer, PersonRef? caredFor, DateOnly on, bool caring, CareSource source, EventRef at)
        {
            if (state.KeyOf(carer) is { } carerKey)
            {
                records.Add(new(carerKey, caredFor is null ? null : state.KeyOf(caredFor), on, caring, source, at));
            }
        }

        foreach (var referral in state.AdultReferrals.Values)
        {
            var e = referral.Event;
            for (var i = 0; i < e.HouseholdChildren.Count; i++)
            {
                if (e.HouseholdChildren[i] is { ProvidesCare: CareProvision.Yes } household)
                {
                    Add(household.Child, e.Person, e.ReceivedOn, caring: true, CareSource.AdultReferral, referral.Ref);
                }
            }
        }

        foreach (var assessment in state.NeedsAssessments.Values)
        {
            if (assessment.End is not { } completed)
            {
                continue;
            }

            for (var i = 0; i < completed.Event.Children.Count; i++)
            {
                if (completed.Event.Children[i] is { ProvidesCare: not CareProvision.Unknown } household)
                {
                    Add(household.Child, completed.Event.Person, completed.Event.CompletedOn, household.ProvidesCare == CareProvision.Yes, CareSource.AdultAssessment, completed.Ref);
                }
            }
        }

        foreach (var plan in state.CarePlans.Values)
        {
            if (plan.Agreed is { } agreed)
            {
                for (var i = 0; i < agreed.Event.ChildCarers.Count; i++)
                {
                    Add(agreed.Event.ChildCarers[i], agreed.Event.Person, agreed.Event.AgreedOn, caring: true, CareSource.CarePlan, agreed.Ref);
                }
            }

            foreach (var review in plan.Reviews)
            {
                for (var i = 0; i < review.Event.ChildCarers.Count; i++)
                {
                    Add(review.Event.ChildCarers[i], review.Event.Person, review.Event.ReviewedOn, caring: true, CareSource.CarePlan, review.Ref);
                }
            }
        }

        foreach (var carers in state.CarersAssessments)
        {
            Add(carers.Event.Carer, carers.Event.CaredFor, carers.Event.CompletedOn, caring: true, CareSource.CarersAssessment, carers.Ref);
        }

        foreach (var sent in state.ReferralsToChildrens)
        {
            if (sent.Event.Reason == ReferralToChildrensReason.YoungCarer)
            {
                Add(sent.Event.Child, sent.Event.Adult, sent.Event.SentOn, caring: true, CareSource.ReferralToChildrens, sent.Ref);
            }
        }

        foreach (var referral in state.ChildrenReferrals.Values)
        {
            if (referral.Start is { } received && TextLists.ContainsOrdinal(received.Event.Reasons, YoungCarerReason))
            {
                AddForEach(received.Event.Child, received.Event.CaredFor, received.Event.ReceivedOn, CareSource.ChildrenReferral, received.Ref);
            }
        }

        foreach (var assessment in state.YoungCarerAssessments.Values)
        {
            if (assessment.End is { } completed)
            {
                AddForEach(completed.Event.Child, completed.Event.CaredFor, completed.Event.CompletedOn, CareSource.YoungCarerAssessment, completed.Ref);
            }
        }

        foreach (var assessment in state.CinAssessments.Values)
        {
            if (assessment.End is { } completed && TextLists.ContainsOrdinal(completed.Event.Factors, YoungCarerFactor))
            {
                Add(completed.Event.Child, null, completed.Event.AuthorisedOn, caring: true, CareSource.CinAssessment, completed.Ref);
            }
        }

        foreach (var partner in state.PartnerIdentifications)
        {
            AddForEach(partner.Event.Child, partner.Event.CaredFor, partner.Event.IdentifiedOn, CareSource.Partner, partner.Ref);
        }

        return records;

        void AddForEach(PersonRef carer, IReadOnlyList<PersonRef> caredFor, DateOnly on, CareSource source, EventRef at)
        {
            if (caredFor.Count == 0)
            {
                Add(carer, null, on, caring: true, source, at);
            }

            for (var i = 0; i < caredFor.Count; i++)
            {
                Add(carer, caredFor[i], on, caring: true, source, at);
            }
        }
    }

    /// <summary>
    /// Each service's open involvement on a day (SPEC section 5): started by then, not ended by then,
    /// and not ended by that service closing its case for the person on or after it began.
    /// </summary>
    internal static List<Involvement> OpenInvolvement(FamilyState state, DateOnly day)
    {
        var open = new List<Involvement>();
        void Add(string service, PersonRef person, InvolvementKind kind, string id, DateOnly since, DateOnly? endedOn, EventRef at)
        {
            if (since > day || endedOn <= day || state.KeyOf(person) is not { } key || ClosedSince(state, service, key, since, day))
            {
                return;
            }

            open.Add(new(service, key, kind, id, since, at));
        }

        const string Adult = Services.AdultSocialCare;
        const string Children = Services.ChildrensSocialCare;
        foreach (var (id, referral) in state.AdultReferrals)
        {
            // Adult social care records no decision on a referral: an assessment starting is how it moves on.
            var personKey = state.KeyOf(referral.Event.Person);
            DateOnly? assessedOn = null;
            foreach (var assessment in state.NeedsAssessments.Values)
            {
                if (assessment.Start?.Event is { } started && started.StartedOn >= referral.Event.ReceivedOn
                    && !(assessedOn <= started.StartedOn) && state.KeyOf(started.Person) == personKey)
                {
                    assessedOn = started.StartedOn;
                }
            }

            Add(Adult, referral.Event.Person, InvolvementKind.Referral, id, referral.Event.ReceivedOn, assessedOn, referral.Ref);
        }

        foreach (var (id, assessment) in state.NeedsAssessments)
        {
            if (assessment.Start is { } started)
            {
                Add(Adult, started.Event.Person, InvolvementKind.Assessment, id, started.Event.StartedOn, assessment.End?.Event.CompletedOn, started.Ref);
            }

            if (assessment.End is { Event.Eligible: true } completed)
            {
                Add(Adult, completed.Event.Person, InvolvementKind.Support, id, completed.Event.CompletedOn, null, completed.Ref);
            }
        }

        foreach (var carers in state.CarersAssessments)
        {
            if (!carers.Event.Eligible)
            {
                continue;
            }

            Add(Adult, carers.Event.Carer, InvolvementKind.Support, carers.Event.AssessmentId, carers.Event.CompletedOn, null, carers.Ref);
        }

        foreach (var (id, plan) in state.CarePlans)
        {
            if (plan.Agreed is { } agreed)
            {
                Add(Adult, agreed.Event.Person, InvolvementKind.Plan, id, agreed.Event.AgreedOn, plan.Ended?.Event.EndedOn, agreed.Ref);
            }
        }

        foreach (var (id, enquiry) in state.SafeguardingEnquiries)
        {
            if (enquiry.Start is { } started)
            {
                Add(Adult, started.Event.Person, InvolvementKind.Enquiry, id, started.Event.StartedOn, enquiry.End?.Event.ConcludedOn, started.Ref);
            }
        }

        foreach (var (id, referral) in state.ChildrenReferrals)
        {
            if (referral.Start is { } received)
            {
                var declinedOn = referral.End is { } decided && IsDecline(decided.Event.Decision) ? decided.Event.DecidedOn : (DateOnly?)null;
                Add(Children, received.Event.Child, InvolvementKind.Referral, id, received.Event.ReceivedOn, declinedOn, received.Ref);
            }
        }

        foreach (var (id, assessment) in state.YoungCarerAssessments)
        {
            if (assessment.Start is { } started)
            {
                Add(Children, started.Event.Child, InvolvementKind.Assessment, id, started.Event.StartedOn, assessment.End?.Event.CompletedOn, started.Ref);
            }

            if (assessment.End is { Event.SupportPlanned: true } completed)
            {
                Add(Children, completed.Event.Child, InvolvementKind.Support, id, completed.Event.CompletedOn, null, completed.Ref);
            }
        }

        foreach (var (id, assessment) in state.CinAssessments)
        {
            if (assessment.Start is { } started)
            {
                Add(Children, started.Event.Child, InvolvementKind.Assessment, id, started.Event.StartedOn, assessment.End?.Event.AuthorisedOn, started.Ref);
            }
        }

        foreach (var (id, plan) in state.CinPlans)
        {
            if (plan.Start is { } started)
            {
                Add(Children, started.Event.Child, InvolvementKind.Plan, id, started.Event.StartedOn, plan.End?.Event.EndedOn, started.Ref);
            }
        }

        foreach (var enquiry in state.Section47Enquiries)
        {
            Add(Children, enquiry.Event.Child, InvolvementKind.Enquiry, enquiry.Event.EnquiryId, enquiry.Event.StartedOn, null, enquiry.Ref);
        }

        return open;
    }

    /// <summary>No further action, or sent elsewhere: either way children's social care stays out.</summary>
    private static bool IsDecline(ChildrenReferralDecision decision) =>
        decision is ChildrenReferralDecision.NoFurtherAction or ChildrenReferralDecision.Signposted;

    private static bool ClosedSince(FamilyState state, string service, string key, DateOnly since, DateOnly day)
    {
        if (service == Services.AdultSocialCare)
        {
            foreach (var closure in state.AdultClosures)
            {
                if (closure.Event.ClosedOn >= since && closure.Event.ClosedOn <= day && state.KeyOf(closure.Event.Person) == key)
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var closure in state.ChildrenClosures)
        {
            if (closure.Event.ClosedOn >= since && closure.Event.ClosedOn <= day && state.KeyOf(closure.Event.Child) == key)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The lead professional of the most recently started plan still active on the day.</summary>
    private static LeadProfessional? LeadProfessionalOn(FamilyState state, DateOnly day)
    {
        // Adult plans before children's plans among those started the same day.
        (DateOnly On, LeadProfessional Lead)? latest = null;
        foreach (var plan in state.CarePlans.Values)
        {
            if (plan.Agreed is { Event.LeadProfessional: { } lead } agreed && agreed.Event.AgreedOn <= day && !(plan.Ended?.Event.EndedOn <= day)
                && !(latest?.On >= agreed.Event.AgreedOn))
            {
                latest = (agreed.Event.AgreedOn, lead);
            }
        }

        foreach (var plan in state.CinPlans.Values)
        {
            if (plan.Start is { Event.LeadProfessional: { } lead } started && started.Event.StartedOn <= day && !(plan.End?.Event.EndedOn <= day)
                && !(latest?.On >= started.Event.StartedOn))
            {
                latest = (started.Event.StartedOn, lead);
            }
        }

        return latest?.Lead;
    }
}
