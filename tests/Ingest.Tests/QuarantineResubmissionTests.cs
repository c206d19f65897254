using System.Text;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Ingest.Tests;

public sealed class QuarantineResubmissionTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture _database;
    private readonly QuarantineStore _quarantine;
    private readonly IngestPipeline _pipeline;
    private readonly QuarantineResubmission _resubmission;

    public QuarantineResubmissionTests(DatabaseFixture database)
    {
        _database = database;
        _quarantine = new QuarantineStore(database.DataSource);
        _pipeline = new IngestPipeline(new PostgresEventStore(database.DataSource), _quarantine, new FixedClock(Now));
        _resubmission = new QuarantineResubmission(_quarantine, _pipeline, new FixedClock(Now));
    }

    [Fact]
    public async Task A_resubmission_whose_transaction_was_lost_after_the_event_was_stored_stores_it_once_when_retried()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var entry = await QuarantinedAsync(Identified(id, Child($"c-{id}", nhs: "1234567890")));
        var corrected = Encoding.UTF8.GetBytes(Identified(id, Child($"c-{id}", nhs: NhsNumber(77))));

        // The first try stores the event, then its transaction never commits (the service died).
        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            Assert.IsType<AcceptedResult>(Assert.IsType<ResubmissionAccepted>(
                await _resubmission.ResubmitAsync(transaction, entry.QuarantineId, entry.RowVersion, corrected, "alex")).Result);
            await transaction.RollbackAsync();
        }

        var untouched = (await _quarantine.GetAsync(entry.QuarantineId))!;
        Assert.Equal(("open", entry.RowVersion), (untouched.Status, untouched.RowVersion));

        await using (var connection = await _database.DataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            var retried = Assert.IsType<ResubmissionAccepted>(await _resubmission.ResubmitAsync(transaction, entry.QuarantineId, entry.RowVersion, corrected, "alex"));
            Assert.IsType<DuplicateResult>(retried.Result);
            await transaction.CommitAsync();
        }

        Assert.Equal(("resolved", "alex"), ((await _quarantine.GetAsync(entry.QuarantineId))!.Status, (await _quarantine.GetAsync(entry.QuarantineId))!.ResolvedBy));
        await using var count = _database.DataSource.CreateCommand("SELECT count(*) FROM events WHERE source = @source AND source_event_id = @id");
        count.Parameters.AddWithValue("source", PartnerSource);
        count.Parameters.AddWithValue("id", id);
        Assert.Equal(1L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_resubmission_based_on_an_old_version_of_the_entry_changes_nothing_and_names_the_current_one()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var entry = await QuarantinedAsync(Identified(id, Child($"c-{id}", nhs: "1234567890")));
        await _resubmission.ResubmitAsync(entry.QuarantineId, null, "alex");
        var current = (await _quarantine.GetAsync(entry.QuarantineId))!;
        Assert.NotEqual(entry.RowVersion, current.RowVersion);

        await using var connection = await _database.DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var stale = await _resubmission.ResubmitAsync(transaction, entry.QuarantineId, entry.RowVersion,
            Encoding.UTF8.GetBytes(Identified(id, Child($"c-{id}", nhs: NhsNumber(78)))), "alex");
        await transaction.CommitAsync();

        Assert.Equal(current.RowVersion, Assert.IsType<ResubmissionStale>(stale).RowVersion);
        Assert.Equal((2, "open"), ((await _quarantine.GetAsync(entry.QuarantineId))!.Deliveries, (await _quarantine.GetAsync(entry.QuarantineId))!.Status));
    }

    private async Task<QuarantinedEvent> QuarantinedAsync(string json)
    {
        var result = Assert.IsType<QuarantinedResult>((await _pipeline.IngestAsync([Payload(json)]))[0]);
        return (await _quarantine.GetAsync(result.QuarantineId))!;
    }
}
