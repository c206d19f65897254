using YoungCarers.Domain.Calendar;
using YoungCarers.Domain.Contract;
using YoungCarers.Domain.Families;
using YoungCarers.Domain.Family;
using YoungCarers.Domain.Policy;
using static YoungCarers.Domain.Tests.Family.Build;
using static YoungCarers.Domain.Tests.Family.People;

namespace YoungCarers.Domain.Tests.Family;

/// <summary>
/// NextChange is when the answers (members, obligations, flags, disputes) may next move with no new
/// event: never later than the first change (nothing differs from now until just before it), and
/// always a real rule threshold (the start of a UK day, or an instant the family's events name),
/// though the answers need not differ at it.
/// </summary>
public sealed class NextChangeTests
{
    private static readonly Dictionary<string, object[]> Scenarios = new(StringComparer.Ordinal)
    {
        ["identified, nobody picks up"] = [Identified(Maya, "2025-03-03", Dawn)],
        ["referral, assessment, plan relying on a child"] =
        [
            AssessmentCompleted("NA-1", Dawn, "2025-03-04", ChildrenInHouseholdAnswer.NotRecorded),
            ReferredToChildrens("AR-1", Maya, "2025-03-10"),
            ReferralReceived("CR-1", Maya, "2025-03-12", linked: "AR-1"),
            ReferralDecided("CR-1", Maya, "2025-03-14"),
            PlanAgreed("P-1", "2025-04-01", Maya),
            new AdultCarePlanReviewed("P-1", Dawn, Spec.Day("2025-05-20"), false, []),
            new AdultCarePlanEnded("P-1", Dawn, Spec.Day("2025-09-01"), "moved"),
        ],
        ["born on 29 february"] = [Identified(Ellie, "2023-06-01", Dawn), new AdultTransitionAssessmentOffered("TA-1", Ellie, Spec.Day("2025-06-01"))],
        ["both services close"] =
        [
            Identified(Maya, "2025-03-03", Dawn),
            ReferralReceived("CR-1", Maya, "2025-03-05"),
            new AdultCaseClosed(Dawn, Spec.Day("2025-03-20"), "no eligible needs"),
            new ChildrenCaseClosed(Maya, Spec.Day("2025-03-25"), "RC8"),
            new ChildrenSection47Started("S47-1", Leo, Spec.Day("2025-04-01")),
        ],
        ["dispute with escalation, interim lead and resolution"] =
        [
            Identified(Maya, "2025-03-03", Dawn),
            new DisputeRaised("D-1", Services.AdultSocialCare, DisputeSubject.Funding, [KeyOf(Dawn)], "Who pays for respite?", Spec.Instant("2025-03-10T10:00:00Z"), "a.user"),
            new DisputeInterimLeadAgreed("D-1", Services.AdultSocialCare, Spec.Instant("2025-03-12T10:00:00Z"), null),
            new DisputeEscalated("D-1", "Stuck.", Spec.Instant("2025-03-26T15:30:00Z"), "a.manager", null),
            new DisputeResolved("D-1", Services.ChildrensSocialCare, null, Spec.Instant("2025-04-30T11:00:00Z"), null, null),
            new DisputeRaised("D-2", Services.ChildrensSocialCare, DisputeSubject.Threshold, [], "Threshold for support.", Spec.Instant("2025-06-02T08:00:00Z"), "c.user"),
        ],
        ["waiver dated ahead"] =
        [
            ReferralReceived("CR-1", Maya, "2025-03-07"),
            new ObligationWaived($"{ObligationKinds.DecideOnReferral}:{KeyOf(Maya)}:{ChildrenSource}/e1", "Withdrawn.", "integration.team", Spec.Instant("2025-03-20T09:15:00Z")),
        ],
    };

    public static TheoryData<string> ScenarioNames() => [.. Scenarios.Keys];

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void Walking_from_threshold_to_threshold_nothing_moves_in_between_and_each_is_a_real_threshold(string scenario)
    {
        var state = Spec.Given(Scenarios[scenario]).State;
        var now = Spec.Instant("2025-01-15T08:00:00Z");
        var random = new Random(20250315);
        var changes = 0;
        for (var step = 0; step < 40; step++)
        {
            var next = FamilyProjection.NextChange(state, now, LocalPolicy.Default);
            Assert.NotNull(next);
            Assert.True(next > now, $"{scenario}: {next} is not after {now}");
            Assert.True(IsThreshold(state, next.Value), $"{scenario}: {next} is not a rule threshold");

            var answers = Answers(state, now);
            var span = next.Value - now;
            foreach (var fraction in new[] { 0.25, 0.5, random.NextDouble(), random.NextDouble() })
            {
                Assert.Equal(answers, Answers(state, now + TimeSpan.FromTicks((long)(span.Ticks * fraction))));
            }

            Assert.Equal(answers, Answers(state, next.Value.AddTicks(-1)));
            changes += answers.Equals(Answers(state, next.Value)) ? 0 : 1;
            now = next.Value;
        }

        // Early is allowed, but the thresholds are the rules' own: most of them move something.
        Assert.True(changes >= 20, $"{scenario}: only {changes} of 40 thresholds changed anything");
    }

    [Theory]
    [MemberData(nameof(ScenarioNames))]
    public void From_any_instant_nothing_moves_before_the_next_change(string scenario)
    {
        var state = Spec.Given(Scenarios[scenario]).State;
        var random = new Random(scenario.Length);
        var from = Spec.Instant("2024-06-01T00:00:00Z");
        for (var sample = 0; sample < 25; sample++)
        {
            var now = from + TimeSpan.FromMinutes(random.Next(0, 3 * 366 * 24 * 60));
            var next = FamilyProjection.NextChange(state, now, LocalPolicy.Default);
            Assert.NotNull(next);
            Assert.True(IsThreshold(state, next.Value), $"{scenario}: {next} is not a rule threshold");
            var answers = Answers(state, now);
            Assert.Equal(answers, Answers(state, next.Value.AddTicks(-1)));
            var span = next.Value - now;
            Assert.Equal(answers, Answers(state, now + TimeSpan.FromTicks((long)(span.Ticks * random.NextDouble()))));
        }
    }

    [Fact]
    public void A_threshold_that_changes_nothing_is_returned_early_and_the_next_call_moves_on()
    {
        // Under a policy starting transition planning at 17 years 3 months, Leo (not a carer) passes that day with nothing owed.
        var policy = LocalPolicy.Default with { Version = "transition-at-17.25", TransitionStartsAtMonths = (17 * 12) + 3 };
        var state = Spec.Given(Identified(Maya, "2025-03-03", Dawn), new ChildrenSection47Started("S47-1", Leo, Spec.Day("2025-04-01"))).State;
        var transition = Ages.Reaches(state.Find(Leo)!.BirthDate!.Value, policy.TransitionStartsAtMonths);
        var dayBefore = WorkingCalendar.EndOfDay(transition.AddDays(-2)).AddHours(12);
        var next = FamilyProjection.NextChange(state, dayBefore, policy);

        Assert.Equal(WorkingCalendar.EndOfDay(transition.AddDays(-1)), next);
        var (before, at) = (FamilyProjection.Evaluate(state, dayBefore, policy), FamilyProjection.Evaluate(state, next!.Value, policy));
        Assert.Equal(before.View, at.View);
        Assert.Equal(before.Obligations, at.Obligations);
        Assert.Equal(before.Flags, at.Flags);
        Assert.True(FamilyProjection.NextChange(state, next.Value, policy) > next);
    }

    [Fact]
    public void An_empty_family_never_changes()
    {
        Assert.Null(FamilyProjection.NextChange(FamilyState.Empty, Spec.Noon("2025-03-10"), LocalPolicy.Default));
    }

    [Fact]
    public void The_next_change_is_an_open_obligations_deadline_when_it_comes_first()
    {
        // Decide on a referral received Friday 7 March 2025 by the end of Monday 10 March (GMT).
        var state = Spec.Given(new ChildrenReferralReceived("CR-1", Leo with { BirthDate = null }, Spec.Day("2025-03-07"), "5A", [], [], null)).State;

        Assert.Equal(Spec.Instant("2025-03-11T00:00:00Z"), FamilyProjection.NextChange(state, Spec.Noon("2025-03-08"), LocalPolicy.Default));
        Assert.Null(FamilyProjection.NextChange(state, Spec.Instant("2025-03-11T00:00:00Z"), LocalPolicy.Default));
    }

    [Fact]
    public void The_next_change_of_a_dispute_is_its_interim_lead_deadline_then_its_stage_deadline()
    {
        var state = Spec.Given(new DisputeRaised("D-1", Services.AdultSocialCare, DisputeSubject.Funding, [], "Who pays?", Spec.Instant("2026-03-02T10:00:00Z"), "a.user")).State;

        Assert.Equal(Spec.Instant("2026-03-04T00:00:00Z"), FamilyProjection.NextChange(state, Spec.Instant("2026-03-02T12:00:00Z"), LocalPolicy.Default));
        Assert.Equal(Spec.Instant("2026-03-10T00:00:00Z"), FamilyProjection.NextChange(state, Spec.Instant("2026-03-04T00:00:00Z"), LocalPolicy.Default));
        Assert.Equal(Spec.Instant("2026-03-02T10:00:00Z"), FamilyProjection.NextChange(state, Spec.Instant("2026-03-01T12:00:00Z"), LocalPolicy.Default));

        // At the last stage, past its deadline, nothing more happens by itself.
        Assert.Null(FamilyProjection.NextChange(state, Spec.Instant("2026-04-09T00:00:00Z"), LocalPolicy.Default));
    }

    [Fact]
    public void The_next_change_for_a_young_carer_nobody_picks_up_is_the_tenth_working_day()
    {
        // Identified Monday 3 March 2025 with no birth dates known; every obligation met or far off but this.
        var child = Maya with { BirthDate = null };
        var adult = Dawn with { BirthDate = null };
        var given = Spec.Given(
            Identified(child, "2025-03-03", adult),
            AssessmentStarted("NA-1", adult, "2025-03-05"),
            YoungCarerAssessed("YC-1", child, "2025-03-06") with { SupportPlanned = false, CaredFor = [adult] },
            new AdultNeedsAssessmentCompleted("NA-1", adult, Spec.Day("2025-03-07"), false, ChildrenInHouseholdAnswer.No, [], true));

        var at = FamilyProjection.NextChange(given.State, Spec.Noon("2025-03-10"), LocalPolicy.Default);
        Assert.Equal(Spec.Instant("2025-03-17T00:00:00Z"), at);
        given.When(at!.Value).Flag(FlagNames.FallsBetweenServices);
        given.When(at.Value.AddTicks(-1)).NoFlag(FlagNames.FallsBetweenServices);
    }

    [Fact]
    public void A_local_transition_age_that_is_not_a_birthday_is_a_change_of_its_own()
    {
        // At 17 years 6 months Maya (born 6 May 2011) is owed a transition assessment under this policy.
        var policy = LocalPolicy.Default with { Version = "transition-at-17.5", TransitionStartsAtMonths = 210 };
        var given = Spec.Given(Identified(Maya, "2025-03-03", Dawn));

        Assert.Equal(Spec.Instant("2028-11-06T00:00:00Z"), FamilyProjection.NextChange(given.State, Spec.Noon("2028-10-01"), policy));
        given.When(Spec.Instant("2028-11-05T23:59:59Z"), policy).None(ObligationKinds.TransitionAssessment);
        Assert.Equal(Spec.Day("2028-11-06"), given.When(Spec.Instant("2028-11-06T00:00:00Z"), policy).Single(ObligationKinds.TransitionAssessment).OpenedOn);
    }

    /// <summary>The start of a UK day, or an instant one of the family's dispute or waiver events names.</summary>
    private static bool IsThreshold(FamilyState state, DateTimeOffset instant) =>
        WorkingCalendar.LocalDate(instant.AddTicks(-1)) != WorkingCalendar.LocalDate(instant)
        || state.Waivers.Any(waiver => waiver.Event.WaivedAt == instant)
        || state.Disputes.Values.Any(d => d.Raised?.Event.RaisedOn == instant || d.Escalations.Any(e => e.Event.EscalatedOn == instant)
            || d.InterimLeads.Any(a => a.Event.AgreedOn == instant) || d.Resolutions.Any(r => r.Event.ResolvedOn == instant));

    private static Snapshot Answers(FamilyState state, DateTimeOffset now)
    {
        var obligations = FamilyProjection.Decide(state, now, LocalPolicy.Default);
        return new(FamilyProjection.Describe(state, now), [.. obligations], [.. FamilyProjection.Flags(state, obligations, now, LocalPolicy.Default)],
            [.. FamilyProjection.Disputes(state, now, LocalPolicy.Default)]);
    }

    /// <summary>The answers at an instant, equal when every part is.</summary>
    private sealed record Snapshot(FamilyView View, IReadOnlyList<Obligation> Obligations, IReadOnlyList<Flag> Flags, IReadOnlyList<Dispute> Disputes)
    {
        public bool Equals(Snapshot? other) => other is not null && View == other.View && Obligations.SequenceEqual(other.Obligations)
            && Flags.SequenceEqual(other.Flags) && Disputes.SequenceEqual(other.Disputes);

        public override int GetHashCode() => HashCode.Combine(View.Members.Count, Obligations.Count, Flags.Count, Disputes.Count);
    }
}
