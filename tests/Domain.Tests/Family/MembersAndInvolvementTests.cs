using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using static YoungCarers.Domain.Tests.Family.Build;
using static YoungCarers.Domain.Tests.Family.People;

namespace YoungCarers.Domain.Tests.Family;

public sealed class MembersAndInvolvementTests
{
    [Fact]
    public void Everyone_an_event_names_joins_the_family_once()
    {
        var then = Spec.Given(
                AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.Yes, Caring(Maya), NotCaring(Leo)),
                new AdultNeedsAssessmentStarted("NA-2", Dawn, Spec.Day("2025-03-05")))
            .When("2025-03-10");

        Assert.Equal([KeyOf(Dawn), KeyOf(Maya), KeyOf(Leo)], then.View.Members.Select(m => m.Member.Key));
    }

    [Fact]
    public void The_same_nhs_number_in_two_systems_is_one_person_and_the_newer_event_names_them()
    {
        var then = Spec.Given(
                new AdultCaseClosed(Dawn, Spec.Day("2025-03-04"), "moved"),
                new ChildrenReferralToAdultsSent("R-1", DawnInLcs, Maya, Spec.Day("2025-03-05"), ReferralToAdultsReason.AppearanceOfNeed))
            .When("2025-03-10");

        var dawn = then.Member(Dawn);
        Assert.Same(dawn, then.Member(DawnInLcs));
        Assert.Equal<string>(["nhs:9434765919", "system:LAS/7781", "system:LCS/A-311"], dawn.Member.Identifiers);
        Assert.Equal(KeyOf(Dawn), dawn.Member.Key);
        Assert.Equal(new DateOnly(1979, 3, 14), dawn.Member.BirthDate);
    }

    [Fact]
    public void A_shared_identifier_found_later_joins_two_members_into_the_first()
    {
        var mayaBoth = MayaInLas with { NhsNumber = Maya.NhsNumber };
        var then = Spec.Given(
                Identified(Maya, "2025-03-03", Dawn),
                new AdultReferralReceived("AR-1", Dawn, Spec.Day("2025-03-04"), null, [Caring(MayaInLas)]),
                new AdultCarePlanAgreed("P-1", Dawn, Spec.Day("2025-03-05"), true, [mayaBoth], null, null))
            .When("2025-03-10");

        Assert.Equal(2, then.View.Members.Count);
        Assert.Equal(KeyOf(Maya), then.Member(MayaInLas).Member.Key);
    }

    [Fact]
    public void Roles_are_derived_at_the_evaluation_instant()
    {
        var given = Spec.Given(
            AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.Yes, Caring(Maya), NotCaring(Leo)),
            new AdultCarersAssessmentCompleted("CA-1", Sam, Dawn, Spec.Day("2025-03-04"), true));

        var now = given.When("2025-05-05");
        Assert.Equal([FamilyRole.AdultWithCareNeeds], now.Member(Dawn).Roles);
        Assert.Equal([FamilyRole.Child, FamilyRole.YoungCarer], now.Member(Maya).Roles);
        Assert.Equal([KeyOf(Dawn)], now.Member(Maya).CaresFor);
        Assert.Equal(13, now.Member(Maya).Age);
        Assert.Equal([FamilyRole.Child], now.Member(Leo).Roles);
        Assert.Equal([FamilyRole.YoungAdultCarer], now.Member(Sam).Roles);

        // Maya turns 18 on 6 May 2029: from that day she is a young adult carer, a former young carer.
        Assert.Equal([FamilyRole.Child, FamilyRole.YoungCarer], given.When("2029-05-05").Member(Maya).Roles);
        Assert.Equal([FamilyRole.YoungAdultCarer], given.When("2029-05-06").Member(Maya).Roles);
        Assert.Empty(given.When("2036-05-06").Member(Maya).Roles);
    }

    [Fact]
    public void A_child_recorded_later_as_no_longer_caring_is_no_longer_a_young_carer()
    {
        var then = Spec.Given(
                AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.Yes, Caring(Leo)),
                AssessmentCompleted("NA-2", Dawn, "2025-09-04", ChildrenInHouseholdAnswer.Yes, NotCaring(Leo)))
            .When("2025-10-01");

        Assert.Equal([FamilyRole.Child], then.Member(Leo).Roles);
    }

    [Fact]
    public void A_record_dated_after_the_instant_does_not_yet_change_who_is_caring()
    {
        // Assessments are kept by id, so the record dated later comes last in one family and first in the other.
        var stoppedLast = Spec.Given(
            AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.Yes, Caring(Leo)),
            AssessmentCompleted("NA-2", Dawn, "2025-09-04", ChildrenInHouseholdAnswer.Yes, NotCaring(Leo)));
        var stoppedFirst = Spec.Given(
            AssessmentCompleted("NA-2", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.Yes, Caring(Leo)),
            AssessmentCompleted("NA-1", Dawn, "2025-09-04", ChildrenInHouseholdAnswer.Yes, NotCaring(Leo)));

        Assert.Contains(FamilyRole.YoungCarer, stoppedLast.When("2025-06-02").Member(Leo).Roles);
        Assert.Contains(FamilyRole.YoungCarer, stoppedFirst.When("2025-06-02").Member(Leo).Roles);
        Assert.DoesNotContain(FamilyRole.YoungCarer, stoppedFirst.When("2025-10-01").Member(Leo).Roles);
    }

    [Fact]
    public void A_29_february_birthday_is_reached_on_1_march_in_a_common_year()
    {
        Assert.Equal(new DateOnly(2026, 3, 1), Ages.Reaches(Ellie.BirthDate!.Value, 18 * 12));
        Assert.Equal(17, Ages.YearsOn(Ellie.BirthDate.Value, new DateOnly(2026, 2, 28)));
        Assert.Equal(18, Ages.YearsOn(Ellie.BirthDate.Value, new DateOnly(2026, 3, 1)));
        // In a leap year the birthday falls on the day itself.
        Assert.Equal(15, Ages.YearsOn(Ellie.BirthDate.Value, new DateOnly(2024, 2, 28)));
        Assert.Equal(16, Ages.YearsOn(Ellie.BirthDate.Value, new DateOnly(2024, 2, 29)));
    }

    [Fact]
    public void Open_involvement_is_what_each_service_has_started_and_not_finished()
    {
        var then = Spec.Given(
                new AdultCarePlanAgreed("P-1", Dawn, Spec.Day("2025-03-03"), false, [], null, new("Ann Lee", "Adults East", "adult-social-care")),
                ReferralReceived("CR-1", Maya, "2025-03-04"),
                ReferralReceived("CR-2", Leo, "2025-03-04"),
                ReferralDecided("CR-2", Leo, "2025-03-05", ChildrenReferralDecision.NoFurtherAction),
                new ChildrenCinAssessmentStarted("CIN-1", Maya, Spec.Day("2025-03-05")))
            .When("2025-03-10");

        Assert.Equal(
            [
                (Services.AdultSocialCare, KeyOf(Dawn), InvolvementKind.Plan, "P-1"),
                (Services.ChildrensSocialCare, KeyOf(Maya), InvolvementKind.Referral, "CR-1"),
                (Services.ChildrensSocialCare, KeyOf(Maya), InvolvementKind.Assessment, "CIN-1"),
            ],
            then.View.OpenInvolvement.Select(i => (i.Service, i.PersonKey, i.Kind, i.Id)));
        Assert.Equal("Ann Lee", then.View.LeadProfessional?.Name);
    }

    [Fact]
    public void A_services_case_closure_ends_all_its_involvement_with_the_person()
    {
        var then = Spec.Given(
                ReferralReceived("CR-1", Maya, "2025-03-04"),
                new ChildrenSection47Started("S47-1", Maya, Spec.Day("2025-03-04")),
                new ChildrenCaseClosed(Maya, Spec.Day("2025-03-06"), "RC8"),
                new AdultSafeguardingEnquiryStarted("SG-1", Dawn, Spec.Day("2025-03-04")))
            .When("2025-03-10");

        Assert.Equal([(KeyOf(Dawn), InvolvementKind.Enquiry)], then.View.OpenInvolvement.Select(i => (i.PersonKey, i.Kind)));
    }

    [Fact]
    public void A_completion_that_arrives_before_its_start_leaves_nothing_open()
    {
        var then = Spec.Given(
                new ChildrenCinAssessmentCompleted("CIN-1", Maya, Spec.Day("2025-03-07"), ["21"]),
                new ChildrenCinAssessmentStarted("CIN-1", Maya, Spec.Day("2025-03-04")))
            .When("2025-03-10");

        Assert.Empty(then.View.OpenInvolvement);
    }

    [Fact]
    public void Involvement_is_read_on_the_evaluation_day()
    {
        var given = Spec.Given(
            new ChildrenCinPlanStarted("CP-1", Maya, Spec.Day("2025-03-04"), null),
            new ChildrenCinPlanEnded("CP-1", Maya, Spec.Day("2025-06-04")));

        Assert.Single(given.When("2025-06-03").View.OpenInvolvement);
        Assert.Empty(given.When("2025-06-04").View.OpenInvolvement);
    }

    [Fact]
    public void A_payload_the_projection_does_not_know_is_refused()
    {
        var fact = Spec.Fact(new UnknownEvent(), "x", 1);

        Assert.Throws<ArgumentException>(() => FamilyProjection.Evolve(FamilyState.Empty, fact));
        Assert.Throws<ArgumentException>(() => Spec.Fact("not an event", "y", 1));
    }

    [Fact]
    public void A_split_takes_the_moved_persons_out_of_the_family()
    {
        var then = Spec.Given(
                AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.Yes, Caring(Maya), NotCaring(Leo)),
                new FamilySplit("family-2", ["system:LCS/C-20412"], "integration team", null))
            .When("2025-03-10");

        Assert.Equal([KeyOf(Dawn), KeyOf(Maya)], then.View.Members.Select(m => m.Member.Key));
    }

    [Fact]
    public void A_known_person_seen_again_takes_the_newer_events_details_and_only_fills_gaps_from_older_ones()
    {
        static FamilyFact ClosedAt(PersonRef person, string occurredAt, long version) => Spec.Fact(
            new AdultCaseClosed(person, Spec.Day("2025-03-01"), "moved"), $"e{version}", version) with { OccurredAt = Spec.Instant(occurredAt) };

        var state = Spec.GivenFacts(
                ClosedAt(Dawn with { BirthDate = null }, "2025-03-05T09:00:00Z", 1),
                ClosedAt(Dawn with { GivenName = "Dawnie", Postcode = "N1 1AA" }, "2025-03-01T09:00:00Z", 2),
                ClosedAt(Dawn with { FamilyName = "Hughes-Jones", Postcode = null }, "2025-03-09T09:00:00Z", 3))
            .State;

        var dawn = Assert.Single(state.Members);
        Assert.Equal("Dawn", dawn.GivenName);
        Assert.Equal("Hughes-Jones", dawn.FamilyName);
        Assert.Equal(Dawn.BirthDate, dawn.BirthDate);
        Assert.Equal("EN5 1AB", dawn.Postcode);
        Assert.Equal(Spec.Instant("2025-03-09T09:00:00Z"), dawn.LastSeenAt);
        Assert.Equal<string>(["nhs:9434765919", "system:LAS/7781"], dawn.Identifiers);
    }

    private sealed record UnknownEvent : IInboundEvent
    {
        public IReadOnlyList<PersonRef> People => [];
    }
}
