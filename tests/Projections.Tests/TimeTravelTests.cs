using YoungCarers.Domain.Policy;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Projections.TimeTravel;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

public sealed class TimeTravelTests : IClassFixture<DatabaseFixture>
{
    private readonly ReadModelHarness _harness;
    private readonly FamilyTimeMachine _machine;

    public TimeTravelTests(DatabaseFixture database)
    {
        _harness = new ReadModelHarness(database, new ManualClock(Envelopes.Now));
        _machine = new FamilyTimeMachine(database.DataSource, LocalPolicy.Default);
    }

    [Fact]
    public async Task A_late_event_changes_answers_as_of_the_past_but_never_what_was_known_before_it_was_recorded()
    {
        var (family, child, _) = await _harness.NewFamilyAsync();
        var beforeLate = await DatabaseNowAsync();
        // Recorded now, it happened in January: a referral the children's system sends late.
        await _harness.IngestAsync(ReadModelHarness.ChildrenReferral($"late-{ReadModelHarness.Unique()}", child, new DateOnly(2025, 1, 10)));
        var afterLate = await DatabaseNowAsync();
        var january = new DateTimeOffset(2025, 1, 20, 12, 0, 0, TimeSpan.Zero);

        var asOfJanuary = await _machine.AtAsync(family, january, knownAt: null);
        Assert.NotNull(asOfJanuary);
        Assert.Equal(1, asOfJanuary.FactCount);
        Assert.Contains(asOfJanuary.Obligations, o => o.Kind == ObligationKinds.DecideOnReferral);

        var knownBefore = await _machine.AtAsync(family, january, knownAt: beforeLate);
        Assert.NotNull(knownBefore);
        Assert.Equal(0, knownBefore.FactCount);
        Assert.Empty(knownBefore.Obligations);

        var knownAfter = await _machine.AtAsync(family, january, knownAt: afterLate);
        Assert.Equal(1, knownAfter!.FactCount);

        // Today: everything, or only what was recorded before the late event.
        var now = Envelopes.Now;
        Assert.Equal(2, (await _machine.AtAsync(family, now, null))!.FactCount);
        var shownThen = (await _machine.AtAsync(family, now, beforeLate))!;
        Assert.Equal(1, shownThen.FactCount);
        Assert.DoesNotContain(shownThen.Obligations, o => o.Kind == ObligationKinds.DecideOnReferral);

        // Before the family's first event was recorded, it did not exist.
        Assert.Null(await _machine.AtAsync(family, now, knownAt: beforeLate.AddHours(-1)));
    }

    [Fact]
    public async Task A_family_merged_after_known_at_is_answered_as_it_was_and_afterwards_by_its_survivor()
    {
        var first = await _harness.NewFamilyAsync();
        var second = await _harness.NewFamilyAsync();
        var beforeMerge = await DatabaseNowAsync();
        await _harness.IngestAsync(Envelopes.Identified($"link-{ReadModelHarness.Unique()}", first.Child, second.Adult));
        var later = new DateTimeOffset(2025, 3, 6, 12, 0, 0, TimeSpan.Zero);

        var then = (await _machine.AtAsync(second.FamilyId, later, beforeMerge))!;
        Assert.Equal(second.FamilyId, then.FamilyId);
        Assert.False(then.AnsweredBySurvivor);
        Assert.Equal(2, then.View.Members.Count);

        var now = (await _machine.AtAsync(second.FamilyId, later, null))!;
        Assert.Equal(first.FamilyId, now.FamilyId);
        Assert.True(now.AnsweredBySurvivor);
        Assert.Equal(4, now.View.Members.Count);
        Assert.Null(now.View.SurvivorFamilyId);
        Assert.Contains(second.FamilyId, now.Document.MergedFamilyIds);
        Assert.Contains(second.FamilyId, now.View.MergedFamilyIds);
    }

    [Fact]
    public async Task Every_family_evaluated_together_is_what_each_family_evaluated_alone_is_before_and_after_a_merge()
    {
        var first = await _harness.NewFamilyAsync();
        var second = await _harness.NewFamilyAsync();
        var third = await _harness.NewFamilyAsync();
        var beforeMerge = await DatabaseNowAsync();
        await _harness.IngestAsync(Envelopes.Identified($"link-{ReadModelHarness.Unique()}", first.Child, second.Adult));
        await _harness.IngestAsync(ReadModelHarness.ChildrenReferral($"late-{ReadModelHarness.Unique()}", first.Child, new DateOnly(2025, 1, 10)));
        var afterMerge = await DatabaseNowAsync();
        var later = new DateTimeOffset(2025, 3, 6, 12, 0, 0, TimeSpan.Zero);

        var before = await _machine.EveryFamilyAtAsync(later, beforeMerge).ToListAsync();
        var after = await _machine.EveryFamilyAtAsync(later, afterMerge).ToListAsync();
        // Read a family at a time, the next read overlapping each evaluation: the same families, the same answers.
        var familyByFamily = new FamilyTimeMachine(_harness.DataSource, LocalPolicy.Default) { FamiliesPerRead = 1 };
        Assert.Equal(
            after.Select(family => FamilyDocuments.ToJson(family.Document)),
            (await familyByFamily.EveryFamilyAtAsync(later, afterMerge).ToListAsync()).Select(family => FamilyDocuments.ToJson(family.Document)));
        Assert.Contains(after, family => family.FamilyId == third.FamilyId);
        var january = await _machine.EveryFamilyAtAsync(new DateTimeOffset(2025, 1, 20, 12, 0, 0, TimeSpan.Zero), afterMerge).ToListAsync();

        Assert.Contains(before, family => family.FamilyId == second.FamilyId);
        Assert.DoesNotContain(after, family => family.FamilyId == second.FamilyId);
        Assert.Contains(after, family => family.FamilyId == first.FamilyId && family.Document.MergedFamilyIds.Contains(second.FamilyId));
        foreach (var (families, asOf, knownAt) in new[] { (before, later, beforeMerge), (after, later, afterMerge), (january, new DateTimeOffset(2025, 1, 20, 12, 0, 0, TimeSpan.Zero), afterMerge) })
        {
            Assert.Equal(families.Select(family => family.FamilyId).Order(StringComparer.Ordinal), families.Select(family => family.FamilyId));
            foreach (var family in families)
            {
                var alone = await _machine.AtAsync(family.FamilyId, asOf, knownAt);
                Assert.NotNull(alone);
                Assert.Equal(family.FamilyId, alone.FamilyId);
                Assert.Equal(FamilyDocuments.ToJson(alone.Document), FamilyDocuments.ToJson(family.Document));
            }
        }

        // In January only the late referral had happened: the survivor answers with it alone, and the other family's events are not yet.
        var firstInJanuary = Assert.Single(january, family => family.FamilyId == first.FamilyId);
        Assert.Equal(1, firstInJanuary.FactCount);
        Assert.Contains(firstInJanuary.Obligations, o => o.Kind == ObligationKinds.DecideOnReferral);
    }

    private async Task<DateTimeOffset> DatabaseNowAsync()
    {
        await Task.Delay(20);
        var now = await _harness.ScalarAsync<DateTime>("SELECT clock_timestamp()");
        await Task.Delay(20);
        return new DateTimeOffset(DateTime.SpecifyKind(now, DateTimeKind.Utc));
    }
}
