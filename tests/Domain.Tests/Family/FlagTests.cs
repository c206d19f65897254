using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using static YoungCarers.Domain.Tests.Family.Build;
using static YoungCarers.Domain.Tests.Family.People;

namespace YoungCarers.Domain.Tests.Family;

public sealed class FlagTests
{
    [Fact]
    public void A_young_carer_nobody_picks_up_within_10_working_days_falls_between_services()
    {
        var school = Identified(Maya, "2025-03-03", Dawn);

        Spec.Given(school).When("2025-03-14").NoFlag(FlagNames.FallsBetweenServices);

        var flag = Spec.Given(school).When("2025-03-17").Flag(FlagNames.FallsBetweenServices);
        Assert.Equal([KeyOf(Maya)], flag.PersonKeys);
        Assert.Equal([new EventRef("urn:la:barnet:partner:school", "e1")], flag.Evidence);

        Spec.Given(school, ReferralReceived("CR-1", Maya, "2025-03-05")).When("2025-03-17").NoFlag(FlagNames.FallsBetweenServices);
        Spec.Given(school, AssessmentStarted("NA-1", Dawn, "2025-03-05")).When("2025-03-17").NoFlag(FlagNames.FallsBetweenServices);
    }

    [Fact]
    public void An_open_enquiry_is_not_a_service_picking_up_a_young_carer()
    {
        // Regression: any open involvement held the flag down, and an s47 enquiry stays open until the case closes.
        var school = Identified(Maya, "2025-03-03", Dawn);
        var s47 = new ChildrenSection47Started("S47-1", Maya, Spec.Day("2025-03-04"));
        var s42 = new AdultSafeguardingEnquiryStarted("SG-1", Dawn, Spec.Day("2025-03-04"));

        var flag = Spec.Given(school, s47, s42).When("2025-03-17").Flag(FlagNames.FallsBetweenServices);
        Assert.Equal([KeyOf(Maya)], flag.PersonKeys);
        Spec.Given(school, s47).When("2025-03-17").Flag(FlagNames.FallsBetweenServices);
        Spec.Given(school, s42).When("2025-03-17").Flag(FlagNames.FallsBetweenServices);

        Spec.Given(school, s47, s42, ReferralReceived("CR-1", Maya, "2025-03-05")).When("2025-03-17").NoFlag(FlagNames.FallsBetweenServices);
    }

    [Fact]
    public void Both_services_closing_while_an_obligation_is_open_is_falling_between_services()
    {
        var then = Spec.Given(
                AssessmentCompleted("NA-1", Dawn, "2025-03-03", ChildrenInHouseholdAnswer.Yes, Caring(Maya)),
                new AdultCaseClosed(Dawn, Spec.Day("2025-03-05"), "no eligible needs"),
                new ChildrenCaseClosed(Maya, Spec.Day("2025-03-05"), "RC8"))
            .When("2025-03-06");

        var flag = then.Flag(FlagNames.FallsBetweenServices);
        Assert.Equal([KeyOf(Maya)], flag.PersonKeys);
        Assert.Contains(ObligationKinds.ReferYoungCarer, flag.ObligationKinds);
        Assert.Contains(new EventRef(AdultSource, "e2"), flag.Evidence);
        Assert.Contains(new EventRef(ChildrenSource, "e3"), flag.Evidence);
    }

    [Fact]
    public void Childrens_declining_a_referral_after_adults_closed_is_flagged_until_a_young_carer_assessment()
    {
        object[] given =
        [
            new AdultCaseClosed(Dawn, Spec.Day("2025-03-03"), "no eligible needs"),
            ReferralReceived("CR-1", Maya, "2025-03-04"),
            ReferralDecided("CR-1", Maya, "2025-03-05", ChildrenReferralDecision.NoFurtherAction),
        ];

        var flag = Spec.Given(given).When("2025-03-06").Flag(FlagNames.ReferralDeclinedAfterOtherClosed);
        Assert.Equal([KeyOf(Maya)], flag.PersonKeys);
        Assert.Equal([new EventRef(ChildrenSource, "e3"), new EventRef(AdultSource, "e1")], flag.Evidence);

        Spec.Given([.. given, YoungCarerAssessed("YC-1", Maya, "2025-03-06")]).When("2025-03-07").NoFlag(FlagNames.ReferralDeclinedAfterOtherClosed);
        Spec.Given(given[1], given[2]).When("2025-03-06").NoFlag(FlagNames.ReferralDeclinedAfterOtherClosed);
    }

    [Fact]
    public void A_referral_declined_after_the_other_service_closed_is_flagged_unless_that_child_was_assessed_not_a_sibling()
    {
        // Regression: a completed assessment of any child in the family kept the flag down.
        var then = Spec.Given(
                YoungCarerAssessed("YC-1", Leo, "2025-02-20"),
                new AdultCaseClosed(Dawn, Spec.Day("2025-03-03"), "no eligible needs"),
                ReferralReceived("CR-1", Maya, "2025-03-04"),
                ReferralDecided("CR-1", Maya, "2025-03-05", ChildrenReferralDecision.NoFurtherAction))
            .When("2025-03-06");

        var flag = then.Flag(FlagNames.ReferralDeclinedAfterOtherClosed);
        Assert.Equal([KeyOf(Maya)], flag.PersonKeys);
        Assert.Equal([new EventRef(ChildrenSource, "e4"), new EventRef(AdultSource, "e2")], flag.Evidence);

        Spec.Given(
                YoungCarerAssessed("YC-1", Maya, "2025-02-20"),
                new AdultCaseClosed(Dawn, Spec.Day("2025-03-03"), "no eligible needs"),
                ReferralReceived("CR-1", Maya, "2025-03-04"),
                ReferralDecided("CR-1", Maya, "2025-03-05", ChildrenReferralDecision.NoFurtherAction))
            .When("2025-03-06").NoFlag(FlagNames.ReferralDeclinedAfterOtherClosed);
    }

    [Fact]
    public void Adults_closing_a_referral_unassessed_after_childrens_closed_is_flagged()
    {
        var flag = Spec.Given(
                new ChildrenCaseClosed(Maya, Spec.Day("2025-03-03"), "RC8"),
                new AdultReferralReceived("AR-1", Dawn, Spec.Day("2025-03-04"), null, [Caring(Maya)]),
                new AdultCaseClosed(Dawn, Spec.Day("2025-03-05"), "declined"))
            .When("2025-03-06").Flag(FlagNames.ReferralDeclinedAfterOtherClosed);

        Assert.Equal([new EventRef(AdultSource, "e3"), new EventRef(ChildrenSource, "e1")], flag.Evidence);
    }

    [Fact]
    public void An_active_care_plan_relying_on_a_child_is_flagged_until_reviewed_or_ended()
    {
        var plan = PlanAgreed("P-1", "2025-03-03", Maya);

        var flag = Spec.Given(plan).When("2025-03-04").Flag(FlagNames.PackageReliesOnYoungCarer);
        Assert.Equal([KeyOf(Dawn), KeyOf(Maya)], flag.PersonKeys);
        Assert.Equal([new EventRef(AdultSource, "e1")], flag.Evidence);

        Spec.Given(plan, new AdultCarePlanReviewed("P-1", Dawn, Spec.Day("2025-03-10"), false, [])).When("2025-03-11").NoFlag(FlagNames.PackageReliesOnYoungCarer);
        Spec.Given(plan, new AdultCarePlanEnded("P-1", Dawn, Spec.Day("2025-03-10"), "ended")).When("2025-03-11").NoFlag(FlagNames.PackageReliesOnYoungCarer);
    }

    [Fact]
    public void A_young_carer_who_turned_18_without_a_transition_assessment_is_flagged()
    {
        var school = Identified(Ellie, "2023-06-01", Dawn);

        Spec.Given(school).When("2026-02-28").NoFlag(FlagNames.TurnedEighteenWithoutTransitionAssessment);

        var flag = Spec.Given(school).When("2026-03-01").Flag(FlagNames.TurnedEighteenWithoutTransitionAssessment);
        Assert.Equal([KeyOf(Ellie)], flag.PersonKeys);
        Assert.Equal([ObligationKinds.TransitionAssessment], flag.ObligationKinds);

        Spec.Given(school, new AdultTransitionAssessmentCompleted("TA-1", Ellie, Spec.Day("2026-01-10"), false))
            .When("2026-03-01").NoFlag(FlagNames.TurnedEighteenWithoutTransitionAssessment);
    }

    [Fact]
    public void Any_overdue_obligation_is_flagged_with_its_kind()
    {
        var received = ReferralReceived("CR-1", Maya, "2025-03-07");

        Spec.Given(received).When("2025-03-10").NoFlag(FlagNames.ObligationOverdue);

        var flag = Spec.Given(received).When("2025-03-11").Flag(FlagNames.ObligationOverdue);
        Assert.Equal([KeyOf(Maya)], flag.PersonKeys);
        Assert.Equal([ObligationKinds.DecideOnReferral], flag.ObligationKinds);
        Assert.Equal([new EventRef(ChildrenSource, "e1")], flag.Evidence);
    }

    [Fact]
    public void An_open_safeguarding_or_child_protection_enquiry_is_flagged()
    {
        var then = Spec.Given(
                new AdultSafeguardingEnquiryStarted("SG-1", Dawn, Spec.Day("2025-03-03")),
                new ChildrenSection47Started("S47-1", Maya, Spec.Day("2025-03-04")))
            .When("2025-03-05");

        Assert.Equal([[KeyOf(Dawn)], [KeyOf(Maya)]], then.Flags.Where(f => f.Name == FlagNames.SafeguardingOpen).Select(f => f.PersonKeys));

        Spec.Given(
                new AdultSafeguardingEnquiryStarted("SG-1", Dawn, Spec.Day("2025-03-03")),
                new AdultSafeguardingEnquiryConcluded("SG-1", Dawn, Spec.Day("2025-03-04")))
            .When("2025-03-05").NoFlag(FlagNames.SafeguardingOpen);
    }

    [Fact]
    public void Every_flag_cites_the_clause_its_rule_rests_on()
    {
        // Regression: flags had no basis, though SPEC section 5 says every flag carries its rule's.
        var then = Spec.Given(
                Identified(Ellie, "2023-06-01", Dawn),
                PlanAgreed("P-1", "2026-02-02", Maya),
                new AdultSafeguardingEnquiryStarted("SG-1", Dawn, Spec.Day("2026-02-02")),
                Identified(Leo, "2026-02-02", Sam),
                new AdultCaseClosed(Sam, Spec.Day("2026-02-03"), "no eligible needs"),
                new ChildrenReferralReceived("CR-1", Leo, Spec.Day("2026-02-04"), "5A", ["young-carer"], [Sam], null),
                ReferralDecided("CR-1", Leo, "2026-02-05", ChildrenReferralDecision.NoFurtherAction),
                new Families.DisputeRaised("D-1", Services.ChildrensSocialCare, Families.DisputeSubject.NeedOwnership, [], "Whose need is it?", Spec.Instant("2026-03-02T10:00:00Z"), "j.smith"))
            .At("2026-03-04T12:00:00Z");

        var clauses = new Dictionary<string, string>
        {
            [FlagNames.FallsBetweenServices] = "No Wrong Doors",
            [FlagNames.ReferralDeclinedAfterOtherClosed] = "sections 11 and 14",
            [FlagNames.PackageReliesOnYoungCarer] = "statement of intent",
            [FlagNames.TurnedEighteenWithoutTransitionAssessment] = "s63-s64",
            [FlagNames.DisputeOverdue] = "section 18",
            [FlagNames.ObligationOverdue] = "each overdue obligation",
            [FlagNames.SafeguardingOpen] = "s42",
        };
        Assert.Equal(clauses.Keys.Order(StringComparer.Ordinal), then.Flags.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.All(then.Flags, flag => Assert.Contains(clauses[flag.Name], flag.Basis, StringComparison.Ordinal));
    }

    [Fact]
    public void An_absorbed_family_raises_no_flags()
    {
        var then = Spec.Given(
                new AdultSafeguardingEnquiryStarted("SG-1", Dawn, Spec.Day("2025-03-03")),
                new Families.FamilyAbsorbed("family-1", Families.MergeReason.Explicit, null, null, "integration team", null))
            .When("2025-03-05");

        Assert.Empty(then.Flags);
    }
}
