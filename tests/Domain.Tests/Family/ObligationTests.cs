using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using static YoungCarers.Domain.Tests.Family.Build;
using static YoungCarers.Domain.Tests.Family.People;

namespace YoungCarers.Domain.Tests.Family;

public sealed class ObligationTests
{
    [Fact]
    public void An_assessment_not_recording_children_owes_a_record_within_5_working_days()
    {
        var gap = AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.NotRecorded);

        var open = Spec.Given(gap).When("2025-03-11").Single(ObligationKinds.RecordChildrenInHousehold);
        Assert.Equal(
            new Obligation(ObligationKinds.RecordChildrenInHousehold, Services.AdultSocialCare, KeyOf(Dawn), new(AdultSource, "e1"), Spec.Day("2025-03-04"),
                null, null, Spec.Day("2025-03-11"), new DateTimeOffset(2025, 3, 12, 0, 0, 0, TimeSpan.Zero), ObligationStatus.Open, open.Basis, "spec-default"),
            open);
        Assert.Contains("reg 4(3)", open.Basis, StringComparison.Ordinal);

        Assert.Equal(ObligationStatus.Overdue, Spec.Given(gap).When("2025-03-12").Single(ObligationKinds.RecordChildrenInHousehold).Status);

        var met = Spec.Given(gap, AssessmentCompleted("NA-2", Dawn, "2025-03-06", ChildrenInHouseholdAnswer.No))
            .When("2025-03-20").Single(ObligationKinds.RecordChildrenInHousehold);
        Assert.Equal((ObligationStatus.Met, new EventRef(AdultSource, "e2"), Spec.Day("2025-03-06")), (met.Status, met.MetBy, met.MetOn));
    }

    [Fact]
    public void Of_two_discharges_on_the_same_day_the_one_with_the_ordinally_first_case_id_meets_the_obligation_whatever_the_hashing()
    {
        // Regression: the state kept case records in hash order, which .NET randomises per process,
        // so a daemon and a rebuild in different processes could cite different discharging events.
        var gap = AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.NotRecorded);
        for (var i = 0; i < 20; i++)
        {
            var (first, second) = ($"NA-{i:D2}-a", $"NA-{i:D2}-b");
            var met = Spec.Given(
                    gap,
                    AssessmentCompleted(second, Dawn, "2025-03-06", ChildrenInHouseholdAnswer.No),
                    AssessmentCompleted(first, Dawn, "2025-03-06", ChildrenInHouseholdAnswer.Yes))
                .When("2025-03-20").Single(ObligationKinds.RecordChildrenInHousehold);

            Assert.Equal("e3", met.MetBy?.EventId);
        }
    }

    [Fact]
    public void A_child_recorded_as_caring_with_no_childrens_involvement_must_be_referred()
    {
        var assessment = AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.Yes, Caring(Maya));

        var open = Spec.Given(assessment).When("2025-03-05").Single(ObligationKinds.ReferYoungCarer);
        Assert.Equal((KeyOf(Maya), Services.AdultSocialCare, "e1", Spec.Day("2025-03-11"), ObligationStatus.Open), (open.PersonKey, open.OwedBy, open.OpenedBy.EventId, open.DueOn, open.Status));
        Assert.Equal(ObligationStatus.Overdue, Spec.Given(assessment).When("2025-03-12").Single(ObligationKinds.ReferYoungCarer).Status);

        var met = Spec.Given(assessment, ReferredToChildrens("AR-1", Maya, "2025-03-06")).When("2025-03-12").Single(ObligationKinds.ReferYoungCarer);
        Assert.Equal((ObligationStatus.Met, "e2"), (met.Status, met.MetBy?.EventId));

        // Children's social care already has the referral: nothing to hand over.
        Spec.Given(ReferralReceived("CR-1", Maya, "2025-03-03"), assessment).When("2025-03-12").None(ObligationKinds.ReferYoungCarer);
    }

    [Fact]
    public void A_referral_sent_before_a_bank_holiday_weekend_is_due_after_it()
    {
        // Maundy Thursday 2025: Good Friday, the weekend and Easter Monday do not count.
        var sent = ReferredToChildrens("AR-1", Maya, "2025-04-17");

        var open = Spec.Given(sent).When(new DateTimeOffset(2025, 4, 22, 22, 59, 0, TimeSpan.Zero)).Single(ObligationKinds.AcknowledgeReferral);
        Assert.Equal((Services.ChildrensSocialCare, Spec.Day("2025-04-22"), new DateTimeOffset(2025, 4, 22, 23, 0, 0, TimeSpan.Zero), ObligationStatus.Open),
            (open.OwedBy, open.DueOn, open.Deadline, open.Status));
        Assert.Equal(ObligationStatus.Overdue,
            Spec.Given(sent).When(new DateTimeOffset(2025, 4, 22, 23, 0, 0, TimeSpan.Zero)).Single(ObligationKinds.AcknowledgeReferral).Status);

        var met = Spec.Given(sent, ReferralReceived("CR-1", Maya, "2025-04-22", linked: "AR-1")).When("2025-05-01").Single(ObligationKinds.AcknowledgeReferral);
        Assert.Equal((ObligationStatus.Met, "e2"), (met.Status, met.MetBy?.EventId));
    }

    [Fact]
    public void A_referral_received_is_decided_within_one_working_day_whatever_order_the_events_arrive_in()
    {
        var received = ReferralReceived("CR-1", Maya, "2025-03-07");

        var open = Spec.Given(received).When("2025-03-10").Single(ObligationKinds.DecideOnReferral);
        Assert.Equal((Spec.Day("2025-03-10"), ObligationStatus.Open), (open.DueOn, open.Status));
        Assert.Equal(ObligationStatus.Overdue, Spec.Given(received).When("2025-03-11").Single(ObligationKinds.DecideOnReferral).Status);

        // The decision reached us before the referral itself.
        var met = Spec.Given(ReferralDecided("CR-1", Maya, "2025-03-10"), received).When("2025-03-11").Single(ObligationKinds.DecideOnReferral);
        Assert.Equal((ObligationStatus.Met, "e1", "e2"), (met.Status, met.MetBy?.EventId, met.OpenedBy.EventId));
    }

    [Fact]
    public void A_child_first_identified_as_a_young_carer_is_assessed_within_45_working_days()
    {
        var school = Identified(Maya, "2025-04-01", Dawn);
        var later = Identified(Maya, "2025-05-01", Dawn);

        var open = Spec.Given(school, later).When("2025-06-09").Single(ObligationKinds.YoungCarerAssessment);
        Assert.Equal((Services.ChildrensSocialCare, "e1", Spec.Day("2025-06-09"), ObligationStatus.Open), (open.OwedBy, open.OpenedBy.EventId, open.DueOn, open.Status));
        Assert.Equal(ObligationStatus.Overdue, Spec.Given(school).When("2025-06-10").Single(ObligationKinds.YoungCarerAssessment).Status);

        var met = Spec.Given(school, new ChildrenCinAssessmentCompleted("CIN-1", Maya, Spec.Day("2025-05-20"), ["7A", "6B"]))
            .When("2025-06-10").Single(ObligationKinds.YoungCarerAssessment);
        Assert.Equal((ObligationStatus.Met, "e2"), (met.Status, met.MetBy?.EventId));
    }

    [Fact]
    public void A_young_carers_adult_with_no_adult_involvement_is_offered_an_assessment()
    {
        var school = Identified(Maya, "2025-03-04", Dawn);

        var open = Spec.Given(school).When("2025-03-05").Single(ObligationKinds.OfferAdultAssessment);
        Assert.Equal((KeyOf(Dawn), Services.AdultSocialCare, Spec.Day("2025-03-11"), ObligationStatus.Open), (open.PersonKey, open.OwedBy, open.DueOn, open.Status));
        Assert.Equal(ObligationStatus.Overdue, Spec.Given(school).When("2025-03-12").Single(ObligationKinds.OfferAdultAssessment).Status);

        var met = Spec.Given(school, AssessmentStarted("NA-1", Dawn, "2025-03-10")).When("2025-03-12").Single(ObligationKinds.OfferAdultAssessment);
        Assert.Equal((ObligationStatus.Met, "e2"), (met.Status, met.MetBy?.EventId));

        // Already known to adult social care: no offer is owed.
        Spec.Given(PlanAgreed("P-1", "2025-01-10"), school).When("2025-03-12").None(ObligationKinds.OfferAdultAssessment);
    }

    [Fact]
    public void A_referral_from_childrens_social_care_is_an_offer_owed()
    {
        var referral = new ChildrenReferralToAdultsSent("R-1", Dawn, Maya, Spec.Day("2025-03-04"), ReferralToAdultsReason.AppearanceOfNeed);

        var open = Spec.Given(referral).When("2025-03-05").Single(ObligationKinds.OfferAdultAssessment);
        Assert.Equal((KeyOf(Dawn), "e1", ObligationStatus.Open), (open.PersonKey, open.OpenedBy.EventId, open.Status));
    }

    [Fact]
    public void An_adult_assessment_started_while_a_young_carer_is_known_completes_within_28_days_even_if_the_completion_arrives_first()
    {
        var school = Identified(Maya, "2025-03-03", Dawn);
        var started = AssessmentStarted("NA-1", Dawn, "2025-03-04");

        var open = Spec.Given(school, started).When("2025-04-01").Single(ObligationKinds.CompleteAdultAssessment);
        Assert.Equal((KeyOf(Dawn), "e2", Spec.Day("2025-04-01"), ObligationStatus.Open), (open.PersonKey, open.OpenedBy.EventId, open.DueOn, open.Status));
        Assert.Equal(ObligationStatus.Overdue, Spec.Given(school, started).When("2025-04-02").Single(ObligationKinds.CompleteAdultAssessment).Status);

        var completed = AssessmentCompleted("NA-1", Dawn, "2025-03-20", ChildrenInHouseholdAnswer.Yes, Caring(Maya));
        var met = Spec.Given(school, completed, started).When("2025-04-02").Single(ObligationKinds.CompleteAdultAssessment);
        Assert.Equal((ObligationStatus.Met, "e2", "e3"), (met.Status, met.MetBy?.EventId, met.OpenedBy.EventId));

        // No young carer known: the statutory guidance's own timescale is not this service's business.
        Spec.Given(started).When("2025-04-02").None(ObligationKinds.CompleteAdultAssessment);
    }

    [Fact]
    public void A_care_plan_relying_on_a_child_is_reviewed_within_20_working_days()
    {
        var plan = PlanAgreed("P-1", "2025-03-03", Maya);

        var open = Spec.Given(plan).When("2025-03-31").Single(ObligationKinds.ReviewCarePlanRelyingOnChild);
        Assert.Equal((KeyOf(Dawn), Spec.Day("2025-03-31"), ObligationStatus.Open), (open.PersonKey, open.DueOn, open.Status));
        Assert.Equal(ObligationStatus.Overdue, Spec.Given(plan).When("2025-04-01").Single(ObligationKinds.ReviewCarePlanRelyingOnChild).Status);

        var stillRelying = new AdultCarePlanReviewed("P-1", Dawn, Spec.Day("2025-03-14"), true, [Maya]);
        var reviewed = new AdultCarePlanReviewed("P-1", Dawn, Spec.Day("2025-03-20"), false, []);
        var met = Spec.Given(plan, stillRelying, reviewed).When("2025-04-01").Single(ObligationKinds.ReviewCarePlanRelyingOnChild);
        Assert.Equal((ObligationStatus.Met, "e3", "e1"), (met.Status, met.MetBy?.EventId, met.OpenedBy.EventId));
    }

    [Fact]
    public void A_young_carer_assessment_finding_excessive_caring_reopens_the_adults_plan()
    {
        var then = Spec.Given(PlanAgreed("P-1", "2025-03-03"), YoungCarerAssessed("YC-1", Maya, "2025-03-10", excessive: true),
                new AdultCarePlanEnded("P-1", Dawn, Spec.Day("2025-03-25"), "replaced"))
            .When("2025-04-01");

        var met = then.Single(ObligationKinds.ReviewCarePlanRelyingOnChild);
        Assert.Equal((KeyOf(Dawn), "e2", "e3", ObligationStatus.Met), (met.PersonKey, met.OpenedBy.EventId, met.MetBy?.EventId, met.Status));
    }

    [Fact]
    public void A_young_carer_born_on_29_february_is_owed_a_transition_assessment_from_1_march_at_17()
    {
        var school = Identified(Ellie, "2023-06-01", Dawn);

        Spec.Given(school).When("2025-02-28").None(ObligationKinds.TransitionAssessment);

        var open = Spec.Given(school).When("2025-03-01").Single(ObligationKinds.TransitionAssessment);
        Assert.Equal((KeyOf(Ellie), Services.AdultSocialCare, "e1", Spec.Day("2025-03-01"), Spec.Day("2026-02-28"), ObligationStatus.Open),
            (open.PersonKey, open.OwedBy, open.OpenedBy.EventId, open.OpenedOn, open.DueOn, open.Status));
        Assert.Equal(ObligationStatus.Overdue, Spec.Given(school).When("2026-03-01").Single(ObligationKinds.TransitionAssessment).Status);

        var met = Spec.Given(school, new AdultTransitionAssessmentCompleted("TA-1", Ellie, Spec.Day("2025-11-01"), true))
            .When("2026-03-01").Single(ObligationKinds.TransitionAssessment);
        Assert.Equal((ObligationStatus.Met, "e2"), (met.Status, met.MetBy?.EventId));
    }

    [Fact]
    public void A_young_carer_first_identified_after_17_is_owed_a_transition_assessment_from_then()
    {
        var open = Spec.Given(Identified(Ellie, "2025-09-01", Dawn)).When("2025-09-02").Single(ObligationKinds.TransitionAssessment);

        Assert.Equal((Spec.Day("2025-09-01"), Spec.Day("2026-02-28")), (open.OpenedOn, open.DueOn));
    }

    [Fact]
    public void A_young_carer_who_stopped_caring_before_17_is_not_owed_a_transition_assessment()
    {
        Spec.Given(
                AssessmentCompleted("NA-1", Dawn, "2023-06-01", ChildrenInHouseholdAnswer.Yes, Caring(Ellie)),
                AssessmentCompleted("NA-2", Dawn, "2024-06-01", ChildrenInHouseholdAnswer.Yes, NotCaring(Ellie)))
            .When("2025-06-01").None(ObligationKinds.TransitionAssessment);
    }

    [Fact]
    public void The_end_of_the_cared_for_adults_plan_calls_for_the_young_carer_to_be_reassessed()
    {
        var given = new object[] { PlanAgreed("P-1", "2025-03-01"), YoungCarerAssessed("YC-1", Maya, "2025-03-04"), new AdultCarePlanEnded("P-1", Dawn, Spec.Day("2025-04-01"), "moved to residential care") };

        var open = Spec.Given(given).When("2025-05-01").Single(ObligationKinds.ReviewYoungCarerAssessment);
        Assert.Equal((KeyOf(Maya), Services.ChildrensSocialCare, "e3", Spec.Day("2025-05-01"), ObligationStatus.Open),
            (open.PersonKey, open.OwedBy, open.OpenedBy.EventId, open.DueOn, open.Status));
        Assert.Equal(ObligationStatus.Overdue, Spec.Given(given).When("2025-05-02").Single(ObligationKinds.ReviewYoungCarerAssessment).Status);

        var met = Spec.Given([.. given, YoungCarerAssessed("YC-2", Maya, "2025-04-20")]).When("2025-05-02").Single(ObligationKinds.ReviewYoungCarerAssessment);
        Assert.Equal((ObligationStatus.Met, "e4"), (met.Status, met.MetBy?.EventId));
    }

    [Fact]
    public void A_merge_in_the_middle_of_an_open_obligation_carries_it_into_the_surviving_family()
    {
        var merged = new FamilyMerged("family-2", MergeReason.LinkedByEvent, ChildrenSource, "e4", null, null);

        // The survivor's stream: its own facts, the merge, the absorbed family's facts, then what came after.
        var survivor = Spec.Given(
                Identified(Maya, "2025-03-03", Dawn),
                merged,
                ReferredToChildrens("AR-1", Maya, "2025-03-04"),
                ReferralReceived("CR-1", Maya, "2025-03-05", linked: "AR-1"))
            .When("2025-03-10");
        var acknowledged = survivor.Single(ObligationKinds.AcknowledgeReferral);
        Assert.Equal((ObligationStatus.Met, "e3", "e4"), (acknowledged.Status, acknowledged.OpenedBy.EventId, acknowledged.MetBy?.EventId));
        Assert.Equal(["family-2"], survivor.View.MergedFamilyIds);

        // The absorbed family's own stream ends with the pointer and owes nothing any more.
        var absorbed = Spec.Given(ReferredToChildrens("AR-1", Maya, "2025-03-04"), new FamilyAbsorbed("family-1", MergeReason.LinkedByEvent, ChildrenSource, "e4", null, null))
            .When("2025-03-10");
        Assert.Empty(absorbed.Obligations);
        Assert.Equal("family-1", absorbed.View.SurvivorFamilyId);
    }

    [Fact]
    public void A_young_carer_coming_to_light_while_an_adult_assessment_runs_opens_its_deadline()
    {
        var open = Spec.Given(AssessmentStarted("NA-1", Dawn, "2025-03-04"), Identified(Maya, "2025-03-10", Dawn))
            .When("2025-03-11").Single(ObligationKinds.CompleteAdultAssessment);

        Assert.Equal(("e1", Spec.Day("2025-04-01")), (open.OpenedBy.EventId, open.DueOn));
    }

    [Fact]
    public void A_rebuild_finds_the_same_obligations_with_the_same_ids()
    {
        object[] given = [AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.Yes, Caring(Maya)), PlanAgreed("P-1", "2025-03-05", Maya)];

        var first = Spec.Given(given).When("2025-03-20").Obligations;
        var again = Spec.Given(given).When("2025-03-20").Obligations;

        Assert.Equal(first, again);
        Assert.Equal(first.Count, first.Select(o => o.Id).Distinct().Count());
        Assert.Contains($"refer-young-carer:{KeyOf(Maya)}:{AdultSource}/e1", first.Select(o => o.Id));
    }

    [Fact]
    public void An_obligation_records_the_policy_it_was_computed_under()
    {
        var policy = LocalPolicy.Default with
        {
            Version = "barnet-2025-04",
            Timescales = new Dictionary<string, Timescale>(LocalPolicy.Default.Timescales) { [ObligationKinds.DecideOnReferral] = new(3, DayCount.WorkingDays) },
        };

        var open = Spec.Given(ReferralReceived("CR-1", Maya, "2025-03-07")).When("2025-03-10", policy).Single(ObligationKinds.DecideOnReferral);
        Assert.Equal(("barnet-2025-04", Spec.Day("2025-03-12")), (open.PolicyVersion, open.DueOn));
    }

    [Fact]
    public void An_obligations_id_names_its_kind_person_and_opener_even_in_a_copy_that_changes_them()
    {
        var open = Spec.Given(ReferralReceived("CR-1", Maya, "2025-03-07")).When("2025-03-10").Single(ObligationKinds.DecideOnReferral);
        Assert.Equal($"decide-on-referral:{KeyOf(Maya)}:{ChildrenSource}/e1", open.Id);

        var moved = open with { PersonKey = "system:LCS/C-1", OpenedBy = new EventRef(ChildrenSource, "e9") };
        Assert.Equal($"decide-on-referral:system:LCS/C-1:{ChildrenSource}/e9", moved.Id);
        Assert.Equal(open, moved with { PersonKey = open.PersonKey, OpenedBy = open.OpenedBy });
    }
}
