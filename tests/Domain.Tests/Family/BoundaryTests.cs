using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using static YoungCarers.Domain.Tests.Family.Build;
using static YoungCarers.Domain.Tests.Family.People;

namespace YoungCarers.Domain.Tests.Family;

/// <summary>The edges of the calendar and of the stream that the other specs do not reach.</summary>
public sealed class BoundaryTests
{
    [Fact]
    public void Deadlines_skip_good_friday_the_weekend_and_easter_monday_2026()
    {
        // Sent on Thursday 2 April 2026: Friday 3 and Monday 6 April are bank holidays.
        var acknowledge = Spec.Given(ReferredToChildrens("AR-1", Maya, "2026-04-02")).When("2026-04-07").Single(ObligationKinds.AcknowledgeReferral);
        Assert.Equal((Spec.Day("2026-04-07"), Spec.Instant("2026-04-07T23:00:00Z"), ObligationStatus.Open), (acknowledge.DueOn, acknowledge.Deadline, acknowledge.Status));

        // Identified on Wednesday 1 April: five working days are 2, 7, 8, 9 and 10 April.
        var offer = Spec.Given(Identified(Maya, "2026-04-01", Dawn));
        Assert.Equal(Spec.Day("2026-04-10"), offer.When("2026-04-10").Single(ObligationKinds.OfferAdultAssessment).DueOn);
        Assert.Equal(ObligationStatus.Open, offer.When(Spec.Instant("2026-04-10T22:59:59Z")).Single(ObligationKinds.OfferAdultAssessment).Status);
        Assert.Equal(ObligationStatus.Overdue, offer.When(Spec.Instant("2026-04-10T23:00:00Z")).Single(ObligationKinds.OfferAdultAssessment).Status);
    }

    [Theory]
    // 28 calendar days from the start. The clocks go forward at 01:00 UTC on Sunday 29 March 2026:
    // 28 March ends in GMT, 29 and 30 March end in BST (23:00 UTC).
    [InlineData("2026-02-28", "2026-03-28", "2026-03-29T00:00:00Z")]
    [InlineData("2026-03-01", "2026-03-29", "2026-03-29T23:00:00Z")]
    [InlineData("2026-03-02", "2026-03-30", "2026-03-30T23:00:00Z")]
    // The clocks go back at 01:00 UTC on Sunday 25 October 2026: 24 October ends in BST, 25 October in GMT.
    [InlineData("2026-09-26", "2026-10-24", "2026-10-24T23:00:00Z")]
    [InlineData("2026-09-27", "2026-10-25", "2026-10-26T00:00:00Z")]
    public void A_deadline_is_the_end_of_the_due_day_in_uk_time_either_side_of_a_clock_change(string started, string due, string deadline)
    {
        var given = Spec.Given(Identified(Maya, "2026-02-20", Dawn), AssessmentStarted("NA-1", Dawn, started));

        var open = given.When(Spec.Instant(deadline).AddTicks(-1)).Single(ObligationKinds.CompleteAdultAssessment);
        Assert.Equal((Spec.Day(due), Spec.Instant(deadline), ObligationStatus.Open), (open.DueOn, open.Deadline, open.Status));
        Assert.Equal(ObligationStatus.Overdue, given.When(Spec.Instant(deadline)).Single(ObligationKinds.CompleteAdultAssessment).Status);
    }

    [Theory]
    // Born 29 February 2008: in a common year a birthday falls on 1 March (Ages.Reaches), never 28 February.
    [InlineData("2025-02-28", 16, true)]
    [InlineData("2025-03-01", 17, true)]
    [InlineData("2026-02-28", 17, true)]
    [InlineData("2026-03-01", 18, false)]
    [InlineData("2028-02-28", 19, false)]
    [InlineData("2028-02-29", 20, false)]
    public void A_young_carer_born_on_29_february_has_birthdays_on_1_march_in_common_years(string today, int age, bool child)
    {
        var ellie = Spec.Given(Identified(Ellie, "2023-06-01", Dawn)).When(today).Member(Ellie);

        Assert.Equal(age, ellie.Age);
        Assert.Equal(child ? [FamilyRole.Child, FamilyRole.YoungCarer] : [FamilyRole.YoungAdultCarer], ellie.Roles);
    }

    [Fact]
    public void Turning_18_on_1_march_is_the_next_change_for_a_young_carer_born_on_29_february()
    {
        var state = Spec.Given(Identified(Ellie, "2023-06-01", Dawn)).State;

        // Her transition assessment falls due at the end of 28 February 2026 and she turns 18 at the start of 1 March.
        Assert.Equal(Spec.Instant("2026-03-01T00:00:00Z"), FamilyProjection.NextChange(state, Spec.Noon("2026-02-28"), LocalPolicy.Default));
        Assert.Equal(Spec.Instant("2025-03-01T00:00:00Z"), FamilyProjection.NextChange(state, Spec.Noon("2025-02-28"), LocalPolicy.Default));
    }

    [Fact]
    public void A_young_carer_assessment_completed_before_its_start_arrived_reads_the_same_as_in_order()
    {
        var identified = Identified(Maya, "2025-03-03", Dawn);
        var started = new ChildrenYoungCarerAssessmentStarted("YC-1", Maya, Spec.Day("2025-03-20"));
        var completed = YoungCarerAssessed("YC-1", Maya, "2025-04-10");

        foreach (var given in new[] { Spec.Given(identified, completed, started), Spec.Given(identified, started, completed) })
        {
            var running = given.When("2025-04-01");
            Assert.Equal([(InvolvementKind.Assessment, Spec.Day("2025-03-20"))],
                running.View.OpenInvolvement.Where(i => i.Service == Services.ChildrensSocialCare).Select(i => (i.Kind, i.Since)));

            var done = given.When("2025-04-15");
            Assert.Equal([(InvolvementKind.Support, Spec.Day("2025-04-10"))],
                done.View.OpenInvolvement.Where(i => i.Service == Services.ChildrensSocialCare).Select(i => (i.Kind, i.Since)));
            var assessment = done.Single(ObligationKinds.YoungCarerAssessment);
            Assert.Equal((ObligationStatus.Met, Spec.Day("2025-04-10")), (assessment.Status, assessment.MetOn));
        }
    }

    [Fact]
    public void An_open_obligation_keeps_its_id_and_due_date_when_its_family_is_merged_into_another()
    {
        // family-2 receives a referral about Maya; family-1 (older) knew Dawn; an event links them.
        var referral = Spec.Fact(ReferralReceived("CR-7", Maya, "2025-03-07"), "lcs-evt-7", 1) with { StreamId = "family-2" };
        var absorbedBefore = Spec.GivenFacts(referral).When("2025-03-10").Single(ObligationKinds.DecideOnReferral);
        Assert.Equal(ObligationStatus.Open, absorbedBefore.Status);

        // The survivor's stream: its own fact, the merge, then the absorbed family's facts replayed with their own ids.
        var survivor = Spec.GivenFacts(
            Spec.Fact(AssessmentStarted("NA-1", Dawn, "2025-03-03"), "las-evt-1", 1),
            Spec.Fact(new FamilyMerged("family-2", MergeReason.LinkedByEvent, ChildrenSource, "lcs-evt-7", null, null), "merge-1", 2),
            referral with { StreamId = "family-1", StreamVersion = 3 });
        var carried = survivor.When("2025-03-10").Single(ObligationKinds.DecideOnReferral);
        Assert.Equal((absorbedBefore.Id, absorbedBefore.DueOn, absorbedBefore.Deadline, ObligationStatus.Open),
            (carried.Id, carried.DueOn, carried.Deadline, carried.Status));
        Assert.Equal(ObligationStatus.Overdue, survivor.When("2025-03-11").Single(ObligationKinds.DecideOnReferral).Status);

        // The absorbed stream itself, once closed with its pointer, owes nothing.
        var closed = Spec.GivenFacts(referral, Spec.Fact(new FamilyAbsorbed("family-1", MergeReason.LinkedByEvent, ChildrenSource, "lcs-evt-7", null, null), "absorbed-1", 2));
        Assert.Empty(closed.When("2025-03-10").Obligations);
    }

    [Fact]
    public void A_merge_that_finds_the_person_under_another_identifier_still_honours_a_waiver_written_before_it()
    {
        // The survivor knew Maya by her LAS id and NHS number first, so her key there is the LAS one.
        var mayaInLasWithNhs = MayaInLas with { NhsNumber = Maya.NhsNumber };
        var referral = Spec.Fact(ReferralReceived("CR-7", Maya, "2025-03-07"), "lcs-evt-7", 1) with { StreamId = "family-2" };
        var absorbedId = Spec.GivenFacts(referral).When("2025-03-10").Single(ObligationKinds.DecideOnReferral).Id;
        var waiver = Spec.Fact(new ObligationWaived(absorbedId, "Duplicate of the adult referral.", "integration.team", Spec.Instant("2025-03-09T10:00:00Z")), "waiver-1", 2);

        var survivor = Spec.GivenFacts(
            Spec.Fact(AssessmentCompleted("NA-1", Dawn, "2025-03-03", ChildrenInHouseholdAnswer.Yes, Caring(mayaInLasWithNhs)), "las-evt-1", 1),
            Spec.Fact(new FamilyMerged("family-2", MergeReason.LinkedByEvent, ChildrenSource, "lcs-evt-7", null, null), "merge-1", 2),
            referral with { StreamId = "family-1", StreamVersion = 3 },
            waiver with { StreamVersion = 4 }).When("2025-03-12");

        var decide = survivor.Single(ObligationKinds.DecideOnReferral);
        Assert.Equal(KeyOf(MayaInLas), decide.PersonKey);
        Assert.Equal((ObligationStatus.Waived, "waiver-1"), (decide.Status, decide.Waiver?.WaivedByEvent.EventId));
    }

    private sealed record Unknown : IFamilyEvent;

    [Fact]
    public void A_family_event_the_projection_does_not_know_is_refused_not_skipped()
    {
        Assert.Throws<ArgumentException>(() => Spec.Given(new Unknown()).State);
        Assert.Throws<ArgumentException>(() => FamilyEventSerializer.Serialize(new Unknown()));
    }
}
