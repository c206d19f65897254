using System.Text;
using System.Text.Json;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Ingest.Tests;

public sealed class IngestPipelineTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture _database;
    private readonly PostgresEventStore _store;
    private readonly QuarantineStore _quarantine;
    private readonly IngestPipeline _pipeline;

    public IngestPipelineTests(DatabaseFixture database)
    {
        _database = database;
        _store = new PostgresEventStore(database.DataSource);
        _quarantine = new QuarantineStore(database.DataSource);
        _pipeline = new IngestPipeline(_store, _quarantine, new FixedClock(Now));
    }

    [Fact]
    public async Task A_valid_event_is_stored_in_a_new_family_stream_under_its_catalogue_type()
    {
        var id = Unique();

        var result = await IngestOneAsync(Identified(id, Child($"c-{id}"), Adult($"a-{id}")));

        var accepted = Assert.IsType<AcceptedResult>(result);
        var stored = Assert.Single(await _store.ReadStreamAsync(accepted.FamilyId).ToListAsync());
        Assert.Equal(("partner.young-carer.identified.v1", PartnerSource, id), (stored.Type, stored.Source, stored.SourceEventId));
        Assert.Equal(new DateTimeOffset(2025, 3, 4, 10, 15, 0, TimeSpan.Zero), stored.OccurredAt);
        Assert.Equal("http", stored.Metadata.Channel);
    }

    [Fact]
    public void Partitioning_keeps_events_that_share_a_person_or_an_event_id_together_in_their_order_and_balances_the_rest()
    {
        var id = Unique();
        string[] lines =
        [
            Identified($"{id}-1", Child($"c1-{id}")),
            Identified($"{id}-2", Child($"c2-{id}")),
            Referral($"{id}-3", Adult($"a-{id}"), Child($"c3-{id}")),
            Referral($"{id}-4", Adult($"a-{id}"), Child($"c1-{id}")),
            Identified($"{id}-5", Child($"c5-{id}")),
            Identified($"{id}-2", Child($"c6-{id}")),
            "not json",
        ];

        var parts = Lanes(Partition(new LanePlanner(2, 2), lines));

        // 1, 3 and 4 are linked through c1 and the adult; 2 and its redelivery share an id.
        var texts = parts.Select(p => string.Join(" ", p.Payloads.Select(l => lines.ToList().IndexOf(Encoding.UTF8.GetString(l.Payload.Span)) + 1))).ToList();
        Assert.Equal(["1 3 4 7", "2 5 6"], texts);
    }

    [Fact]
    public async Task Partitioning_keeps_events_about_different_people_of_a_family_stored_earlier_together()
    {
        var id = Unique();
        await _pipeline.IngestAsync([Payload(Referral($"{id}-1", Adult($"a-{id}"), Child($"c-{id}")))]);

        var parts = Lanes(Partition(new LanePlanner(2, 2), Identified($"{id}-2", Child($"c-{id}")), Referral($"{id}-3", Adult($"a-{id}"))));

        Assert.Equal(2, Assert.Single(parts).Payloads.Count);
    }

    [Fact]
    public void A_later_read_keeps_a_family_in_the_lane_storing_it_and_a_group_linking_two_lanes_waits_for_the_other()
    {
        var id = Unique();
        var planner = new LanePlanner(2, 3);
        var first = Partition(planner, Identified($"{id}-1", Child($"c1-{id}")), Identified($"{id}-2", Child($"c2-{id}")));

        var second = Partition(planner, Identified($"{id}-3", Child($"n-{id}")), Identified($"{id}-4", Child($"c2-{id}")));
        var third = Partition(planner, Referral($"{id}-5", Adult($"a-{id}"), Child($"c1-{id}"), Child($"c2-{id}")));

        Assert.Equal(["1", "2"], Ids(first, id));
        Assert.Equal(["3", "4"], Ids(second, id));
        Assert.Equal("- - | - -", Waits(second));
        // The referral names c1, placed in lane 0 by the first read, and c2, placed in lane 1 by the second.
        Assert.Equal(["", "5"], Ids(third, id));
        Assert.Equal("- - | 0 -", Waits(third));
    }

    [Fact]
    public void A_family_placed_by_a_read_that_must_have_finished_goes_to_the_lane_with_the_least_work()
    {
        var id = Unique();
        var planner = new LanePlanner(2, 1);
        Partition(planner, Identified($"{id}-1", Child($"c1-{id}")), Identified($"{id}-2", Child($"c2-{id}")), Identified($"{id}-3", Child($"c1-{id}")));

        var next = Partition(planner, Identified($"{id}-4", Child($"c1-{id}")));

        Assert.Equal(["", "4"], Ids(next, id));
        Assert.Equal("- - | - -", Waits(next));
    }

    [Fact]
    public void A_read_that_cannot_be_split_goes_to_lane_0_after_every_lane_and_the_next_read_waits_for_it()
    {
        var id = Unique();
        var planner = new LanePlanner(2, 3);
        Partition(planner, Identified($"{id}-1", Child($"c1-{id}")), Identified($"{id}-2", Child($"c2-{id}")));

        var whole = planner.Whole(_pipeline.Prepare([Payload(Identified($"{id}-3", Child($"c3-{id}")))]));
        var next = Partition(planner, Identified($"{id}-4", Child($"n4-{id}")), Identified($"{id}-5", Child($"n5-{id}")));

        Assert.Equal(["3", ""], Ids(whole, id));
        Assert.Equal("- 0 | - -", Waits(whole));
        Assert.Equal(["4", "5"], Ids(next, id));
        Assert.Equal("- - | 1 -", Waits(next));
    }

    [Fact]
    public async Task Parts_of_a_partition_store_what_the_whole_would()
    {
        var id = Unique();
        var lines = Enumerable.Range(0, 6).Select(i => Identified($"{id}-{i}", Child($"c{i % 3}-{id}"))).Append("not json").ToArray();

        var parts = Lanes(Partition(new LanePlanner(3, 2), lines));
        var results = (await Task.WhenAll(parts.Select(p => _pipeline.IngestPreparedAsync(p)))).SelectMany(r => r).ToList();

        Assert.Equal(3, parts.Count);
        Assert.Equal((6, 1), (results.OfType<AcceptedResult>().Count(), results.OfType<QuarantinedResult>().Count()));
        Assert.Equal(3, results.OfType<AcceptedResult>().Select(r => r.FamilyId).Distinct().Count());
    }

    [Fact]
    public async Task An_invalid_event_is_quarantined_byte_for_byte_with_the_field_and_rule()
    {
        var id = Unique();
        var json = Identified(id, Child($"c-{id}", nhs: "9434765918"));

        var result = Assert.IsType<QuarantinedResult>(await IngestOneAsync(json));

        var entry = await _quarantine.GetAsync(result.QuarantineId);
        Assert.Equal(Encoding.UTF8.GetBytes(json), entry!.Payload);
        Assert.Equal((PartnerSource, id), (entry.Source, entry.SourceEventId));
        var reason = Assert.Single(entry.Reasons);
        Assert.Equal(("data.child.nhsNumber", "nhs-number-checksum"), (reason.Field, reason.Rule));
    }

    [Fact]
    public async Task Bytes_that_are_not_json_are_quarantined_too()
    {
        var bytes = new byte[] { 0xff, 0xfe, (byte)'{', 0x00 };

        var result = Assert.IsType<QuarantinedResult>((await _pipeline.IngestAsync([new InboundPayload(bytes, Arrival.Http("t"))]))[0]);

        Assert.Equal(bytes, (await _quarantine.GetAsync(result.QuarantineId))!.Payload);
    }

    [Fact]
    public async Task The_same_bad_payload_delivered_twice_is_one_quarantine_entry_with_two_deliveries()
    {
        var json = Envelope(Unique(), PartnerSource, "partner.no-such-thing.v1", "{}");

        var first = Assert.IsType<QuarantinedResult>(await IngestOneAsync(json));
        var second = Assert.IsType<QuarantinedResult>(await IngestOneAsync(json));

        Assert.Equal(first.QuarantineId, second.QuarantineId);
        Assert.Equal(2, (await _quarantine.GetAsync(first.QuarantineId))!.Deliveries);
    }

    [Fact]
    public async Task A_redelivered_event_is_a_duplicate_and_is_not_stored_again()
    {
        var id = Unique();
        var json = Identified(id, Child($"c-{id}"));
        var first = Assert.IsType<AcceptedResult>(await IngestOneAsync(json));

        var again = await _pipeline.IngestAsync([Payload(json), Payload(json)]);

        Assert.All(again, r => Assert.Equal(first.FamilyId, Assert.IsType<DuplicateResult>(r).FamilyId));
        Assert.Single(await _store.ReadStreamAsync(first.FamilyId).ToListAsync());
    }

    [Fact]
    public async Task A_batch_holding_an_event_stored_before_stores_everything_else_once()
    {
        var id = Unique();
        var stored = Identified($"{id}-1", Child($"c-{id}"));
        var first = Assert.IsType<AcceptedResult>(await IngestOneAsync(stored));
        var invalid = Envelope($"{id}-3", PartnerSource, "partner.no-such-thing.v1", "{}");

        var results = await _pipeline.IngestAsync([Payload(Identified($"{id}-2", Child($"c-{id}"), Adult($"a-{id}"))), Payload(stored), Payload(invalid)]);

        var accepted = Assert.IsType<AcceptedResult>(results[0]);
        Assert.Equal((first.FamilyId, 2L), (accepted.FamilyId, accepted.StreamVersion));
        Assert.Equal(first.FamilyId, Assert.IsType<DuplicateResult>(results[1]).FamilyId);
        var quarantined = Assert.IsType<QuarantinedResult>(results[2]);
        Assert.Equal(2, (await _store.ReadStreamAsync(first.FamilyId).ToListAsync()).Count);
        Assert.Equal(2L, await ScalarAsync("SELECT count(*) FROM persons WHERE family_id = @f", first.FamilyId));
        Assert.Equal(1, (await _quarantine.GetAsync(quarantined.QuarantineId))!.Deliveries);
    }

    [Fact]
    public async Task Events_about_the_same_person_from_different_sources_land_in_one_family()
    {
        var id = Unique();
        var nhs = NhsNumber(id.GetHashCode(StringComparison.Ordinal) & 0x0fffffff);
        var fromSchool = Assert.IsType<AcceptedResult>(await IngestOneAsync(Identified($"{id}-1", Child($"c-{id}", nhs))));
        // The adult system knows the same child under its own id, with the same NHS number.
        var fromAdults = Assert.IsType<AcceptedResult>(await IngestOneAsync(Referral($"{id}-2", Adult($"a-{id}"), Child($"las-c-{id}", nhs, system: "LAS"))));

        Assert.Equal(fromSchool.FamilyId, fromAdults.FamilyId);
        // The child (two system ids and an NHS number) and the adult.
        Assert.Equal(2L, await ScalarAsync("SELECT count(*) FROM persons WHERE family_id = @f", fromSchool.FamilyId));
        Assert.Equal(4L, await ScalarAsync("SELECT count(*) FROM person_identifiers i JOIN persons p USING (person_id) WHERE p.family_id = @f", fromSchool.FamilyId));
    }

    [Fact]
    public async Task An_event_linking_two_families_merges_them_into_the_older_and_archives_the_other()
    {
        var id = Unique();
        var older = Assert.IsType<AcceptedResult>(await IngestOneAsync(Identified($"{id}-1", Child($"c1-{id}"), Adult($"a1-{id}"))));
        var younger = Assert.IsType<AcceptedResult>(await IngestOneAsync(Identified($"{id}-2", Child($"c2-{id}"), Adult($"a2-{id}"))));
        Assert.NotEqual(older.FamilyId, younger.FamilyId);

        var linking = Assert.IsType<AcceptedResult>(await IngestOneAsync(Referral($"{id}-3", Adult($"a2-{id}"), Child($"c1-{id}"))));

        Assert.Equal(older.FamilyId, linking.FamilyId);
        Assert.Equal(older.FamilyId, await _store.ResolveLiveStreamIdAsync(younger.FamilyId));
        var survivor = await _store.ReadStreamAsync(older.FamilyId).ToListAsync();
        Assert.Equal(["partner.young-carer.identified.v1", "family.merged.v1", "adult.referral.received.v1"], survivor.Select(e => e.Type));
        Assert.Contains(younger.FamilyId, survivor[1].Data, StringComparison.Ordinal);
        Assert.Equal("family.absorbed.v1", (await _store.ReadStreamAsync(younger.FamilyId).ToListAsync())[^1].Type);
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM persons WHERE family_id = @f", younger.FamilyId));
    }

    [Fact]
    public async Task A_name_and_birth_date_match_is_offered_as_a_candidate_not_merged()
    {
        var id = Unique();
        var first = Assert.IsType<AcceptedResult>(await IngestOneAsync(Identified($"{id}-1", Child($"x-{id}", given: $"Kai{id}"))));

        var second = Assert.IsType<AcceptedResult>(await IngestOneAsync(Identified($"{id}-2", Child($"y-{id}", given: $"Kai{id}"))));

        Assert.NotEqual(first.FamilyId, second.FamilyId);
        Assert.Equal(1L, await ScalarAsync(
            "SELECT count(*) FROM identity_candidates c JOIN persons p ON p.person_id IN (c.person_id, c.other_person_id) WHERE p.family_id = @f",
            first.FamilyId));
    }

    [Fact]
    public async Task A_person_whose_birth_date_arrives_later_is_offered_as_a_candidate_then()
    {
        var id = Unique();
        string Parent(string personId, bool withBirthDate) =>
            $$"""{ "system": "LAS", "id": "{{personId}}", "givenName": "Noor{{id}}", "familyName": "Hughes"{{(withBirthDate ? ", \"birthDate\": \"1980-02-29\"" : "")}} }""";
        var first = Assert.IsType<AcceptedResult>(await IngestOneAsync(Identified($"{id}-1", Child($"c1-{id}", given: $"Ola{id}"), Parent($"a1-{id}", withBirthDate: true))));
        var second = Assert.IsType<AcceptedResult>(await IngestOneAsync(Identified($"{id}-2", Child($"c2-{id}", given: $"Ida{id}"), Parent($"a2-{id}", withBirthDate: false))));

        Assert.IsType<AcceptedResult>(await IngestOneAsync(Referral($"{id}-3", Parent($"a2-{id}", withBirthDate: true), Child($"c2-{id}", given: $"Ida{id}"))));

        Assert.NotEqual(first.FamilyId, second.FamilyId);
        Assert.Equal(1L, await ScalarAsync(
            "SELECT count(*) FROM identity_candidates c JOIN persons p ON p.person_id IN (c.person_id, c.other_person_id) WHERE p.family_id = @f",
            second.FamilyId));
    }

    [Fact]
    public async Task Concurrent_events_about_one_household_never_create_two_families()
    {
        var id = Unique();
        using var start = new Barrier(8);

        var tasks = Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
        {
            start.SignalAndWait();
            // Each event mentions the shared adult and a child of its own.
            return Assert.IsType<AcceptedResult>(await IngestOneAsync(Identified($"{id}-{i}", Child($"c{i}-{id}"), Adult($"shared-{id}"))));
        })).ToList();
        var results = await Task.WhenAll(tasks);

        Assert.Single(results.Select(r => r.FamilyId).Distinct());
        Assert.Equal(9L, await ScalarAsync("SELECT count(*) FROM persons WHERE family_id = @f", results[0].FamilyId));
    }

    [Fact]
    public async Task A_batch_reports_each_payload_in_order()
    {
        var id = Unique();

        var results = await _pipeline.IngestAsync(
        [
            Payload(Identified($"{id}-1", Child($"c-{id}"))),
            Payload("not json"),
            Payload(Identified($"{id}-1", Child($"c-{id}"))),
        ]);

        Assert.IsType<AcceptedResult>(results[0]);
        Assert.IsType<QuarantinedResult>(results[1]);
        Assert.IsType<DuplicateResult>(results[2]);
    }

    private async Task<IngestResult> IngestOneAsync(string json) => (await _pipeline.IngestAsync([Payload(json)]))[0];

    private async Task<long> ScalarAsync(string sql, string family)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("f", family);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The pipeline's plan for a read of these lines.</summary>
    private LanePlan Partition(LanePlanner planner, params string[] lines) => _pipeline.Partition(_pipeline.Prepare([.. lines.Select(Payload)]), planner);

    private static List<PreparedPayloads> Lanes(LanePlan plan) => [.. plan.Lanes.OfType<PreparedPayloads>()];

    /// <summary>Each lane's events, by the number after the test's id.</summary>
    private static List<string> Ids(LanePlan plan, string id) =>
        [.. plan.Lanes.Select(lane => string.Join(" ", (lane?.Payloads ?? []).Select(p => JsonDocument.Parse(p.Payload).RootElement.GetProperty("id").GetString()![(id.Length + 1)..])))];

    /// <summary>Each lane's waits, lane by lane: the read it waits for in each other lane, or - for none.</summary>
    private static string Waits(LanePlan plan) =>
        string.Join(" | ", plan.WaitFor.Select(lane => string.Join(" ", lane.Select(read => read < 0 ? "-" : read.ToString(System.Globalization.CultureInfo.InvariantCulture)))));

    private static string Unique() => Guid.NewGuid().ToString("N")[..12];
}

internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
