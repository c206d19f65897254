using System.Text.Json;

namespace YoungCarers.Domain.Contract.Stored;

/// <summary>
/// Reads each stored event type's JSON into its record by hand. The generated serializer builds a
/// record through its constructor by caching every argument (boxed, for the larger records) on a
/// read stack, and compiles a converter per type; replaying the store reads a million events, so
/// the service reads them here instead. The JSON is the generated serializer's own (it still writes
/// it), and a test reads generated families both ways.
/// </summary>
internal static class StoredEventReaders
{
    private static readonly StoredFields ReferralReceivedFields = Event(AdultReferralReceived.TypeName, "referralId", "person", "receivedOn", "reason", "householdChildren");
    private static readonly StoredFields NeedsAssessmentCompletedFields = Event(
        AdultNeedsAssessmentCompleted.TypeName, "assessmentId", "person", "completedOn", "eligible", "childrenInHousehold", "parentingResponsibilitiesConsidered", "children");
    private static readonly StoredFields CarersAssessmentCompletedFields = Event(AdultCarersAssessmentCompleted.TypeName, "assessmentId", "carer", "caredFor", "completedOn", "eligible");
    private static readonly StoredFields TransitionAssessmentCompletedFields = Event(
        AdultTransitionAssessmentCompleted.TypeName, "assessmentId", "youngCarer", "completedOn", "likelyEligibleAfter18");
    private static readonly StoredFields CarePlanAgreedFields = Event(
        AdultCarePlanAgreed.TypeName, "planId", "person", "agreedOn", "reliesOnChildCare", "reviewDueOn", "leadProfessional", "childCarers");
    private static readonly StoredFields CarePlanReviewedFields = Event(AdultCarePlanReviewed.TypeName, "planId", "person", "reviewedOn", "reliesOnChildCare", "childCarers");
    private static readonly StoredFields CarePlanEndedFields = Event(AdultCarePlanEnded.TypeName, "planId", "person", "endedOn", "reason");
    private static readonly StoredFields AdultCaseClosedFields = Event(AdultCaseClosed.TypeName, "person", "closedOn", "reason");
    private static readonly StoredFields ChildrenReferralReceivedFields = Event(
        ChildrenReferralReceived.TypeName, "referralId", "child", "receivedOn", "referralSource", "linkedReferralId", "reasons", "caredFor");
    private static readonly StoredFields ReferralDecidedFields = Event(ChildrenReferralDecided.TypeName, "referralId", "child", "decidedOn", "decision");
    private static readonly StoredFields YoungCarerAssessmentCompletedFields = Event(
        ChildrenYoungCarerAssessmentCompleted.TypeName, "assessmentId", "child", "completedOn", "caringAppropriate", "excessiveOrInappropriate", "supportPlanned", "caredFor", "impacts");
    private static readonly StoredFields CinAssessmentCompletedFields = Event(ChildrenCinAssessmentCompleted.TypeName, "assessmentId", "child", "authorisedOn", "factors");
    private static readonly StoredFields CinPlanStartedFields = Event(ChildrenCinPlanStarted.TypeName, "planId", "child", "startedOn", "leadProfessional");
    private static readonly StoredFields ChildrenCaseClosedFields = Event(ChildrenCaseClosed.TypeName, "child", "closedOn", "reasonCode");
    private static readonly StoredFields PartnerIdentifiedFields = Event(PartnerYoungCarerIdentified.TypeName, "child", "identifiedOn", "identifiedBy", "caredFor");
    private static readonly StoredFields ChildInHouseholdFields = new("child in a household", "child", "providesCare", "hoursPerWeek", "caringTasks");
    private static readonly StoredFields LeadProfessionalFields = new("lead professional", "name", "team", "service");

    public static AdultReferralReceived ReadAdultReferralReceived(ref Utf8JsonReader reader)
    {
        var f = ReferralReceivedFields;
        string? referralId = null, reason = null;
        PersonRef? person = null;
        DateOnly receivedOn = default;
        IReadOnlyList<ChildInHousehold>? children = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: referralId = f.Text(ref reader, field); break;
                case 1: person = f.Person(ref reader, field); break;
                case 2: receivedOn = f.Date(ref reader, field); break;
                case 3: reason = f.OptionalText(ref reader, field); break;
                default: children = f.Objects(ref reader, field, ReadChildInHousehold); break;
            }
        }

        f.End(present);
        return new(referralId!, person!, receivedOn, reason, children!);
    }

    public static StoredReader<AdultNeedsAssessmentStarted> ReadAdultNeedsAssessmentStarted { get; } =
        IdPersonDate<AdultNeedsAssessmentStarted>(AdultNeedsAssessmentStarted.TypeName, "assessmentId", "person", "startedOn", (id, person, on) => new(id, person, on));

    public static AdultNeedsAssessmentCompleted ReadAdultNeedsAssessmentCompleted(ref Utf8JsonReader reader)
    {
        var f = NeedsAssessmentCompletedFields;
        string? assessmentId = null;
        PersonRef? person = null;
        DateOnly completedOn = default;
        bool eligible = false, parenting = false;
        ChildrenInHouseholdAnswer answer = default;
        IReadOnlyList<ChildInHousehold>? children = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: assessmentId = f.Text(ref reader, field); break;
                case 1: person = f.Person(ref reader, field); break;
                case 2: completedOn = f.Date(ref reader, field); break;
                case 3: eligible = f.Bool(ref reader, field); break;
                case 4: answer = f.Enum<ChildrenInHouseholdAnswer>(ref reader, field); break;
                case 5: parenting = f.Bool(ref reader, field); break;
                default: children = f.Objects(ref reader, field, ReadChildInHousehold); break;
            }
        }

        f.End(present);
        return new(assessmentId!, person!, completedOn, eligible, answer, children!, parenting);
    }

    public static AdultCarersAssessmentCompleted ReadAdultCarersAssessmentCompleted(ref Utf8JsonReader reader)
    {
        var f = CarersAssessmentCompletedFields;
        string? assessmentId = null;
        PersonRef? carer = null, caredFor = null;
        DateOnly completedOn = default;
        var eligible = false;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: assessmentId = f.Text(ref reader, field); break;
                case 1: carer = f.Person(ref reader, field); break;
                case 2: caredFor = f.Person(ref reader, field); break;
                case 3: completedOn = f.Date(ref reader, field); break;
                default: eligible = f.Bool(ref reader, field); break;
            }
        }

        f.End(present);
        return new(assessmentId!, carer!, caredFor!, completedOn, eligible);
    }

    public static StoredReader<AdultTransitionAssessmentOffered> ReadAdultTransitionAssessmentOffered { get; } =
        IdPersonDate<AdultTransitionAssessmentOffered>(AdultTransitionAssessmentOffered.TypeName, "assessmentId", "youngCarer", "offeredOn", (id, person, on) => new(id, person, on));

    public static AdultTransitionAssessmentCompleted ReadAdultTransitionAssessmentCompleted(ref Utf8JsonReader reader)
    {
        var f = TransitionAssessmentCompletedFields;
        string? assessmentId = null;
        PersonRef? youngCarer = null;
        DateOnly completedOn = default;
        var likelyEligible = false;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: assessmentId = f.Text(ref reader, field); break;
                case 1: youngCarer = f.Person(ref reader, field); break;
                case 2: completedOn = f.Date(ref reader, field); break;
                default: likelyEligible = f.Bool(ref reader, field); break;
            }
        }

        f.End(present);
        return new(assessmentId!, youngCarer!, completedOn, likelyEligible);
    }

    public static AdultCarePlanAgreed ReadAdultCarePlanAgreed(ref Utf8JsonReader reader)
    {
        var f = CarePlanAgreedFields;
        string? planId = null;
        PersonRef? person = null;
        DateOnly agreedOn = default;
        DateOnly? reviewDueOn = null;
        var relies = false;
        LeadProfessional? lead = null;
        IReadOnlyList<PersonRef>? childCarers = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: planId = f.Text(ref reader, field); break;
                case 1: person = f.Person(ref reader, field); break;
                case 2: agreedOn = f.Date(ref reader, field); break;
                case 3: relies = f.Bool(ref reader, field); break;
                case 4: reviewDueOn = f.OptionalDate(ref reader, field); break;
                case 5: lead = OptionalLeadProfessional(ref reader); break;
                default: childCarers = f.Persons(ref reader, field); break;
            }
        }

        f.End(present);
        return new(planId!, person!, agreedOn, relies, childCarers!, reviewDueOn, lead);
    }

    public static AdultCarePlanReviewed ReadAdultCarePlanReviewed(ref Utf8JsonReader reader)
    {
        var f = CarePlanReviewedFields;
        string? planId = null;
        PersonRef? person = null;
        DateOnly reviewedOn = default;
        var relies = false;
        IReadOnlyList<PersonRef>? childCarers = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: planId = f.Text(ref reader, field); break;
                case 1: person = f.Person(ref reader, field); break;
                case 2: reviewedOn = f.Date(ref reader, field); break;
                case 3: relies = f.Bool(ref reader, field); break;
                default: childCarers = f.Persons(ref reader, field); break;
            }
        }

        f.End(present);
        return new(planId!, person!, reviewedOn, relies, childCarers!);
    }

    public static AdultCarePlanEnded ReadAdultCarePlanEnded(ref Utf8JsonReader reader)
    {
        var f = CarePlanEndedFields;
        string? planId = null, reason = null;
        PersonRef? person = null;
        DateOnly endedOn = default;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: planId = f.Text(ref reader, field); break;
                case 1: person = f.Person(ref reader, field); break;
                case 2: endedOn = f.Date(ref reader, field); break;
                default: reason = f.Text(ref reader, field); break;
            }
        }

        f.End(present);
        return new(planId!, person!, endedOn, reason!);
    }

    public static StoredReader<AdultReferralToChildrensSent> ReadAdultReferralToChildrensSent { get; } =
        ReferralSent<AdultReferralToChildrensSent, ReferralToChildrensReason>(
            AdultReferralToChildrensSent.TypeName, "child", "adult", (id, child, adult, on, reason) => new(id, child, adult, on, reason));

    public static StoredReader<AdultSafeguardingEnquiryStarted> ReadAdultSafeguardingEnquiryStarted { get; } =
        IdPersonDate<AdultSafeguardingEnquiryStarted>(AdultSafeguardingEnquiryStarted.TypeName, "enquiryId", "person", "startedOn", (id, person, on) => new(id, person, on));

    public static StoredReader<AdultSafeguardingEnquiryConcluded> ReadAdultSafeguardingEnquiryConcluded { get; } =
        IdPersonDate<AdultSafeguardingEnquiryConcluded>(AdultSafeguardingEnquiryConcluded.TypeName, "enquiryId", "person", "concludedOn", (id, person, on) => new(id, person, on));

    public static AdultCaseClosed ReadAdultCaseClosed(ref Utf8JsonReader reader)
    {
        var (person, closedOn, reason) = PersonDateText(ref reader, AdultCaseClosedFields);
        return new(person, closedOn, reason);
    }

    public static ChildrenReferralReceived ReadChildrenReferralReceived(ref Utf8JsonReader reader)
    {
        var f = ChildrenReferralReceivedFields;
        string? referralId = null, referralSource = null, linkedReferralId = null;
        PersonRef? child = null;
        DateOnly receivedOn = default;
        IReadOnlyList<string>? reasons = null;
        IReadOnlyList<PersonRef>? caredFor = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: referralId = f.Text(ref reader, field); break;
                case 1: child = f.Person(ref reader, field); break;
                case 2: receivedOn = f.Date(ref reader, field); break;
                case 3: referralSource = f.Text(ref reader, field); break;
                case 4: linkedReferralId = f.OptionalText(ref reader, field); break;
                case 5: reasons = f.Texts(ref reader, field); break;
                default: caredFor = f.Persons(ref reader, field); break;
            }
        }

        f.End(present);
        return new(referralId!, child!, receivedOn, referralSource!, reasons!, caredFor!, linkedReferralId);
    }

    public static ChildrenReferralDecided ReadChildrenReferralDecided(ref Utf8JsonReader reader)
    {
        var f = ReferralDecidedFields;
        string? referralId = null;
        PersonRef? child = null;
        DateOnly decidedOn = default;
        ChildrenReferralDecision decision = default;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: referralId = f.Text(ref reader, field); break;
                case 1: child = f.Person(ref reader, field); break;
                case 2: decidedOn = f.Date(ref reader, field); break;
                default: decision = f.Enum<ChildrenReferralDecision>(ref reader, field); break;
            }
        }

        f.End(present);
        return new(referralId!, child!, decidedOn, decision);
    }

    public static StoredReader<ChildrenYoungCarerAssessmentStarted> ReadChildrenYoungCarerAssessmentStarted { get; } =
        IdPersonDate<ChildrenYoungCarerAssessmentStarted>(ChildrenYoungCarerAssessmentStarted.TypeName, "assessmentId", "child", "startedOn", (id, person, on) => new(id, person, on));

    public static ChildrenYoungCarerAssessmentCompleted ReadChildrenYoungCarerAssessmentCompleted(ref Utf8JsonReader reader)
    {
        var f = YoungCarerAssessmentCompletedFields;
        string? assessmentId = null;
        PersonRef? child = null;
        DateOnly completedOn = default;
        bool appropriate = false, excessive = false, supportPlanned = false;
        IReadOnlyList<PersonRef>? caredFor = null;
        IReadOnlyList<string>? impacts = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: assessmentId = f.Text(ref reader, field); break;
                case 1: child = f.Person(ref reader, field); break;
                case 2: completedOn = f.Date(ref reader, field); break;
                case 3: appropriate = f.Bool(ref reader, field); break;
                case 4: excessive = f.Bool(ref reader, field); break;
                case 5: supportPlanned = f.Bool(ref reader, field); break;
                case 6: caredFor = f.Persons(ref reader, field); break;
                default: impacts = f.Texts(ref reader, field); break;
            }
        }

        f.End(present);
        return new(assessmentId!, child!, completedOn, caredFor!, appropriate, excessive, impacts!, supportPlanned);
    }

    public static StoredReader<ChildrenCinAssessmentStarted> ReadChildrenCinAssessmentStarted { get; } =
        IdPersonDate<ChildrenCinAssessmentStarted>(ChildrenCinAssessmentStarted.TypeName, "assessmentId", "child", "startedOn", (id, person, on) => new(id, person, on));

    public static ChildrenCinAssessmentCompleted ReadChildrenCinAssessmentCompleted(ref Utf8JsonReader reader)
    {
        var f = CinAssessmentCompletedFields;
        string? assessmentId = null;
        PersonRef? child = null;
        DateOnly authorisedOn = default;
        IReadOnlyList<string>? factors = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: assessmentId = f.Text(ref reader, field); break;
                case 1: child = f.Person(ref reader, field); break;
                case 2: authorisedOn = f.Date(ref reader, field); break;
                default: factors = f.Texts(ref reader, field); break;
            }
        }

        f.End(present);
        return new(assessmentId!, child!, authorisedOn, factors!);
    }

    public static ChildrenCinPlanStarted ReadChildrenCinPlanStarted(ref Utf8JsonReader reader)
    {
        var f = CinPlanStartedFields;
        string? planId = null;
        PersonRef? child = null;
        DateOnly startedOn = default;
        LeadProfessional? lead = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: planId = f.Text(ref reader, field); break;
                case 1: child = f.Person(ref reader, field); break;
                case 2: startedOn = f.Date(ref reader, field); break;
                default: lead = OptionalLeadProfessional(ref reader); break;
            }
        }

        f.End(present);
        return new(planId!, child!, startedOn, lead);
    }

    public static StoredReader<ChildrenCinPlanEnded> ReadChildrenCinPlanEnded { get; } =
        IdPersonDate<ChildrenCinPlanEnded>(ChildrenCinPlanEnded.TypeName, "planId", "child", "endedOn", (id, person, on) => new(id, person, on));

    public static StoredReader<ChildrenSection47Started> ReadChildrenSection47Started { get; } =
        IdPersonDate<ChildrenSection47Started>(ChildrenSection47Started.TypeName, "enquiryId", "child", "startedOn", (id, person, on) => new(id, person, on));

    public static StoredReader<ChildrenReferralToAdultsSent> ReadChildrenReferralToAdultsSent { get; } =
        ReferralSent<ChildrenReferralToAdultsSent, ReferralToAdultsReason>(
            ChildrenReferralToAdultsSent.TypeName, "adult", "child", (id, adult, child, on, reason) => new(id, adult, child, on, reason));

    public static ChildrenCaseClosed ReadChildrenCaseClosed(ref Utf8JsonReader reader)
    {
        var (child, closedOn, reasonCode) = PersonDateText(ref reader, ChildrenCaseClosedFields);
        return new(child, closedOn, reasonCode);
    }

    public static PartnerYoungCarerIdentified ReadPartnerYoungCarerIdentified(ref Utf8JsonReader reader)
    {
        var f = PartnerIdentifiedFields;
        PersonRef? child = null;
        DateOnly identifiedOn = default;
        YoungCarerIdentifiedBy identifiedBy = default;
        IReadOnlyList<PersonRef>? caredFor = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: child = f.Person(ref reader, field); break;
                case 1: identifiedOn = f.Date(ref reader, field); break;
                case 2: identifiedBy = f.Enum<YoungCarerIdentifiedBy>(ref reader, field); break;
                default: caredFor = f.Persons(ref reader, field); break;
            }
        }

        f.End(present);
        return new(child!, caredFor!, identifiedOn, identifiedBy);
    }

    private static StoredFields Event(string type, params string[] names) => new($"{type} event", names);

    /// <summary>The shape eight types share: an id, the person it is about, and a date.</summary>
    private static StoredReader<TEvent> IdPersonDate<TEvent>(string type, string idName, string personName, string dateName, Func<string, PersonRef, DateOnly, TEvent> create)
    {
        var f = Event(type, idName, personName, dateName);
        return (ref reader) =>
        {
            string? id = null;
            PersonRef? person = null;
            DateOnly on = default;
            var present = f.Start(ref reader);
            while (f.Next(ref reader, ref present, out var field))
            {
                switch (field)
                {
                    case 0: id = f.Text(ref reader, field); break;
                    case 1: person = f.Person(ref reader, field); break;
                    default: on = f.Date(ref reader, field); break;
                }
            }

            f.End(present);
            return create(id!, person!, on);
        };
    }

    /// <summary>The shape of the two referrals from one service to the other: an id, two people, the date sent and a reason.</summary>
    private static StoredReader<TEvent> ReferralSent<TEvent, TReason>(
        string type, string firstName, string secondName, Func<string, PersonRef, PersonRef, DateOnly, TReason, TEvent> create)
        where TReason : struct, Enum
    {
        var f = Event(type, "referralId", firstName, secondName, "sentOn", "reason");
        return (ref reader) =>
        {
            string? id = null;
            PersonRef? first = null, second = null;
            DateOnly sentOn = default;
            TReason reason = default;
            var present = f.Start(ref reader);
            while (f.Next(ref reader, ref present, out var field))
            {
                switch (field)
                {
                    case 0: id = f.Text(ref reader, field); break;
                    case 1: first = f.Person(ref reader, field); break;
                    case 2: second = f.Person(ref reader, field); break;
                    case 3: sentOn = f.Date(ref reader, field); break;
                    default: reason = f.Enum<TReason>(ref reader, field); break;
                }
            }

            f.End(present);
            return create(id!, first!, second!, sentOn, reason);
        };
    }

    /// <summary>The shape of the two case closures: the person, the date and a reason.</summary>
    private static (PersonRef Person, DateOnly On, string Text) PersonDateText(ref Utf8JsonReader reader, StoredFields f)
    {
        PersonRef? person = null;
        DateOnly on = default;
        string? text = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: person = f.Person(ref reader, field); break;
                case 1: on = f.Date(ref reader, field); break;
                default: text = f.Text(ref reader, field); break;
            }
        }

        f.End(present);
        return (person!, on, text!);
    }

    private static ChildInHousehold ReadChildInHousehold(ref Utf8JsonReader reader)
    {
        var f = ChildInHouseholdFields;
        PersonRef? child = null;
        CareProvision providesCare = default;
        decimal? hours = null;
        IReadOnlyList<string>? tasks = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: child = f.Person(ref reader, field); break;
                case 1: providesCare = f.Enum<CareProvision>(ref reader, field); break;
                case 2: hours = f.OptionalDecimal(ref reader, field); break;
                default: tasks = f.Texts(ref reader, field); break;
            }
        }

        f.End(present);
        return new(child!, providesCare, tasks!, hours);
    }

    private static LeadProfessional? OptionalLeadProfessional(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        var f = LeadProfessionalFields;
        string? name = null, team = null, service = null;
        var present = f.Start(ref reader);
        while (f.Next(ref reader, ref present, out var field))
        {
            switch (field)
            {
                case 0: name = f.Text(ref reader, field); break;
                case 1: team = f.Text(ref reader, field); break;
                default: service = f.Text(ref reader, field); break;
            }
        }

        f.End(present);
        return new(name!, team!, service!);
    }
}
