using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using static YoungCarers.Domain.Tests.Family.Build;
using static YoungCarers.Domain.Tests.Family.People;

namespace YoungCarers.Domain.Tests.Family;

/// <summary>
/// A dispute raised on Monday 2 March 2026 at 10:00 (GMT) under the default ladder. Stage 1 is due
/// Monday 9 March, stage 2 Monday 16 March, stage 3 Monday 23 March, and stage 4 (10 working days,
/// over Good Friday and Easter Monday 2026, in BST) Wednesday 8 April; the interim lead is due
/// Tuesday 3 March.
/// </summary>
public sealed class DisputeTests
{
    private const string Raising = "2026-03-02T10:00:00Z";
    private static readonly object School = Identified(Maya, "2026-02-20", Dawn);

    private static DisputeRaised Raised(string id = "D-1", string at = Raising) =>
        new(id, Services.ChildrensSocialCare, DisputeSubject.NeedOwnership, [$"nhs:{Maya.NhsNumber}"],
            "Whose need is the personal care Maya gives her mother?", Spec.Instant(at), "j.smith");

    private static DisputeEscalated Escalated(string at, int? fromStage = null) =>
        new("D-1", "No agreement at this level.", Spec.Instant(at), "a.manager", fromStage);

    private static DisputeInterimLeadAgreed Agreed(string at, string lead = Services.AdultSocialCare) => new("D-1", lead, Spec.Instant(at), "a.manager");

    private static DisputeResolved Resolved(string at) =>
        new("D-1", Services.AdultSocialCare, [new(Services.AdultSocialCare, 70m), new(Services.ChildrensSocialCare, 30m)], Spec.Instant(at),
            "Adult social care leads; children's social care funds Maya's breaks.", "heads.of.service");

    [Fact]
    public void A_dispute_raised_starts_with_the_practitioners_and_owes_an_interim_lead_within_a_working_day()
    {
        var then = Spec.Given(School, Raised()).At("2026-03-02T12:00:00Z");

        var dispute = then.Dispute("D-1");
        Assert.Equal((DisputeStatus.Open, 1, "practitioners", Spec.Instant(Raising), Spec.Day("2026-03-09"), Spec.Instant("2026-03-10T00:00:00Z"), false),
            (dispute.Status, dispute.Stage, dispute.StageName, dispute.StageEnteredAt, dispute.StageDueOn, dispute.StageDeadline, dispute.PastDeadline));
        Assert.Equal((Services.ChildrensSocialCare, DisputeSubject.NeedOwnership, "j.smith"), (dispute.RaisedBy, dispute.Subject, dispute.RaisedByUser));
        Assert.Equal([KeyOf(Maya)], dispute.PersonKeys);
        Assert.Equal(new InterimLead(InterimLeadStatus.Pending, Spec.Day("2026-03-03"), Spec.Instant("2026-03-04T00:00:00Z"), null, null, null), dispute.InterimLead);
        Assert.Equal([new EventRef(Spec.SourceOf(Raised()), "e2")], dispute.Events);
        Assert.Contains("section 18", dispute.Basis, StringComparison.Ordinal);
        Assert.Equal("spec-default", dispute.PolicyVersion);
        Assert.Null(dispute.Resolution);
        Assert.Null(dispute.Overdue);
        Assert.Single(dispute.History);
        then.NoFlag(FlagNames.DisputeOverdue);

        // Not raised yet at an earlier instant.
        Assert.Empty(Spec.Given(School, Raised()).At("2026-03-02T09:59:59Z").Disputes);
    }

    [Theory]
    [InlineData("2026-03-09T23:59:59Z", 1, "practitioners", false)]
    [InlineData("2026-03-10T00:00:00Z", 2, "team managers", false)]
    [InlineData("2026-03-16T23:59:59Z", 2, "team managers", false)]
    [InlineData("2026-03-17T00:00:00Z", 3, "heads of service", false)]
    [InlineData("2026-03-23T23:59:59Z", 3, "heads of service", false)]
    [InlineData("2026-03-24T00:00:00Z", 4, "directors of adult and children's services", false)]
    // Ten working days over Easter 2026 (3 and 6 April), ending in BST: 23:00 UTC on 8 April.
    [InlineData("2026-04-08T22:59:59Z", 4, "directors of adult and children's services", false)]
    [InlineData("2026-04-08T23:00:00Z", 4, "directors of adult and children's services", true)]
    [InlineData("2027-01-01T00:00:00Z", 4, "directors of adult and children's services", true)]
    public void An_unresolved_stage_escalates_automatically_at_its_deadline(string at, int stage, string name, bool pastDeadline)
    {
        var dispute = Spec.Given(School, Raised(), Agreed("2026-03-03T09:00:00Z")).At(at).Dispute("D-1");

        Assert.Equal((stage, name, pastDeadline, DisputeStatus.Open), (dispute.Stage, dispute.StageName, dispute.PastDeadline, dispute.Status));
        Assert.Equal(stage, dispute.History.Count);
        Assert.All(dispute.History.SkipLast(1), h => Assert.Equal((DisputeStageExit.EscalatedAutomatically, true, h.Deadline), (h.Exit!.Value, h.Overdue, h.LeftAt!.Value)));
    }

    [Fact]
    public void Automatic_escalations_are_recorded_as_overdue_stages_with_when()
    {
        var dispute = Spec.Given(School, Raised(), Agreed("2026-03-03T09:00:00Z")).At("2026-04-09T12:00:00Z").Dispute("D-1");

        Assert.Equal(
            [
                (1, Spec.Instant(Raising), Spec.Day("2026-03-09"), (DateTimeOffset?)Spec.Instant("2026-03-10T00:00:00Z"), (DisputeStageExit?)DisputeStageExit.EscalatedAutomatically, true),
                (2, Spec.Instant("2026-03-10T00:00:00Z"), Spec.Day("2026-03-16"), Spec.Instant("2026-03-17T00:00:00Z"), DisputeStageExit.EscalatedAutomatically, true),
                (3, Spec.Instant("2026-03-17T00:00:00Z"), Spec.Day("2026-03-23"), Spec.Instant("2026-03-24T00:00:00Z"), DisputeStageExit.EscalatedAutomatically, true),
                (4, Spec.Instant("2026-03-24T00:00:00Z"), Spec.Day("2026-04-08"), null, null, true),
            ],
            dispute.History.Select(h => (h.Number, h.EnteredAt, h.DueOn, h.LeftAt, h.Exit, h.Overdue)));
        Assert.Equal(Spec.Instant("2026-04-08T23:00:00Z"), dispute.StageDeadline);
        Assert.Contains("last stage", dispute.Overdue, StringComparison.Ordinal);
    }

    [Fact]
    public void A_user_can_escalate_before_the_deadline_and_the_next_stage_counts_from_that_day()
    {
        var given = new object[]
        {
            School, Raised(), Agreed("2026-03-03T09:00:00Z"),
            Escalated("2026-03-04T14:00:00Z", fromStage: 1), Escalated("2026-03-05T09:00:00Z"), Escalated("2026-03-06T09:00:00Z", fromStage: 3),
            Escalated("2026-03-09T09:00:00Z", fromStage: 4),
        };

        var second = Spec.Given(given).At("2026-03-04T15:00:00Z").Dispute("D-1");
        Assert.Equal((2, Spec.Instant("2026-03-04T14:00:00Z"), Spec.Day("2026-03-11")), (second.Stage, second.StageEnteredAt, second.StageDueOn));
        var first = second.History[0];
        Assert.Equal((DisputeStageExit.EscalatedManually, false, "No agreement at this level.", "e4"), (first.Exit!.Value, first.Overdue, first.Reason, first.LeftBy?.EventId));

        // Manual escalations reach the top of the ladder; there is nowhere higher to go.
        var top = Spec.Given(given).At("2026-03-10T12:00:00Z");
        var dispute = top.Dispute("D-1");
        Assert.Equal((4, Spec.Instant("2026-03-06T09:00:00Z"), Spec.Day("2026-03-20")), (dispute.Stage, dispute.StageEnteredAt, dispute.StageDueOn));
        Assert.All(dispute.History.SkipLast(1), h => Assert.Equal(DisputeStageExit.EscalatedManually, h.Exit));
        Assert.Equal(["e2", "e4", "e5", "e6", "e7", "e3"], dispute.Events.Select(e => e.EventId));
        Assert.Null(dispute.Overdue);
        top.NoFlag(FlagNames.DisputeOverdue);
    }

    [Fact]
    public void An_escalation_from_a_stage_the_deadline_already_left_does_not_escalate_again()
    {
        var stale = Spec.Given(School, Raised(), Escalated("2026-03-10T10:00:00Z", fromStage: 1)).At("2026-03-10T12:00:00Z").Dispute("D-1");
        Assert.Equal(2, stale.Stage);
        Assert.Contains(stale.Events, e => e.EventId == "e3");

        var fromWherever = Spec.Given(School, Raised(), Escalated("2026-03-10T10:00:00Z")).At("2026-03-10T12:00:00Z").Dispute("D-1");
        Assert.Equal((3, DisputeStageExit.EscalatedAutomatically, DisputeStageExit.EscalatedManually),
            (fromWherever.Stage, fromWherever.History[0].Exit!.Value, fromWherever.History[1].Exit!.Value));
    }

    [Theory]
    [InlineData("2026-03-05T10:00:00Z", 1, false)]
    [InlineData("2026-03-12T10:00:00Z", 2, false)]
    [InlineData("2026-03-19T10:00:00Z", 3, false)]
    [InlineData("2026-04-01T10:00:00Z", 4, false)]
    [InlineData("2026-04-20T10:00:00Z", 4, true)]
    public void A_dispute_can_be_resolved_at_any_stage_and_its_timers_stop(string at, int stage, bool late)
    {
        var then = Spec.Given(School, Raised(), Agreed("2026-03-03T09:00:00Z"), Resolved(at)).At("2026-09-01T12:00:00Z");

        var dispute = then.Dispute("D-1");
        Assert.Equal((DisputeStatus.Resolved, stage, false), (dispute.Status, dispute.Stage, dispute.PastDeadline));
        Assert.Equal(
            new DisputeResolution(Services.AdultSocialCare, [new(Services.AdultSocialCare, 70m), new(Services.ChildrensSocialCare, 30m)], Spec.Instant(at),
                "Adult social care leads; children's social care funds Maya's breaks.", "heads.of.service", new(Spec.SourceOf(Raised()), "e4")),
            dispute.Resolution);
        var last = dispute.History[^1];
        Assert.Equal((DisputeStageExit.Resolved, Spec.Instant(at), "e4", late), (last.Exit!.Value, last.LeftAt!.Value, last.LeftBy?.EventId, last.Overdue));
        Assert.Null(dispute.Overdue);
        then.NoFlag(FlagNames.DisputeOverdue);
        Assert.Equal(dispute, Spec.Given(School, Raised(), Agreed("2026-03-03T09:00:00Z"), Resolved(at)).At("2028-01-01T12:00:00Z").Dispute("D-1"));

        // Before the resolution it is open.
        Assert.Equal(DisputeStatus.Open, Spec.Given(School, Raised(), Resolved(at)).When(Spec.Instant(at).AddTicks(-1)).Dispute("D-1").Status);
    }

    [Fact]
    public void An_interim_lead_agreed_within_a_working_day_is_in_time()
    {
        var dispute = Spec.Given(School, Raised(), Agreed("2026-03-03T16:00:00Z", Services.ChildrensSocialCare)).At("2026-03-05T12:00:00Z").Dispute("D-1");

        Assert.Equal(new InterimLead(InterimLeadStatus.AgreedInTime, Spec.Day("2026-03-03"), Spec.Instant("2026-03-04T00:00:00Z"), Services.ChildrensSocialCare,
            Spec.Instant("2026-03-03T16:00:00Z"), new(Spec.SourceOf(Raised()), "e3")), dispute.InterimLead);
        Assert.Null(dispute.Overdue);
    }

    [Fact]
    public void No_interim_lead_by_the_end_of_the_next_working_day_flags_the_dispute_until_one_is_agreed()
    {
        Spec.Given(School, Raised()).At("2026-03-03T23:59:59Z").NoFlag(FlagNames.DisputeOverdue);

        var missed = Spec.Given(School, Raised()).At("2026-03-04T00:00:00Z");
        Assert.Equal(InterimLeadStatus.Missed, missed.Dispute("D-1").InterimLead.Status);
        var flag = missed.Flag(FlagNames.DisputeOverdue);
        Assert.Equal([KeyOf(Maya)], flag.PersonKeys);
        Assert.Equal(["e2"], flag.Evidence.Select(e => e.EventId));
        Assert.Contains("interim lead", flag.Reason, StringComparison.Ordinal);

        var late = Spec.Given(School, Raised(), Agreed("2026-03-05T09:00:00Z")).At("2026-03-05T12:00:00Z");
        Assert.Equal(InterimLeadStatus.AgreedLate, late.Dispute("D-1").InterimLead.Status);
        late.NoFlag(FlagNames.DisputeOverdue);

        // Resolved before anyone had to lead: nothing was missed.
        var quick = Spec.Given(School, Raised(), Resolved("2026-03-02T15:00:00Z")).At("2026-03-20T12:00:00Z").Dispute("D-1");
        Assert.Equal(InterimLeadStatus.NotNeeded, quick.InterimLead.Status);
    }

    [Fact]
    public void A_dispute_that_escalated_automatically_stays_flagged_until_resolved()
    {
        var given = new object[] { School, Raised(), Agreed("2026-03-03T09:00:00Z") };

        Spec.Given(given).At("2026-03-09T23:59:59Z").NoFlag(FlagNames.DisputeOverdue);
        var flag = Spec.Given(given).At("2026-03-10T00:00:00Z").Flag(FlagNames.DisputeOverdue);
        Assert.Contains("escalated automatically", flag.Reason, StringComparison.Ordinal);
        Assert.StartsWith("Dispute D-1:", flag.Reason, StringComparison.Ordinal);

        Spec.Given([.. given, Resolved("2026-03-12T10:00:00Z")]).At("2026-03-12T12:00:00Z").NoFlag(FlagNames.DisputeOverdue);
    }

    [Fact]
    public void The_last_stage_past_its_deadline_is_flagged()
    {
        var policy = LocalPolicy.Default with { Version = "one-rung", DisputeLadder = [new("joint panel", 2)] };
        var given = new object[] { School, Raised(), Agreed("2026-03-02T11:00:00Z") };

        var intime = Spec.Given(given).At("2026-03-04T23:59:59Z", policy);
        Assert.Equal(("joint panel", Spec.Day("2026-03-04"), false), (intime.Dispute("D-1").StageName, intime.Dispute("D-1").StageDueOn, intime.Dispute("D-1").PastDeadline));
        intime.NoFlag(FlagNames.DisputeOverdue);

        var late = Spec.Given(given).At("2026-03-05T00:00:00Z", policy);
        Assert.True(late.Dispute("D-1").PastDeadline);
        Assert.Contains("last stage", late.Flag(FlagNames.DisputeOverdue).Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Disputes_are_listed_in_the_order_they_were_raised_and_events_for_another_dispute_do_not_mix()
    {
        var disputes = Spec.Given(School, Raised("D-2", "2026-03-03T09:00:00Z"), Raised("D-1"), Resolved("2026-03-04T10:00:00Z"))
            .At("2026-03-05T12:00:00Z").Disputes;

        Assert.Equal([("D-1", DisputeStatus.Resolved), ("D-2", DisputeStatus.Open)], disputes.Select(d => (d.DisputeId, d.Status)));
    }

    [Fact]
    public void A_dispute_whose_raising_has_not_arrived_is_not_reported_and_a_second_raising_does_not_restart_it()
    {
        Assert.Empty(Spec.Given(School, Escalated("2026-03-04T10:00:00Z")).At("2026-03-05T12:00:00Z").Disputes);

        var dispute = Spec.Given(School, Raised(), Raised(at: "2026-03-20T10:00:00Z")).At("2026-03-20T12:00:00Z").Dispute("D-1");
        Assert.Equal(Spec.Instant(Raising), dispute.RaisedOn);
    }

    [Fact]
    public void A_person_no_longer_in_the_family_keeps_the_identifier_the_dispute_named()
    {
        var dispute = Spec.Given(Raised() with { Persons = ["system:LAS/404", KeyOf(Dawn)] }, School).At("2026-03-02T12:00:00Z").Dispute("D-1");

        Assert.Equal(["system:LAS/404", KeyOf(Dawn)], dispute.PersonKeys);
    }

    [Fact]
    public void An_absorbed_family_has_no_disputes_of_its_own()
    {
        var absorbed = new FamilyAbsorbed("family-0", MergeReason.Explicit, null, null, "integration.team", null);

        Assert.Empty(Spec.Given(School, Raised(), absorbed).At("2026-04-20T12:00:00Z").Disputes);
    }

    [Fact]
    public void A_policy_without_a_ladder_is_refused()
    {
        var policy = LocalPolicy.Default with { DisputeLadder = [] };

        Assert.Throws<ArgumentException>(() => Spec.Given(School, Raised()).At("2026-03-05T12:00:00Z", policy));
    }
}
