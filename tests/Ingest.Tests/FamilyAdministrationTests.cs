using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Identity;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Ingest.Tests;

public sealed class FamilyAdministrationTests : IClassFixture<DatabaseFixture>
{
    private readonly PostgresEventStore _store;
    private readonly IngestPipeline _pipeline;
    private readonly FamilyAdministration _administration;

    public FamilyAdministrationTests(DatabaseFixture database)
    {
        _store = new PostgresEventStore(database.DataSource);
        _pipeline = new IngestPipeline(_store, new QuarantineStore(database.DataSource), new FixedClock(Now));
        _administration = new FamilyAdministration(_store, new FixedClock(Now));
    }

    [Fact]
    public async Task An_explicit_merge_keeps_the_older_family_and_records_who_decided()
    {
        var id = Unique();
        var older = await IngestAsync(Identified($"{id}-1", Child($"c1-{id}", given: $"Ann{id}")));
        var younger = await IngestAsync(Identified($"{id}-2", Child($"c2-{id}", given: $"Ann{id}")));

        var outcome = await _administration.MergeAsync(younger, older, "alex@council", "same child, two records");

        Assert.Equal((older, younger, false), (outcome.SurvivorFamilyId, outcome.AbsorbedFamilyId, outcome.AlreadyOneFamily));
        var merged = (await _store.ReadStreamAsync(older).ToListAsync())[^1];
        Assert.Equal("family.merged.v1", merged.Type);
        Assert.Contains("\"decidedBy\":\"alex@council\"", merged.Data, StringComparison.Ordinal);
        Assert.Equal(older, await _store.ResolveLiveStreamIdAsync(younger));
        Assert.DoesNotContain(await _administration.ListCandidatesAsync(0, 1000), c => c.FamilyId == older || c.OtherFamilyId == older);
        // Events about the absorbed family's people now go to the survivor.
        Assert.Equal(older, await IngestAsync(Identified($"{id}-3", Child($"c2-{id}"))));
    }

    [Fact]
    public async Task Merging_families_that_are_already_one_changes_nothing()
    {
        var id = Unique();
        var family = await IngestAsync(Identified($"{id}-1", Child($"c1-{id}")));
        var versionBefore = (await _store.GetStreamAsync(family))!.Version;

        var outcome = await _administration.MergeAsync(family, family, "alex@council", null);

        Assert.True(outcome.AlreadyOneFamily);
        Assert.Equal(versionBefore, (await _store.GetStreamAsync(family))!.Version);
    }

    [Fact]
    public async Task A_split_moves_the_named_persons_to_a_new_family_recorded_in_both_streams()
    {
        var id = Unique();
        var family = await IngestAsync(Referral($"{id}-1", Adult($"a-{id}"), Child($"c-{id}"), Child($"d-{id}")));

        var newFamily = await _administration.SplitAsync(family, [IdentityKey.ForSystem("LCS", $"d-{id}")], "alex@council", "wrong household");

        Assert.Equal("family.split.v1", (await _store.ReadStreamAsync(family).ToListAsync())[^1].Type);
        Assert.Equal("family.split-from.v1", Assert.Single(await _store.ReadStreamAsync(newFamily).ToListAsync()).Type);
        Assert.Equal(newFamily, await IngestAsync(Identified($"{id}-2", Child($"d-{id}"))));
        Assert.Equal(family, await IngestAsync(Identified($"{id}-3", Child($"c-{id}"))));
    }

    [Fact]
    public async Task A_split_of_someone_outside_the_family_or_of_everyone_is_refused()
    {
        var id = Unique();
        var family = await IngestAsync(Identified($"{id}-1", Child($"c-{id}")));

        await Assert.ThrowsAsync<FamilyAdministrationException>(() => _administration.SplitAsync(family, [IdentityKey.ForSystem("LCS", $"nobody-{id}")], "alex", null));
        await Assert.ThrowsAsync<FamilyAdministrationException>(() => _administration.SplitAsync(family, [IdentityKey.ForSystem("LCS", $"c-{id}")], "alex", null));
        await Assert.ThrowsAsync<FamilyAdministrationException>(() => _administration.MergeAsync(family, $"family-missing-{id}", "alex", null));
    }

    [Fact]
    public async Task A_dismissed_candidate_is_no_longer_offered()
    {
        var id = Unique();
        var first = await IngestAsync(Identified($"{id}-1", Child($"x-{id}", given: $"Bo{id}")));
        await IngestAsync(Identified($"{id}-2", Child($"y-{id}", given: $"Bo{id}")));
        var candidate = Assert.Single(await _administration.ListCandidatesAsync(0, 1000), c => c.FamilyId == first || c.OtherFamilyId == first);

        Task<CandidateDismissal> DismissAsync(long rowVersion) =>
            _store.ExecuteAsync((transaction, token) => FamilyAdministration.DismissCandidateAsync(transaction, candidate.CandidateId, rowVersion, "alex", token));

        Assert.Equal(new CandidateStale(candidate.RowVersion), await DismissAsync(candidate.RowVersion + 1));
        Assert.IsType<CandidateDismissed>(await DismissAsync(candidate.RowVersion));

        Assert.DoesNotContain(await _administration.ListCandidatesAsync(0, 1000), c => c.CandidateId == candidate.CandidateId);
        var changed = Assert.IsType<CandidateStale>(await DismissAsync(candidate.RowVersion));
        Assert.IsType<CandidateNotOpen>(await DismissAsync(changed.RowVersion));
    }

    private async Task<string> IngestAsync(string json)
    {
        var result = (await _pipeline.IngestAsync([Payload(json)]))[0];
        return Assert.IsType<AcceptedResult>(result).FamilyId;
    }

    private static string Unique() => Guid.NewGuid().ToString("N")[..12];
}
