using System.Globalization;

namespace YoungCarers.Generation;

/// <summary>How a family first meets the services; it decides the shape of its storyline.</summary>
internal enum Scenario
{
    /// <summary>Adult social care assesses the cared-for adult and may or may not notice the child.</summary>
    AdultFirst,

    /// <summary>A school, GP, health service or the young carers' service identifies the child.</summary>
    PartnerFirst,

    /// <summary>Children's social care receives a referral from the family, the child, police, housing...</summary>
    ChildrenFirst,

    /// <summary>A young carer of 16 or 17: the transition assessment falls due within the window.</summary>
    Transition,

    /// <summary>One service closes, then the other declines: the gap the memorandum exists for.</summary>
    BothDecline,

    /// <summary>An adult safeguarding enquiry (Care Act s42) and a child protection enquiry (Children Act s47).</summary>
    Safeguarding,

    /// <summary>A carer aged 18 to 24 with a carers assessment, and usually no child carer.</summary>
    YoungAdultCarer,

    /// <summary>No child cares: background that should raise no obligation about a young carer.</summary>
    NoCaring,
}

/// <summary>
/// Writes one family's storyline: who meets them first, what each service does and fails to do,
/// and when. Every branch is a weighted choice, so across many families the data holds each
/// obligation met on time, met late and never met, and each flag raised and not raised. Events are
/// placed in working hours on working days (a few fall at weekends), each after the event that
/// caused it, and the storyline is cut at the window's end.
/// </summary>
internal sealed class FamilyStory
{
    private static readonly Weighted<Scenario> Scenarios = new(
        (Scenario.AdultFirst, 28),
        (Scenario.PartnerFirst, 20),
        (Scenario.ChildrenFirst, 13),
        (Scenario.Transition, 12),
        (Scenario.BothDecline, 7),
        (Scenario.Safeguarding, 6),
        (Scenario.YoungAdultCarer, 6),
        (Scenario.NoCaring, 8));

    private static readonly Weighted<string> ChildrenInHouseholdAnswers = new(("yes", 60), ("not-recorded", 25), ("no", 15));

    private static readonly Weighted<string> Decisions = new(
        ("assessment", 52), ("early-help", 12), ("no-further-action", 14), ("signposted", 12), ("section-47", 3));

    private static readonly Weighted<string> ReferralToChildrensReasons = new(("young-carer", 85), ("safeguarding", 8), ("other", 7));

    /// <summary>CIN census referral sources when a family comes to children's social care by itself or through another agency.</summary>
    private static readonly Weighted<string> DirectReferralSources = new(
        ("1A", 28), ("1C", 8), ("2A", 20), ("3A", 8), ("3D", 8), ("4", 6), ("6", 12), ("9", 5), ("10", 5));

    private static readonly Weighted<string> OtherClosureReasons = new(
        ("RC7", 50), ("RC5", 14), ("RC3", 9), ("RC4", 9), ("RC1", 9), ("RC2", 9));

    private static readonly string[][] ReferralReasonsForAYoungCarer = [["young-carer"], ["young-carer", "parental-illness"], ["school-attendance"]];

    private static readonly string[] ReferralReasonsForOtherChildren = ["domestic-abuse", "neglect", "school-attendance", "parental-mental-health"];

    private static readonly int[] ReviewIntervalsInMonths = [3, 6, 12];

    private readonly GenerationOptions _options;
    private readonly int _seed;
    private readonly Rng _rng;
    private readonly Scenario _scenario;
    private readonly Household _family;
    private readonly List<SyntheticEvent> _events = new(32);
    private int _ids;

    // What has happened so far, so that later branches can react to it.
    private DateTime? _identified;
    private DateTime? _adultOpened;
    private DateTime? _adultClosed;
    private CarePlan? _plan;
    private DateTime? _childrenOpened;
    private DateTime? _childrenClosed;
    private DateTime? _youngCarerAssessed;

    private FamilyStory(GenerationOptions options, int index)
    {
        _options = options;
        _seed = options.Seed;
        _rng = new Rng(Rng.Hash(_seed, index, 0x5107));
        _scenario = Scenarios.Pick(_rng);
        var profile = _scenario switch
        {
            Scenario.Transition => YoungCarerProfile.NearlyAdult,
            Scenario.YoungAdultCarer => _rng.Chance(0.6) ? YoungCarerProfile.YoungAdultOnly : YoungCarerProfile.Child,
            Scenario.NoCaring => YoungCarerProfile.None,
            _ => YoungCarerProfile.Child,
        };

        // The first contact leaves at least 45 days for the storyline to unfold.
        var span = options.LastDate.DayNumber - options.FirstDate.DayNumber - 45;
        var firstContact = WorkingDays.Add(options.FirstDate.AddDays(_rng.Next(span)), 0);
        _family = Household.Create(index, _seed, _rng, firstContact, profile);
        Start = OfficeHours(firstContact);
    }

    private DateTime Start { get; }

    private Member Adult => _family.CaredFor;

    /// <summary>The family's events, in time order.</summary>
    public static List<SyntheticEvent> Tell(GenerationOptions options, int index)
    {
        var story = new FamilyStory(options, index);
        story.Unfold();
        story._events.Sort(static (a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Sequence.CompareTo(b.Sequence));
        return story._events;
    }

    private void Unfold()
    {
        switch (_scenario)
        {
            case Scenario.AdultFirst:
                AdultEpisode(Start, AdultMode.Usual);
                break;
            case Scenario.PartnerFirst:
                PartnerIdentifies(Start);
                break;
            case Scenario.ChildrenFirst:
                ChildrenFirst(Start);
                break;
            case Scenario.Transition:
                var firstContact = _rng.NextDouble();
                if (firstContact < 0.4)
                {
                    ChildrenFirst(Start);
                }
                else if (firstContact < 0.7)
                {
                    PartnerIdentifies(Start);
                }
                else
                {
                    AdultEpisode(Start, AdultMode.Usual);
                }

                break;
            case Scenario.BothDecline:
                BothDecline();
                break;
            case Scenario.Safeguarding:
                AdultEpisode(Start, AdultMode.Usual);
                AdultSafeguarding(After(Start, 0, 20));
                ChildrenReferral(After(Start, 1, 10), _family.YoungCarer!, _rng.Chance(0.5) ? "5A" : "6", ["young-carer", "neglect"], [Adult.Las], null, ChildrenMode.Safeguarding);
                break;
            case Scenario.YoungAdultCarer:
                AdultEpisode(Start, AdultMode.Usual);
                break;
            case Scenario.NoCaring:
                if (_rng.Chance(0.6))
                {
                    AdultEpisode(Start, AdultMode.Usual);
                }
                else
                {
                    ChildrenFirst(Start);
                }

                break;
        }

        // A school or GP may notice a young carer whoever met the family first.
        if (_scenario == Scenario.AdultFirst && _family.YoungCarer is not null && _rng.Chance(0.25))
        {
            PartnerIdentifies(AfterDays(Start, 10, 400));
        }

        Transition();
        ReferAgain();
        ReviewAfterChange();
    }

    private void BothDecline()
    {
        var carer = _family.YoungCarer!;
        var source = _rng.Chance(0.5) ? "2A" : "1A";
        if (_rng.Chance(0.65))
        {
            AdultEpisode(Start, AdultMode.Decline);
            ChildrenReferral(AfterDays(_adultClosed!.Value, 5, 60), carer, source, ["young-carer"], [Adult.Lcs], null, ChildrenMode.Decline);
        }
        else
        {
            ChildrenReferral(Start, carer, source, ["young-carer"], [Adult.Lcs], null, ChildrenMode.Decline);
            AdultEpisode(AfterDays(_childrenClosed!.Value, 5, 60), AdultMode.Decline);
        }
    }

    private void ChildrenFirst(DateTime at)
    {
        var carer = _family.YoungCarer;
        var child = carer ?? _family.Children[0];
        IReadOnlyList<string> reasons = carer is null ? [_rng.Pick(ReferralReasonsForOtherChildren)] : _rng.Pick(ReferralReasonsForAYoungCarer);
        ChildrenReferral(at, child, DirectReferralSources.Pick(_rng), reasons, _rng.Chance(0.6) ? [Adult.Lcs] : [], null, ChildrenMode.Usual);
    }

    private void PartnerIdentifies(DateTime at)
    {
        var carer = _family.YoungCarer!;
        var partner = Partner.Pick(_rng);
        IReadOnlyList<PersonRef> caredFor = _rng.Chance(0.65) ? [Household.AsPartnerKnows(Adult, partner, _seed, isChild: false)] : [];
        Emit(at, partner.Source, Catalogue.YoungCarerIdentified(Household.AsPartnerKnows(carer, partner, _seed, isChild: true), caredFor, DateOf(at), partner.IdentifiedBy), hasSubject: false);
        Identified(at);

        var next = _rng.NextDouble();
        if (next < 0.55)
        {
            ChildrenReferral(After(at, 1, 10), carer, partner.ReferralSource, ["young-carer"], _rng.Chance(0.7) ? [Adult.Lcs] : [], null, ChildrenMode.Usual);
        }
        else if (next < 0.7)
        {
            // The partner's worry is the parent's unmet needs, so it goes to adult social care.
            AdultEpisode(After(at, 5, 30), AdultMode.Usual);
        }
        else if (next < 0.8)
        {
            // Another partner notices too, and still nobody refers.
            var other = Partner.Pick(_rng);
            var again = AfterDays(at, 20, 200);
            Emit(again, other.Source, Catalogue.YoungCarerIdentified(Household.AsPartnerKnows(carer, other, _seed, isChild: true), [], DateOf(again), other.IdentifiedBy), hasSubject: false);
        }

        // Otherwise nothing follows: the young carer falls between the services.
    }

    private void AdultEpisode(DateTime at, AdultMode mode)
    {
        if (_adultOpened is not null)
        {
            return;
        }

        _adultOpened = at;
        var declining = mode == AdultMode.Decline;
        var carer = _family.YoungCarer;
        IReadOnlyList<HouseholdChild> named = _rng.Chance(0.3) ? HouseholdChildren(atReferral: true) : [];
        var reason = _rng.Chance(0.9) ? _rng.Pick(_family.Condition.ReferralReasons) : null;
        Emit(at, Sources.AdultSocialCare, Catalogue.ReferralReceived(NewId("LAS-REF"), Adult.Las, DateOf(at), reason, named));
        if (!declining && !_rng.Chance(0.93))
        {
            if (_rng.Chance(0.5))
            {
                CloseAdultCase(After(at, 3, 15), "No further action at first contact");
            }

            return;
        }

        var startedAt = mode == AdultMode.Prompt ? After(at, 0, 3) : _rng.Chance(0.85) ? After(at, 1, 10) : After(at, 11, 30);
        var assessmentId = NewId("LAS-NA");
        Emit(startedAt, Sources.AdultSocialCare, Catalogue.NeedsAssessmentStarted(assessmentId, Adult.Las, DateOf(startedAt)));
        if (!declining && _rng.Chance(0.06))
        {
            // Never completed: the assessment stays open, and overdue if a young carer is known.
            return;
        }

        var completedAt = _rng.Chance(0.8) ? AfterDays(startedAt, 7, 27) : AfterDays(startedAt, 30, 70);
        var answer = ChildrenInHouseholdAnswers.Pick(_rng);
        var eligible = !declining && _rng.Chance(0.75);
        var children = answer == "yes" ? HouseholdChildren(atReferral: false) : [];
        Emit(
            completedAt,
            Sources.AdultSocialCare,
            Catalogue.NeedsAssessmentCompleted(assessmentId, Adult.Las, DateOf(completedAt), eligible, answer, children, _rng.Chance(answer == "yes" ? 0.75 : 0.2)));
        var recordedCaring = RecordsCare(children);

        if (answer == "not-recorded" && _rng.Chance(0.55))
        {
            // Someone notices the gap and records the household: on time (5 working days) or not.
            var reviewStartedAt = _rng.Chance(0.7) ? After(completedAt, 1, 3) : After(completedAt, 8, 25);
            var reviewId = NewId("LAS-NA");
            Emit(reviewStartedAt, Sources.AdultSocialCare, Catalogue.NeedsAssessmentStarted(reviewId, Adult.Las, DateOf(reviewStartedAt)));
            completedAt = After(reviewStartedAt, 0, 1);
            var recorded = carer is not null && _rng.Chance(0.85) ? HouseholdChildren(atReferral: false) : [];
            Emit(
                completedAt,
                Sources.AdultSocialCare,
                Catalogue.NeedsAssessmentCompleted(reviewId, Adult.Las, DateOf(completedAt), eligible, recorded.Count > 0 ? "yes" : "no", recorded, recorded.Count > 0));
            recordedCaring = RecordsCare(recorded);
        }

        if (recordedCaring)
        {
            Identified(completedAt);
        }

        CarersAssessments(completedAt);
        if (recordedCaring && !declining && _childrenOpened is null && _rng.Chance(0.65))
        {
            ReferToChildrens(_rng.Chance(0.7) ? After(completedAt, 0, 4) : After(completedAt, 6, 25));
        }

        if (eligible)
        {
            AgreeCarePlan(After(completedAt, 2, 20), recordedCaring, answer);
        }
        else if (declining || _rng.Chance(0.65))
        {
            CloseAdultCase(After(completedAt, 1, 10), Vocabulary.NoEligibleNeeds);
        }

        if (_scenario != Scenario.Safeguarding && _rng.Chance(0.04))
        {
            AdultSafeguarding(AfterDays(at, 5, 120));
        }
    }

    /// <summary>The household's children as an assessment (or, less fully, a referral) records them.</summary>
    private List<HouseholdChild> HouseholdChildren(bool atReferral)
    {
        var children = new List<HouseholdChild>(_family.Children.Count);
        foreach (var child in _family.Children)
        {
            var cares = child == _family.YoungCarer || child == _family.SecondYoungCarer;
            var providesCare = cares
                ? (_rng.Chance(atReferral ? 0.6 : 0.85) ? "yes" : "unknown")
                : (_rng.Chance(0.8) ? "no" : "unknown");
            IReadOnlyList<string> tasks = providesCare == "yes" && _rng.Chance(0.7) ? Some(Vocabulary.CaringTasks, 1, 3) : [];
            int? hours = providesCare == "yes" && _rng.Chance(0.75) ? _rng.Between(3, 35) : null;
            children.Add(new HouseholdChild(child.Las, providesCare, tasks, hours));
        }

        return children;
    }

    private bool RecordsCare(IReadOnlyList<HouseholdChild> children) =>
        _family.YoungCarer is { } carer && children.Any(child => child.Child == carer.Las && child.ProvidesCare == "yes");

    private void CarersAssessments(DateTime after)
    {
        if (_family.OtherAdult is { } partner && _rng.Chance(0.35))
        {
            var at = After(after, 0, 20);
            Emit(at, Sources.AdultSocialCare, Catalogue.CarersAssessmentCompleted(NewId("LAS-CA"), partner.Las, Adult.Las, DateOf(at), _rng.Chance(0.6)));
        }

        if (_family.YoungAdultCarer is { } youngAdult && _rng.Chance(_scenario == Scenario.YoungAdultCarer ? 0.9 : 0.5))
        {
            var at = After(after, 0, 25);
            Emit(at, Sources.AdultSocialCare, Catalogue.CarersAssessmentCompleted(NewId("LAS-CA"), youngAdult.Las, Adult.Las, DateOf(at), _rng.Chance(0.7)));
        }
    }

    private void ReferToChildrens(DateTime sentAt)
    {
        var carer = _family.YoungCarer!;
        var referralId = NewId("LAS-RTC");
        var reason = ReferralToChildrensReasons.Pick(_rng);
        Emit(sentAt, Sources.AdultSocialCare, Catalogue.ReferralToChildrensSent(referralId, carer.Las, Adult.Las, DateOf(sentAt), reason));
        if (!_rng.Chance(0.85))
        {
            // Never picked up: the acknowledgement goes overdue.
            return;
        }

        var receivedAt = _rng.Chance(0.8) ? After(sentAt, 0, 1) : After(sentAt, 2, 7);
        IReadOnlyList<string> reasons = reason switch
        {
            "young-carer" => ["young-carer"],
            "safeguarding" => ["young-carer", "neglect"],
            _ => ["family-support"],
        };
        ChildrenReferral(receivedAt, carer, "5A", reasons, [_rng.Chance(0.6) ? Adult.Las : Adult.Lcs], referralId, reason == "safeguarding" ? ChildrenMode.Safeguarding : ChildrenMode.Usual);
    }

    private void AgreeCarePlan(DateTime at, bool recordedCaring, string answer)
    {
        var carer = _family.YoungCarer;

        // A plan can count on a child the assessment never recorded: the quiet reliance the memorandum warns of.
        var relies = carer is not null && _rng.Chance(recordedCaring ? 0.35 : answer == "yes" ? 0.05 : 0.15);
        IReadOnlyList<PersonRef> childCarers = !relies ? []
            : _family.SecondYoungCarer is { } second && _rng.Chance(0.6) ? [carer!.Las, second.Las]
            : [carer!.Las];
        var planId = NewId("LAS-CP");
        var intervalMonths = _rng.Pick(ReviewIntervalsInMonths);
        DateOnly? reviewDue = _rng.Chance(0.8) ? DateOf(at).AddMonths(intervalMonths) : null;
        var lead = _rng.Chance(0.7) ? Lead(Vocabulary.AdultTeams, "adult-social-care") : null;
        Emit(at, Sources.AdultSocialCare, Catalogue.CarePlanAgreed(planId, Adult.Las, DateOf(at), childCarers, reviewDue, lead));
        _plan = new CarePlan(planId, at, childCarers);
        if (relies)
        {
            Identified(at);
        }

        // The first review may take the child out of the plan: on time, late, or not at all.
        var stillRelies = relies;
        var last = at;
        if (relies)
        {
            var roll = _rng.NextDouble();
            if (roll < 0.6)
            {
                last = ReviewCarePlan(roll < 0.45 ? After(at, 5, 18) : After(at, 25, 70), stillRelies: false);
                stillRelies = false;
            }
            else if (roll < 0.75)
            {
                last = ReviewCarePlan(AfterDays(at, 60, 200), stillRelies: true);
            }
        }

        // Then a review every few months, until the plan ends or the window closes.
        DateTime? endedAt = _rng.Chance(0.35) ? AfterDays(last, 30, 720) : null;
        var until = endedAt ?? _options.LastDate.ToDateTime(TimeOnly.MaxValue, DateTimeKind.Utc);
        for (var reviews = 0; reviews < 8; reviews++)
        {
            var next = AfterDays(last, (intervalMonths * 30) - 15, (intervalMonths * 30) + 45);
            if (next >= until || !_rng.Chance(0.85))
            {
                break;
            }

            stillRelies = stillRelies && _rng.Chance(0.7);
            last = ReviewCarePlan(next, stillRelies);
        }

        if (endedAt is { } ended)
        {
            Emit(ended, Sources.AdultSocialCare, Catalogue.CarePlanEnded(planId, Adult.Las, DateOf(ended), _rng.Pick(Vocabulary.CarePlanEndReasons)));
            _plan = _plan with { EndedAt = ended };
            if (_rng.Chance(0.5))
            {
                CloseAdultCase(After(ended, 0, 10), _rng.Pick(Vocabulary.AdultClosureReasons));
            }
        }
    }

    private DateTime ReviewCarePlan(DateTime at, bool stillRelies)
    {
        var plan = _plan!;
        Emit(at, Sources.AdultSocialCare, Catalogue.CarePlanReviewed(plan.PlanId, Adult.Las, DateOf(at), stillRelies ? plan.ChildCarers : []));
        return at;
    }

    private void CloseAdultCase(DateTime at, string reason)
    {
        Emit(at, Sources.AdultSocialCare, Catalogue.AdultClosed(Adult.Las, DateOf(at), reason));
        _adultClosed = at;
    }

    private void AdultSafeguarding(DateTime at)
    {
        var enquiryId = NewId("LAS-SG");
        Emit(at, Sources.AdultSocialCare, Catalogue.SafeguardingEnquiryStarted(enquiryId, Adult.Las, DateOf(at)));
        if (_rng.Chance(0.75))
        {
            var concludedAt = AfterDays(at, 10, 70);
            Emit(concludedAt, Sources.AdultSocialCare, Catalogue.SafeguardingEnquiryConcluded(enquiryId, Adult.Las, DateOf(concludedAt)));
        }
    }

    private void ChildrenReferral(
        DateTime at,
        Member child,
        string source,
        IReadOnlyList<string> reasons,
        IReadOnlyList<PersonRef> caredFor,
        string? linkedReferralId,
        ChildrenMode mode)
    {
        _childrenOpened ??= at;
        var referralId = NewId("LCS-REF");
        Emit(at, Sources.ChildrensSocialCare, Catalogue.ChildrensReferralReceived(referralId, child.Lcs, DateOf(at), source, reasons, caredFor, linkedReferralId));
        if (reasons.Contains("young-carer"))
        {
            Identified(at);
        }

        var timing = _rng.NextDouble();
        if (mode == ChildrenMode.Usual && timing >= 0.95)
        {
            // Never decided: overdue after one working day.
            return;
        }

        var decidedAt = timing < 0.85 || mode == ChildrenMode.Decline ? After(at, 0, 1) : After(at, 2, 6);
        var decision = mode switch
        {
            ChildrenMode.Decline => _rng.Chance(0.7) ? "no-further-action" : "signposted",
            ChildrenMode.Safeguarding => _rng.Chance(0.7) ? "section-47" : "assessment",
            _ => Decisions.Pick(_rng),
        };
        Emit(decidedAt, Sources.ChildrensSocialCare, Catalogue.ReferralDecided(referralId, child.Lcs, DateOf(decidedAt), decision));
        switch (decision)
        {
            case "assessment" when child == _family.YoungCarer && _rng.Chance(0.6):
                FirstYoungCarerAssessment(decidedAt, child);
                break;
            case "assessment":
                CinAssessment(decidedAt, child);
                break;
            case "section-47":
                var enquiryAt = After(decidedAt, 0, 2);
                Emit(enquiryAt, Sources.ChildrensSocialCare, Catalogue.Section47Started(NewId("LCS-S47"), child.Lcs, DateOf(enquiryAt)));
                CinAssessment(enquiryAt, child);
                break;
            case "early-help" when _rng.Chance(0.6):
                CloseChildrenCase(After(decidedAt, 0, 5), child, "RC9");
                break;
            case "no-further-action" when mode == ChildrenMode.Decline || _rng.Chance(0.7):
                CloseChildrenCase(After(decidedAt, 0, 5), child, "RC8");
                break;
            case "signposted" when mode == ChildrenMode.Decline || _rng.Chance(0.5):
                CloseChildrenCase(After(decidedAt, 0, 5), child, _rng.Chance(0.7) ? "RC8" : "RC7");
                break;
        }
    }

    private void FirstYoungCarerAssessment(DateTime after, Member child)
    {
        var startedAt = After(after, 1, 5);
        var roll = _rng.NextDouble();
        DateTime? completedAt = roll < 0.75 ? After(startedAt, 8, 35) : roll < 0.93 ? After(startedAt, 46, 90) : null;
        YoungCarerAssessment(startedAt, completedAt, child);
    }

    /// <summary>A young carer's needs assessment (s17ZA); <paramref name="completedAt"/> null leaves it open.</summary>
    private void YoungCarerAssessment(DateTime startedAt, DateTime? completedAt, Member child)
    {
        var assessmentId = NewId("LCS-YCA");
        Emit(startedAt, Sources.ChildrensSocialCare, Catalogue.YoungCarerAssessmentStarted(assessmentId, child.Lcs, DateOf(startedAt)));
        if (completedAt is not { } at)
        {
            return;
        }

        var excessive = _rng.Chance(0.3);
        var supportPlanned = _rng.Chance(excessive ? 0.9 : 0.6);
        Emit(
            at,
            Sources.ChildrensSocialCare,
            Catalogue.YoungCarerAssessmentCompleted(
                assessmentId,
                child.Lcs,
                DateOf(at),
                [_rng.Chance(0.6) ? Adult.Lcs : Adult.Las],
                caringAppropriate: !excessive && _rng.Chance(0.9),
                excessive,
                excessive ? Some(Vocabulary.Impacts, 2, 3) : Some(Vocabulary.Impacts, 0, 2),
                supportPlanned));
        _youngCarerAssessed = at;

        // Excessive caring while the adult's plan is active calls for the plan to be reviewed.
        if (excessive && _plan is { } plan && plan.AgreedAt < at && (plan.EndedAt is null || plan.EndedAt > at) && _rng.Chance(0.55))
        {
            ReviewCarePlan(After(at, 4, 18), stillRelies: false);
        }

        if (supportPlanned ? _rng.Chance(0.3) : _rng.Chance(0.6))
        {
            CloseChildrenCase(supportPlanned ? AfterDays(at, 90, 300) : After(at, 0, 10), child, supportPlanned ? OtherClosureReasons.Pick(_rng) : "RC8");
        }

        if (_adultOpened is null && _rng.Chance(0.65))
        {
            ReferToAdults(After(at, 0, 10), "appearance-of-need");
        }
    }

    private void CinAssessment(DateTime after, Member child)
    {
        var startedAt = After(after, 0, 5);
        var assessmentId = NewId("LCS-CIN");
        Emit(startedAt, Sources.ChildrensSocialCare, Catalogue.CinAssessmentStarted(assessmentId, child.Lcs, DateOf(startedAt)));
        if (_rng.Chance(0.12))
        {
            return;
        }

        var authorisedAt = _rng.Chance(0.85) ? After(startedAt, 10, 44) : After(startedAt, 46, 80);
        var factor = _family.ConditionFactor;
        var roll = _rng.NextDouble();
        IReadOnlyList<string> factors = child == _family.YoungCarer
            ? (roll < 0.7 ? ["7A", factor] : roll < 0.85 ? [factor] : ["21"])
            : (roll < 0.6 ? [factor] : ["21"]);
        Emit(authorisedAt, Sources.ChildrensSocialCare, Catalogue.CinAssessmentCompleted(assessmentId, child.Lcs, DateOf(authorisedAt), factors));
        if (factors.Contains("7A"))
        {
            _youngCarerAssessed = authorisedAt;
            Identified(authorisedAt);
        }

        if (factors[0] != "21" && _rng.Chance(0.45))
        {
            CinPlan(authorisedAt, child);
        }
        else if (_rng.Chance(0.6))
        {
            CloseChildrenCase(After(authorisedAt, 0, 10), child, _rng.Chance(0.6) ? "RC8" : "RC7");
        }

        if (_adultOpened is null && child == _family.YoungCarer && _rng.Chance(0.55))
        {
            ReferToAdults(After(authorisedAt, 0, 10), "appearance-of-need");
        }
    }

    private void CinPlan(DateTime after, Member child)
    {
        var startedAt = After(after, 1, 10);
        var planId = NewId("LCS-PLAN");
        var lead = _rng.Chance(0.8) ? Lead(Vocabulary.ChildrenTeams, "childrens-social-care") : null;
        Emit(startedAt, Sources.ChildrensSocialCare, Catalogue.CinPlanStarted(planId, child.Lcs, DateOf(startedAt), lead));
        if (_rng.Chance(0.55))
        {
            var endedAt = AfterDays(startedAt, 60, 300);
            Emit(endedAt, Sources.ChildrensSocialCare, Catalogue.CinPlanEnded(planId, child.Lcs, DateOf(endedAt)));
            if (_rng.Chance(0.6))
            {
                CloseChildrenCase(After(endedAt, 0, 10), child, OtherClosureReasons.Pick(_rng));
            }
        }
    }

    private void CloseChildrenCase(DateTime at, Member child, string reasonCode)
    {
        Emit(at, Sources.ChildrensSocialCare, Catalogue.ChildrenClosed(child.Lcs, DateOf(at), reasonCode));
        _childrenClosed = at;
    }

    private void ReferToAdults(DateTime at, string reason)
    {
        var carer = _family.YoungCarer!;
        Emit(at, Sources.ChildrensSocialCare, Catalogue.ReferralToAdultsSent(NewId("LCS-RTA"), _rng.Chance(0.7) ? Adult.Lcs : Adult.Las, carer.Lcs, DateOf(at), reason));
        var response = _rng.NextDouble();
        if (response < 0.55)
        {
            AdultEpisode(After(at, 0, 2), AdultMode.Prompt);
        }
        else if (response < 0.75)
        {
            AdultEpisode(After(at, 8, 30), AdultMode.Usual);
        }

        // Otherwise adult social care never responds, and the offer of an assessment goes overdue.
    }

    /// <summary>A young carer reaching 17 is owed a transition assessment before 18 (Care Act s63-s64).</summary>
    private void Transition()
    {
        if (_family.YoungCarer is not { } carer || _identified is not { } identified)
        {
            return;
        }

        var turns17 = carer.Turns(17);
        var turns18 = carer.Turns(18);
        var identifiedOn = DateOf(identified);
        if (identifiedOn >= turns18 || turns17 > _options.LastDate)
        {
            return;
        }

        var dueFrom = identifiedOn > turns17 ? identifiedOn : turns17;
        if (_childrenOpened is not null && _rng.Chance(0.35))
        {
            var sentAt = OfficeHours(WorkingDays.Add(dueFrom, _rng.Between(1, 20)));
            Emit(sentAt, Sources.ChildrensSocialCare, Catalogue.ReferralToAdultsSent(NewId("LCS-RTA"), Adult.Lcs, carer.Lcs, DateOf(sentAt), "transition"));
        }

        var roll = _rng.NextDouble();
        if (roll < 0.3)
        {
            // Nobody offers one: the young carer turns 18 without a transition assessment.
            return;
        }

        // Offered in good time when there is time: well before the 18th birthday.
        var room = Math.Max(0, turns18.DayNumber - dueFrom.DayNumber - 60);
        var offeredAt = OfficeHours(WorkingDays.Add(dueFrom.AddDays(_rng.Next(room + 1)), 1));
        var assessmentId = NewId("LAS-TA");
        Emit(offeredAt, Sources.AdultSocialCare, Catalogue.TransitionAssessmentOffered(assessmentId, carer.Las, DateOf(offeredAt)));
        if (roll < 0.45)
        {
            return;
        }

        var completedAt = roll < 0.9 ? After(offeredAt, 10, 30) : OfficeHours(WorkingDays.Add(turns18, _rng.Between(10, 60)));
        Emit(completedAt, Sources.AdultSocialCare, Catalogue.TransitionAssessmentCompleted(assessmentId, carer.Las, DateOf(completedAt), _rng.Chance(0.6)));

        // Still caring at 18: now a young adult carer with a carers assessment of their own.
        if (_rng.Chance(0.35))
        {
            var assessedAt = OfficeHours(WorkingDays.Add(turns18, _rng.Between(10, 120)));
            Emit(assessedAt, Sources.AdultSocialCare, Catalogue.CarersAssessmentCompleted(NewId("LAS-CA"), carer.Las, Adult.Las, DateOf(assessedAt), _rng.Chance(0.7)));
        }

        if (_childrenOpened is not null && _childrenClosed is null && _rng.Chance(0.5))
        {
            CloseChildrenCase(OfficeHours(WorkingDays.Add(turns18, _rng.Between(0, 15))), carer, "RC6");
        }
    }

    /// <summary>Many closed cases come back: a new referral months later, from someone else.</summary>
    private void ReferAgain()
    {
        if (_childrenClosed is not { } closedAt || !_rng.Chance(0.25))
        {
            return;
        }

        var child = _family.YoungCarer ?? _family.Children[0];
        IReadOnlyList<string> reasons = _family.YoungCarer is null ? [_rng.Pick(ReferralReasonsForOtherChildren)] : ["young-carer"];
        ChildrenReferral(AfterDays(closedAt, 60, 360), child, DirectReferralSources.Pick(_rng), reasons, _rng.Chance(0.6) ? [Adult.Lcs] : [], null, ChildrenMode.Usual);
    }

    /// <summary>The cared-for adult's plan ending or case closing changes the young carer's circumstances: reassess (s17ZA(4)-(6)).</summary>
    private void ReviewAfterChange()
    {
        if (_family.YoungCarer is not { } carer || _youngCarerAssessed is not { } assessed)
        {
            return;
        }

        var change = Earliest(_plan?.EndedAt, _adultClosed);
        if (change is not { } changedAt || changedAt <= assessed)
        {
            return;
        }

        var roll = _rng.NextDouble();
        if (roll < 0.5)
        {
            var startedAt = After(changedAt, 2, 8);
            YoungCarerAssessment(startedAt, After(startedAt, 1, 10), carer);
        }
        else if (roll < 0.7)
        {
            var startedAt = After(changedAt, 15, 30);
            YoungCarerAssessment(startedAt, After(startedAt, 10, 30), carer);
        }
    }

    private static DateTime? Earliest(DateTime? a, DateTime? b) => a is null ? b : b is null ? a : a < b ? a : b;

    private void Identified(DateTime at)
    {
        if (_identified is null || at < _identified)
        {
            _identified = at;
        }
    }

    private void Emit(DateTime at, string source, Payload payload, bool hasSubject = true)
    {
        // Storylines run on past the window's end; what would happen later is not yet known.
        if (DateOf(at) > _options.LastDate)
        {
            return;
        }

        var sequence = _events.Count;
        var id = EventId(Rng.Hash(_seed, _family.Index, sequence, 1), Rng.Hash(_seed, _family.Index, sequence, 2));
        _events.Add(new SyntheticEvent(_family.Index, sequence, id, at, source, hasSubject, payload));
    }

    /// <summary>A version 4 UUID made of the two hashes, so ids look like a case system's and never repeat.</summary>
    private static Guid EventId(ulong high, ulong low) =>
        new(
            (uint)(high >> 32),
            (ushort)(high >> 16),
            (ushort)((high & 0x0FFF) | 0x4000),
            (byte)(((low >> 56) & 0x3F) | 0x80),
            (byte)(low >> 48),
            (byte)(low >> 40),
            (byte)(low >> 32),
            (byte)(low >> 24),
            (byte)(low >> 16),
            (byte)(low >> 8),
            (byte)low);

    private string NewId(string prefix) =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}-{_family.Index:D6}-{++_ids:D2}");

    private LeadProfessional Lead(string[] teams, string service) =>
        new($"{_rng.Pick(Vocabulary.GivenNames)} {_rng.Pick(Vocabulary.FamilyNames)}", _rng.Pick(teams), service);

    /// <summary>From <paramref name="min"/> to <paramref name="max"/> distinct items, in the list's order.</summary>
    private string[] Some(string[] items, int min, int max)
    {
        var count = _rng.Between(min, max);
        var chosen = new List<string>(count);
        for (var i = 0; i < items.Length && chosen.Count < count; i++)
        {
            // Selection sampling: each item is taken with the chance that keeps the count exact.
            if (_rng.Next(items.Length - i) < count - chosen.Count)
            {
                chosen.Add(items[i]);
            }
        }

        return [.. chosen];
    }

    /// <summary>A time some working days after <paramref name="at"/>; 0 days means later the same day.</summary>
    private DateTime After(DateTime at, int minWorkingDays, int maxWorkingDays)
    {
        var days = _rng.Between(minWorkingDays, maxWorkingDays);
        if (days == 0)
        {
            return at.AddMinutes(_rng.Between(5, 120));
        }

        var date = WorkingDays.Add(DateOf(at), days);

        // A few things are recorded at the weekend: out-of-hours teams, a practitioner catching up.
        if (_rng.Chance(0.03))
        {
            date = date.AddDays(((int)DayOfWeek.Saturday - (int)date.DayOfWeek + 7) % 7);
        }

        return OfficeHours(date);
    }

    /// <summary>A working day some calendar days after <paramref name="at"/>.</summary>
    private DateTime AfterDays(DateTime at, int minDays, int maxDays) =>
        OfficeHours(WorkingDays.Add(DateOf(at).AddDays(_rng.Between(minDays, maxDays)), 0));

    /// <summary>A time between 08:00 and 18:00 (UTC) on the date.</summary>
    private DateTime OfficeHours(DateOnly date) =>
        date.ToDateTime(new TimeOnly(8, 0), DateTimeKind.Utc).AddSeconds(_rng.Next(10 * 3600));

    private static DateOnly DateOf(DateTime at) => DateOnly.FromDateTime(at);

    private enum AdultMode
    {
        Usual,

        /// <summary>Answering a referral from children's social care: the assessment starts within days.</summary>
        Prompt,

        /// <summary>The adult is assessed, found not eligible and the case is closed; nobody refers the child.</summary>
        Decline,
    }

    private enum ChildrenMode
    {
        Usual,

        /// <summary>Decided within a day, no further action or signposting, and the case closed.</summary>
        Decline,

        /// <summary>Mostly a child protection enquiry.</summary>
        Safeguarding,
    }

    private sealed record CarePlan(string PlanId, DateTime AgreedAt, IReadOnlyList<PersonRef> ChildCarers, DateTime? EndedAt = null);
}
