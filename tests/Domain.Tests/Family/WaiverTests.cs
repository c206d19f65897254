using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using static YoungCarers.Domain.Tests.Family.Build;
using static YoungCarers.Domain.Tests.Family.People;

namespace YoungCarers.Domain.Tests.Family;

/// <summary>A referral received on Friday 7 March 2025 is to be decided by the end of Monday 10 March.</summary>
public sealed class WaiverTests
{
    private static readonly object Received = ReferralReceived("CR-1", Maya, "2025-03-07");
    private static readonly string DecideId = $"{ObligationKinds.DecideOnReferral}:{KeyOf(Maya)}:{ChildrenSource}/e1";

    private static ObligationWaived Waived(string at, string id = "") =>
        new(id.Length == 0 ? DecideId : id, "Referral withdrawn by the school the same day.", "integration.team", Spec.Instant(at));

    [Fact]
    public void An_open_obligation_waived_by_the_integration_team_is_waived_with_the_reason()
    {
        var given = new[] { Received, Waived("2025-03-10T09:00:00Z") };
        Assert.Equal(DecideId, Spec.Given(Received).When("2025-03-10").Single(ObligationKinds.DecideOnReferral).Id);

        var waived = Spec.Given(given).At("2025-03-10T10:00:00Z").Single(ObligationKinds.DecideOnReferral);
        Assert.Equal(ObligationStatus.Waived, waived.Status);
        Assert.Equal(new ObligationWaiver("Referral withdrawn by the school the same day.", "integration.team", Spec.Instant("2025-03-10T09:00:00Z"),
            new("urn:young-carers:families", "e2")), waived.Waiver);
        Assert.Null(waived.MetBy);

        // Not yet waived before the waiver was made.
        var before = Spec.Given(given).At("2025-03-10T08:59:59Z").Single(ObligationKinds.DecideOnReferral);
        Assert.Equal((ObligationStatus.Open, (ObligationWaiver?)null), (before.Status, before.Waiver));
    }

    [Fact]
    public void An_overdue_obligation_waived_is_no_longer_overdue_nor_flagged()
    {
        var overdue = Spec.Given(Received).When("2025-03-12");
        Assert.Equal(ObligationStatus.Overdue, overdue.Single(ObligationKinds.DecideOnReferral).Status);
        overdue.Flag(FlagNames.ObligationOverdue);

        var waived = Spec.Given(Received, Waived("2025-03-12T09:00:00Z")).When("2025-03-12");
        Assert.Equal(ObligationStatus.Waived, waived.Single(ObligationKinds.DecideOnReferral).Status);
        waived.NoFlag(FlagNames.ObligationOverdue);
    }

    [Fact]
    public void A_met_obligation_stays_met_whatever_a_waiver_says()
    {
        var met = Spec.Given(Received, ReferralDecided("CR-1", Maya, "2025-03-10"), Waived("2025-03-11T09:00:00Z"))
            .When("2025-03-12").Single(ObligationKinds.DecideOnReferral);

        Assert.Equal((ObligationStatus.Met, "e2", (ObligationWaiver?)null), (met.Status, met.MetBy?.EventId, met.Waiver));
    }

    [Fact]
    public void A_waiver_naming_no_obligation_changes_nothing()
    {
        var then = Spec.Given(Received, Waived("2025-03-10T09:00:00Z", "refer-young-carer:nobody:urn:nowhere/e9")).When("2025-03-12");

        Assert.Equal(ObligationStatus.Overdue, then.Single(ObligationKinds.DecideOnReferral).Status);
    }

    [Fact]
    public void A_waiver_may_name_the_person_by_any_of_their_identifiers()
    {
        var byNhs = Waived("2025-03-10T09:00:00Z", $"{ObligationKinds.DecideOnReferral}:nhs:{Maya.NhsNumber}:{ChildrenSource}/e1");

        Assert.Equal(ObligationStatus.Waived, Spec.Given(Received, byNhs).When("2025-03-12").Single(ObligationKinds.DecideOnReferral).Status);
    }

    [Fact]
    public void A_waiver_without_a_reason_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new ObligationWaived(DecideId, " ", "integration.team", Spec.Instant("2025-03-10T09:00:00Z")));
        Assert.Throws<ArgumentException>(() => new ObligationWaived(DecideId, null!, "integration.team", Spec.Instant("2025-03-10T09:00:00Z")));
    }
}
