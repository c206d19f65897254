using YoungCarers.Domain.Policy;
using YoungCarers.Testing;

namespace YoungCarers.Domain.Tests.Policy;

public sealed class PolicyFileTests
{
    [Fact]
    public void An_empty_policy_is_the_spec_default()
    {
        var policy = PolicyFile.Parse("version: barnet-1");

        Assert.Equal("barnet-1", policy.Version);
        Assert.Equal(LocalPolicy.Default.Timescales, policy.Timescales);
        Assert.Equal(["practitioners", "team managers", "heads of service", "directors of adult and children's services"], policy.DisputeLadder.Select(s => s.Name));
        Assert.Equal(204, policy.TransitionStartsAtMonths);
    }

    [Fact]
    public void The_sample_policy_file_spells_out_exactly_the_spec_defaults()
    {
        var path = RepositoryFiles.PathOf("samples", "policy.yaml");

        var policy = PolicyFile.Parse(File.ReadAllText(path), path);

        Assert.Equal(LocalPolicy.Default.Version, policy.Version);
        Assert.Equal(LocalPolicy.Default.Timescales.OrderBy(t => t.Key, StringComparer.Ordinal), policy.Timescales.OrderBy(t => t.Key, StringComparer.Ordinal));
        Assert.Equal(LocalPolicy.Default.DisputeLadder, policy.DisputeLadder);
        Assert.Equal(
            (LocalPolicy.Default.InterimLeadWorkingDays, LocalPolicy.Default.TransitionStartsAtMonths, LocalPolicy.Default.FallsBetweenServicesWorkingDays),
            (policy.InterimLeadWorkingDays, policy.TransitionStartsAtMonths, policy.FallsBetweenServicesWorkingDays));
        Assert.Empty(policy.ExtraHolidays);
    }

    [Fact]
    public void A_policy_overrides_timescales_ladder_transition_age_and_holidays()
    {
        var policy = PolicyFile.Parse("""
            version: barnet-2025-1
            timescales:
              young-carer-assessment: { workingDays: 35 }
              complete-adult-assessment: { calendarDays: 21 }
            disputes:
              interimLeadWorkingDays: 2
              ladder:
                - { name: practitioners, workingDays: 3 }
                - { name: heads of service, workingDays: 5 }
            transition: { startsAtAge: { years: 16, months: 6 } }
            flags: { fallsBetweenServicesAfterWorkingDays: 15 }
            extraHolidays: [2026-06-08]
            """);

        Assert.Equal(new Timescale(35, DayCount.WorkingDays), policy.Timescales[ObligationKinds.YoungCarerAssessment]);
        Assert.Equal(new Timescale(21, DayCount.CalendarDays), policy.Timescales[ObligationKinds.CompleteAdultAssessment]);
        Assert.Equal(new Timescale(5, DayCount.WorkingDays), policy.Timescales[ObligationKinds.ReferYoungCarer]);
        Assert.Equal([new DisputeStage("practitioners", 3), new DisputeStage("heads of service", 5)], policy.DisputeLadder);
        Assert.Equal((2, 198, 15), (policy.InterimLeadWorkingDays, policy.TransitionStartsAtMonths, policy.FallsBetweenServicesWorkingDays));
        Assert.False(policy.Calendar().IsWorkingDay(new DateOnly(2026, 6, 8)));
    }

    [Fact]
    public void Every_problem_in_a_bad_policy_is_reported_with_its_line()
    {
        var error = Assert.Throws<PolicyFileException>(() => PolicyFile.Parse("""
            version: x
            timescales:
              young-carer-assesment: { workingDays: 35 }
              refer-young-carer: { workingDays: -1 }
            disputes:
              ladder: []
            colour: blue
            """, "policy.yaml"));

        Assert.Contains("line 3: timescales.young-carer-assesment is not an obligation kind", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 4: timescales.refer-young-carer.workingDays must be a whole number of at least 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("line 6: disputes.ladder must list at least one stage", error.Message, StringComparison.Ordinal);
        Assert.Contains("'colour' is not a policy setting", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("policy.yaml is not a usable policy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_policy_that_sets_anything_must_name_its_version()
    {
        // Regression: without a version, changed timescales were recorded under the SPEC default's.
        var error = Assert.Throws<PolicyFileException>(() => PolicyFile.Parse("""
            timescales:
              young-carer-assessment: { workingDays: 35 }
            """, "barnet.yaml"));

        Assert.StartsWith("barnet.yaml is not a usable policy", error.Message, StringComparison.Ordinal);
        Assert.Contains("version is missing", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("version: x\ntimescales: [1, 2]")]
    [InlineData("version: x\ntransition: { startsAtAge: { years: 18 } }")]
    [InlineData("version: x\ntimescales:\n  transition-assessment: { workingDays: 5 }")]
    [InlineData("version: x\nextraHolidays: [2026-02-30]")]
    [InlineData("version: [unclosed")]
    [InlineData("- just\n- a list")]
    public void Malformed_policies_are_refused(string yaml)
    {
        Assert.Throws<PolicyFileException>(() => PolicyFile.Parse(yaml));
    }
}
