using Npgsql;
using YoungCarers.EventStore.Schema;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Testing;

namespace YoungCarers.Ingest.Tests;

/// <summary>Migration 0108 on a person index written before it: the name-and-birth-date pairs ingest never offered.</summary>
public sealed class CandidateBackfillMigrationTests
{
    private const int Backfill = 108;

    [Fact]
    public async Task Pairs_never_offered_are_offered_and_decided_pairs_keep_their_decision()
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("yc_candidate_backfill");
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var migrator = new SchemaMigrator(dataSource, typeof(IngestPipeline).Assembly);
            await EarlierSchema.ApplyBeforeAsync(dataSource, migrator, Backfill);
            // Missed: an adult whose birth date came later; dismissed: a pair the team has decided;
            // one household: a same-named pair within one family is not a candidate.
            await EarlierSchema.ExecuteAsync(dataSource, """
                INSERT INTO persons (person_id, family_id, given_name, family_name, birth_date) VALUES
                    ('00000000-0000-0000-0000-000000000001', 'family-a', 'Noor', 'Hughes', '1980-02-29'),
                    ('00000000-0000-0000-0000-000000000002', 'family-b', 'NOOR', 'hughes', '1980-02-29'),
                    ('00000000-0000-0000-0000-000000000003', 'family-a', 'Ida', 'Khan', '2011-05-06'),
                    ('00000000-0000-0000-0000-000000000004', 'family-c', 'Ida', 'Khan', '2011-05-06'),
                    ('00000000-0000-0000-0000-000000000005', 'family-d', 'Ola', 'Khan', '2012-01-01'),
                    ('00000000-0000-0000-0000-000000000006', 'family-d', 'Ola', 'Khan', '2012-01-01'),
                    ('00000000-0000-0000-0000-000000000007', 'family-e', 'Ola', 'Khan', NULL);
                INSERT INTO identity_candidates (person_id, other_person_id, reason, status, decided_at, decided_by)
                VALUES ('00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000004', 'same-name-and-birth-date', 'dismissed', now(), 'alex');
                """);

            var applied = await migrator.MigrateAsync();

            Assert.Equal(Backfill, applied[0]);
            await using var command = dataSource.CreateCommand(
                "SELECT right(person_id::text, 1) || '-' || right(other_person_id::text, 1) || ' ' || status FROM identity_candidates ORDER BY 1");
            var candidates = new List<string>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                candidates.Add(reader.GetString(0));
            }

            Assert.Equal(["1-2 open", "3-4 dismissed"], candidates);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
