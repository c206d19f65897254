using Npgsql;
using YoungCarers.EventStore.Embedded;
using YoungCarers.EventStore.Schema;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Identity;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Ingest.Tests;

public sealed class IdentityLockTests : IClassFixture<DatabaseFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);
    private readonly PostgresEventStore _store;

    public IdentityLockTests(DatabaseFixture database) => _store = new PostgresEventStore(database.DataSource);

    [Fact]
    public async Task Large_batches_naming_different_people_hold_their_identity_locks_at_the_same_time()
    {
        var id = Unique();
        var first = Keys($"a-{id}", 800);
        var second = Keys($"b-{id}", 800);

        var outcome = await WhileLockedAsync(first, second);

        Assert.Equal("locked", outcome);
    }

    [Fact]
    public async Task A_batch_naming_a_person_another_transaction_has_locked_waits_for_it()
    {
        var id = Unique();
        var first = Keys($"a-{id}", 800);
        IdentityKey[] second = [.. Keys($"b-{id}", 10), first[^1]];

        var outcome = await WhileLockedAsync(first, second);

        Assert.Equal(PostgresErrorCodes.LockNotAvailable, outcome);
    }

    /// <summary>
    /// Locks <paramref name="held"/> in one transaction and, while it is open, tries
    /// <paramref name="wanted"/> in another: "locked", or the SQLSTATE it failed with.
    /// </summary>
    private async Task<string> WhileLockedAsync(IReadOnlyList<IdentityKey> held, IReadOnlyList<IdentityKey> wanted)
    {
        var locked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holder = _store.ExecuteAsync(async (transaction, token) =>
        {
            await PersonIndex.LockAsync(transaction, held, token);
            locked.SetResult();
            await release.Task;
            return 0;
        });
        await locked.Task;
        try
        {
            return await _store.ExecuteAsync(async (transaction, token) =>
            {
                await using (var timeout = new NpgsqlCommand($"SET LOCAL lock_timeout = '{Patience.TotalMilliseconds}ms'", transaction.Connection, transaction.Transaction))
                {
                    await timeout.ExecuteNonQueryAsync(token);
                }

                try
                {
                    await PersonIndex.LockAsync(transaction, wanted, token);
                    return "locked";
                }
                catch (PostgresException e)
                {
                    return e.SqlState;
                }
            });
        }
        finally
        {
            release.SetResult();
            await holder;
        }
    }

    private static IdentityKey[] Keys(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => IdentityKey.ForSystem("LCS", $"{prefix}-{i}"))];

    private static string Unique() => Guid.NewGuid().ToString("N")[..12];
}

/// <summary>On a cluster of its own: filling the server's lock table would fail other tests' transactions.</summary>
public sealed class IdentityLockTableTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"yc-lock-table-test-{Guid.NewGuid():N}");
    private EmbeddedPostgres? _cluster;
    private NpgsqlDataSource? _dataSource;

    private NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync()
    {
        _cluster = await EmbeddedPostgres.StartAsync(new EmbeddedPostgresOptions
        {
            DataDirectory = _directory,
            Disposable = true,
            Settings = new Dictionary<string, string> { ["max_locks_per_transaction"] = "10", ["max_connections"] = "10" },
        });
        _dataSource = NpgsqlDataSource.Create(_cluster.ConnectionString());
        await new SchemaMigrator(_dataSource, typeof(IngestPipeline).Assembly).MigrateAsync();
    }

    [Fact]
    public async Task A_batch_that_finds_the_lock_table_full_is_stored_under_the_global_identity_lock_instead()
    {
        await using var hog = await DataSource.OpenConnectionAsync();

        // Session locks outlive the (sub)transaction that fails for want of room: the table stays full.
        await ExecuteAsync(hog, """
            DO $$ BEGIN
                FOR k IN 1..10000000 LOOP PERFORM pg_advisory_lock(0, k); END LOOP;
            EXCEPTION WHEN out_of_memory THEN NULL;
            END $$
            """);
        await ExecuteAsync(hog, "SELECT count(pg_advisory_unlock(0, k)) FROM generate_series(1, 150) AS k");
        var pipeline = new IngestPipeline(new PostgresEventStore(DataSource), new QuarantineStore(DataSource), new FixedClock(Now));
        var id = Guid.NewGuid().ToString("N")[..12];

        // 300 identifiers: one lock each would not fit in the room left.
        var results = await pipeline.IngestAsync([.. Enumerable.Range(0, 150).Select(i => Payload(Identified($"{id}-{i}", Child($"c{i}-{id}"), Adult($"a{i}-{id}"))))]);

        Assert.All(results, r => Assert.IsType<AcceptedResult>(r));
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
