using Npgsql;
using YoungCarers.EventStore.Schema;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

/// <summary>Migration 0206 on a read model written before it: jsonb documents, no young carers table.</summary>
public sealed class YoungCarersMigrationTests : IClassFixture<DatabaseFixture>
{
    private const int FirstVersionWithYoungCarers = 206;
    private readonly ReadModelHarness _harness;

    public YoungCarersMigrationTests(DatabaseFixture database) =>
        _harness = new ReadModelHarness(database, new ManualClock(Envelopes.Now));

    [Fact]
    public async Task Migrating_jsonb_documents_lists_their_young_carers_as_the_projection_writes_them_and_keeps_the_documents()
    {
        var (family, _, _) = await _harness.NewFamilyAsync();
        var id = ReadModelHarness.Unique();
        var leapDayCarer = Envelopes.Child($"c-{id}", given: "Leap").Replace("2011-05-06", "2008-02-29", StringComparison.Ordinal);
        var leapDayFamily = (await _harness.IngestAsync(Envelopes.Identified($"idf-{id}", leapDayCarer, Envelopes.Adult($"a-{id}"))))[0];
        await _harness.RefreshAllAsync();
        string[] families = [family, leapDayFamily];
        var rows = await _harness.RowsAsync("SELECT f::text FROM read_model.families f WHERE family_id = ANY(@ids)", ("ids", families));
        var written = await _harness.RowsAsync("SELECT * FROM read_model.young_carers WHERE family_id = ANY(@ids) ORDER BY family_id, person_key", ("ids", families));
        var documents = await _harness.RowsAsync("SELECT family_id, document::jsonb::text FROM read_model.families WHERE family_id = ANY(@ids) ORDER BY family_id", ("ids", families));

        var connectionString = await TestPostgres.CreateDatabaseAsync("yc_young_carers");
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var migrator = new SchemaMigrator(dataSource, typeof(IngestPipeline).Assembly, typeof(ProjectionsRegistration).Assembly);
            await EarlierSchema.ApplyBeforeAsync(dataSource, migrator, FirstVersionWithYoungCarers);
            foreach (var row in rows)
            {
                await EarlierSchema.ExecuteAsync(dataSource, "INSERT INTO read_model.families SELECT (@row::read_model.families).*", ("row", row));
            }

            var applied = await migrator.MigrateAsync();

            Assert.Equal(FirstVersionWithYoungCarers, applied[0]);
            Assert.Equal(2, written.Count);
            Assert.Equal(written, await ReadModelHarness.RowsAsync(dataSource, "SELECT * FROM read_model.young_carers ORDER BY family_id, person_key"));
            Assert.Contains(written, row => row.Contains("Leap", StringComparison.Ordinal) && row.Contains("02/28/2026", StringComparison.Ordinal));
            Assert.Equal(documents, await ReadModelHarness.RowsAsync(dataSource, "SELECT family_id, document::jsonb::text FROM read_model.families ORDER BY family_id"));
            // 0206 made the documents json; 0209 then made them text.
            Assert.Equal(["text"], await ReadModelHarness.RowsAsync(dataSource, "SELECT pg_typeof(document)::text FROM read_model.families GROUP BY 1"));
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
