using System.Text;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

public sealed class QuarantineCommandTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture _database;
    private readonly IngestPipeline _pipeline;

    public QuarantineCommandTests(DatabaseFixture database)
    {
        _database = database;
        _pipeline = new IngestPipeline(new PostgresEventStore(database.DataSource), new QuarantineStore(database.DataSource), TimeProvider.System);
    }

    [Fact]
    public async Task The_integration_team_lists_a_quarantined_event_and_resubmits_it_corrected_from_the_command_line()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var quarantined = Assert.IsType<QuarantinedResult>((await _pipeline.IngestAsync([Payload(Identified(id, Child($"c-{id}", nhs: "1234567890")))]))[0]);
        var corrected = Path.Combine(Path.GetTempPath(), $"corrected-{id}.json");
        // Encoding.UTF8 writes a byte order mark, as Windows editors do.
        await File.WriteAllTextAsync(corrected, Identified(id, Child($"c-{id}", nhs: NhsNumber(77))), Encoding.UTF8);
        var database = $"--ConnectionStrings:EventStore={_database.ConnectionString}";

        try
        {
            var list = await CliProcess.RunAsync("quarantine", "list", database);
            var resubmit = await CliProcess.RunAsync("quarantine", "resubmit", quarantined.QuarantineId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--file", corrected, "--by", "alex", database);
            var again = await CliProcess.RunAsync("quarantine", "resubmit", quarantined.QuarantineId.ToString(System.Globalization.CultureInfo.InvariantCulture), database);
            var unstated = await CliProcess.RunAsync("quarantine", "show", quarantined.QuarantineId.ToString(System.Globalization.CultureInfo.InvariantCulture), database);
            var show = await CliProcess.RunAsync("quarantine", "show", quarantined.QuarantineId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--purpose", "checking the fix", database);

            Assert.Equal(0, list.ExitCode);
            Assert.Contains($"{quarantined.QuarantineId}\t", list.Output, StringComparison.Ordinal);
            Assert.Contains("data.child.nhsNumber: nhs-number-checksum", list.Output, StringComparison.Ordinal);
            Assert.True(resubmit.ExitCode == 0, resubmit.Output + resubmit.Errors);
            Assert.Contains("Entry resolved: accepted into family-", resubmit.Output, StringComparison.Ordinal);
            Assert.Equal(2, again.ExitCode);
            Assert.Equal(2, unstated.ExitCode);
            Assert.DoesNotContain($"c-{id}", unstated.Output, StringComparison.Ordinal);
            Assert.Contains("--purpose", unstated.Errors, StringComparison.Ordinal);
            Assert.Equal(0, show.ExitCode);
            Assert.Matches($@"\nresolved .+ by alex: accepted into family-\S+ as event {id} from {PartnerSource}\n", show.Output);
            var familyId = System.Text.RegularExpressions.Regex.Match(show.Output, @"accepted into (family-\S+) as event").Groups[1].Value;
            await using var read = _database.DataSource.CreateCommand(
                "SELECT count(*)::int FROM access_audit_entries WHERE resource = 'CLI quarantine show' AND purpose = 'checking the fix' AND client LIKE 'cli:%' AND @family = ANY(family_ids)");
            read.Parameters.AddWithValue("family", familyId);
            Assert.Equal(1, (int)(await read.ExecuteScalarAsync())!);
        }
        finally
        {
            File.Delete(corrected);
        }
    }

    [Fact]
    public async Task A_corrected_event_already_stored_is_reported_as_a_duplicate_rather_than_accepted()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var valid = Identified(id, Child($"c-{id}", nhs: NhsNumber(79)));
        var stored = Assert.IsType<AcceptedResult>((await _pipeline.IngestAsync([Payload(valid)]))[0]);
        var quarantined = Assert.IsType<QuarantinedResult>((await _pipeline.IngestAsync([Payload(Identified(id, Child($"c-{id}", nhs: "1234567890")))]))[0]);
        var corrected = Path.Combine(Path.GetTempPath(), $"corrected-{id}.json");
        await File.WriteAllTextAsync(corrected, valid);

        try
        {
            var resubmit = await CliProcess.RunAsync("quarantine", "resubmit", quarantined.QuarantineId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--file", corrected,
                $"--ConnectionStrings:EventStore={_database.ConnectionString}");

            Assert.True(resubmit.ExitCode == 0, resubmit.Output + resubmit.Errors);
            Assert.Equal($"Entry resolved: a duplicate of event {id} from {PartnerSource}, already stored in {stored.FamilyId}.", resubmit.Output.Trim());
        }
        finally
        {
            File.Delete(corrected);
        }
    }

    [Fact]
    public async Task A_corrected_event_file_that_is_not_there_is_reported_and_the_entry_stays_open()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var quarantined = Assert.IsType<QuarantinedResult>((await _pipeline.IngestAsync([Payload(Identified(id, Child($"c-{id}", nhs: "1234567890")))]))[0]);
        var missing = Path.Combine(Path.GetTempPath(), $"corrected-{id}.json");

        var resubmit = await CliProcess.RunAsync("quarantine", "resubmit", quarantined.QuarantineId.ToString(System.Globalization.CultureInfo.InvariantCulture), "--file", missing, $"--ConnectionStrings:EventStore={_database.ConnectionString}");

        Assert.Equal(2, resubmit.ExitCode);
        Assert.Equal($"youngcarers: there is no file {missing}.", resubmit.Errors.Trim());
        Assert.Contains(await new QuarantineStore(_database.DataSource).ListOpenAsync(0, 1000), entry => entry.QuarantineId == quarantined.QuarantineId);
    }
}
