using Npgsql;
using YoungCarers.EventStore.Schema;
using YoungCarers.Testing;

namespace YoungCarers.EventStore.Tests;

public sealed class SchemaMigratorTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture _database;

    public SchemaMigratorTests(DatabaseFixture database) => _database = database;

    [Fact]
    public async Task Migrating_an_up_to_date_database_applies_nothing()
    {
        var applied = await new SchemaMigrator(_database.DataSource, typeof(Ingest.Pipeline.IngestPipeline).Assembly, typeof(Projections.ProjectionsRegistration).Assembly).MigrateAsync();

        Assert.Empty(applied);
    }

    [Fact]
    public async Task Concurrent_migrators_on_a_new_database_apply_each_script_once()
    {
        await InNewDatabaseAsync(async connectionString =>
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => new SchemaMigrator(dataSource).MigrateAsync()));

            Assert.Equal(new SchemaMigrator(dataSource).Scripts.Select(s => s.Version), runs.SelectMany(run => run).Order());
        });
    }

    [Fact]
    public async Task A_database_with_versions_this_build_does_not_know_stops_the_migration()
    {
        var error = await Assert.ThrowsAsync<SchemaMigrationException>(() => new SchemaMigrator(_database.DataSource).MigrateAsync());

        Assert.Contains("newer build", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_script_changed_after_it_was_applied_stops_the_migration()
    {
        await InNewDatabaseAsync(async connectionString =>
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await new SchemaMigrator(dataSource).MigrateAsync();
            await using (var command = dataSource.CreateCommand("UPDATE schema_migrations SET checksum = 'edited' WHERE version = 1"))
            {
                await command.ExecuteNonQueryAsync();
            }

            var error = await Assert.ThrowsAsync<SchemaMigrationException>(() => new SchemaMigrator(dataSource).MigrateAsync());

            Assert.Contains("0001", error.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_migrator_waits_for_another_migration_however_long_it_takes_beyond_the_command_timeout()
    {
        await InNewDatabaseAsync(async connectionString =>
        {
            await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 1 }.ConnectionString);
            await using var other = await dataSource.OpenConnectionAsync();
            // Another process migrating: it holds the migrators' lock.
            await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", other))
            {
                take.Parameters.AddWithValue("key", SchemaMigrator.MigrationLockKey);
                await take.ExecuteNonQueryAsync();
            }

            var migrating = new SchemaMigrator(dataSource).MigrateAsync();
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.False(migrating.IsCompleted);
            await using (var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", other))
            {
                release.Parameters.AddWithValue("key", SchemaMigrator.MigrationLockKey);
                await release.ExecuteNonQueryAsync();
            }

            Assert.Equal(new SchemaMigrator(dataSource).Scripts.Select(s => s.Version), await migrating);
        });
    }

    [Fact]
    public async Task A_migration_whose_connection_breaks_reports_the_break_not_the_lock_release()
    {
        await InNewDatabaseAsync(async connectionString =>
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await new SchemaMigrator(dataSource).MigrateAsync();
            await using var blocker = await dataSource.OpenConnectionAsync();
            await using var blocking = await blocker.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE", blocker, blocking))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            // The migrator holds its lock and waits to read the versions applied; then its session is ended.
            var migrating = new SchemaMigrator(dataSource).MigrateAsync();
            // Outside the blocking transaction, which would see one snapshot of pg_stat_activity throughout.
            await using (var terminate = dataSource.CreateCommand("""
                SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'SELECT version, checksum FROM schema_migrations%'
                """))
            {
                var deadline = DateTime.UtcNow.AddSeconds(30);
                while ((long)(await terminate.ExecuteScalarAsync())! == 0 && DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                }
            }

            var error = await Assert.ThrowsAsync<PostgresException>(() => migrating);

            Assert.Equal(PostgresErrorCodes.AdminShutdown, error.SqlState);
        });
    }

    /// <summary>Runs <paramref name="test"/> against a database of its own, dropped afterwards.</summary>
    private static async Task InNewDatabaseAsync(Func<string, Task> test)
    {
        var connectionString = await TestPostgres.CreateDatabaseAsync("yc_migrate");
        try
        {
            await test(connectionString);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }
}
