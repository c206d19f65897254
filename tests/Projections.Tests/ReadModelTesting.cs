using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using YoungCarers.Domain.Policy;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;
using YoungCarers.Projections.Daemon;
using YoungCarers.Projections.Deadlines;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

/// <summary>A clock the test sets.</summary>
internal sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    private long _utcTicks = now.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _utcTicks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Ingests through the real pipeline and reads the read model tables, for one test class's database.</summary>
internal sealed class ReadModelHarness(DatabaseFixture database, ManualClock clock)
{
    public const string ChildrenSource = "urn:la:test:childrens-social-care:lcs";

    public static readonly ProjectionDaemonOptions FastDaemon = new()
    {
        PageSize = 50,
        PollInterval = TimeSpan.FromMilliseconds(20),
        RetryDelay = TimeSpan.FromMilliseconds(50),
    };

    public NpgsqlDataSource DataSource => database.DataSource;

    public ManualClock Clock => clock;

    public FamilyReadModel Model { get; } = new(LocalPolicy.Default, clock);

    public IngestPipeline Pipeline { get; } = new(new PostgresEventStore(database.DataSource), new QuarantineStore(database.DataSource), clock);

    public static string Unique() => Guid.NewGuid().ToString("N")[..12];

    /// <summary>An envelope with its CloudEvents time set.</summary>
    public static string At(string envelope, DateTimeOffset time) =>
        envelope.Replace("2025-03-04T10:15:00Z", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public static string ChildrenReferral(string eventId, string child, DateOnly receivedOn) => At(Envelopes.Envelope(
        eventId, ChildrenSource, "children.referral.received.v1",
        $$"""{ "referralId": "CR-{{eventId}}", "child": {{child}}, "receivedOn": "{{receivedOn:yyyy-MM-dd}}", "referralSource": "5A", "reasons": ["young-carer"] }"""),
        receivedOn.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc));

    /// <summary>Ingests events and returns each one's family id.</summary>
    public async Task<List<string>> IngestAsync(params string[] envelopes)
    {
        var results = await Pipeline.IngestAsync([.. envelopes.Select(json => new InboundPayload(Encoding.UTF8.GetBytes(json), Arrival.Http("test")))]);
        return [.. results.Select(result => result switch
        {
            AcceptedResult accepted => accepted.FamilyId,
            DuplicateResult duplicate => duplicate.FamilyId,
            QuarantinedResult quarantined => throw new InvalidOperationException(
                $"Quarantined: {string.Join("; ", quarantined.Reasons.Select(reason => $"{reason.Field} {reason.Rule}"))}"),
            _ => throw new InvalidOperationException(result.ToString()),
        })];
    }

    /// <summary>A young carer identified by a school, with the adult they care for: a new family.</summary>
    public async Task<(string FamilyId, string Child, string Adult)> NewFamilyAsync()
    {
        var id = Unique();
        var child = Envelopes.Child($"c-{id}");
        var adult = Envelopes.Adult($"a-{id}");
        var family = (await IngestAsync(Envelopes.Identified($"idf-{id}", child, adult)))[0];
        return (family, child, adult);
    }

    public ProjectionDaemon Daemon(params IProjection[] projections) =>
        new(DataSource, projections, FastDaemon, NullLogger<ProjectionDaemon>.Instance);

    public DeadlineWorker DeadlineWorker() => new(
        DataSource,
        Model,
        new DeadlineWorkerOptions { BatchSize = 10, PollInterval = TimeSpan.FromMilliseconds(20), RetryDelay = TimeSpan.FromMilliseconds(50) },
        NullLogger<DeadlineWorker>.Instance);

    /// <summary>Applies every stored event with the projection itself, as the daemon would, in one transaction.</summary>
    public async Task RefreshAllAsync()
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var ids = new List<string>();
        await using (var command = new NpgsqlCommand("SELECT stream_id FROM streams", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetString(0));
            }
        }

        await Model.RefreshAsync(ids, connection, transaction, ReadModelSchema.Live, skipBusy: false, CancellationToken.None);
        await transaction.CommitAsync();
    }

    public Task<List<string>> RowsAsync(string sql, params (string Name, object Value)[] parameters) => RowsAsync(DataSource, sql, parameters);

    /// <summary>Each row as its values' invariant text, joined by " | " (arrays by commas).</summary>
    public static async Task<List<string>> RowsAsync(NpgsqlDataSource dataSource, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = dataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var rows = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i) is Array array ? string.Join(",", array.Cast<object>()) : reader.GetValue(i), CultureInfo.InvariantCulture))));
        }

        return rows;
    }

    public async Task<T?> ScalarAsync<T>(string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        var result = await command.ExecuteScalarAsync();
        return result is null or DBNull ? default : (T)result;
    }

    /// <summary>Every row of the read model's tables, for comparing two builds of it (updated_at aside).</summary>
    public async Task<List<string>> SnapshotAsync(string schema = ReadModelSchema.Live)
    {
        var s = ReadModelSchema.Quote(schema);
        var rows = new List<string>();
        rows.AddRange(await RowsAsync($"SELECT 'F', family_id, survivor_id, stream_version, fact_count, last_recorded_at, policy_version, evaluated_at, next_change_at, document::text FROM {s}.families ORDER BY family_id"));
        rows.AddRange(await RowsAsync($"SELECT 'O', * FROM {s}.obligations ORDER BY family_id, obligation_id"));
        rows.AddRange(await RowsAsync($"SELECT 'L', * FROM {s}.flags ORDER BY family_id, ordinal"));
        rows.AddRange(await RowsAsync($"SELECT 'P', * FROM {s}.disputes ORDER BY family_id, dispute_id"));
        rows.AddRange(await RowsAsync($"SELECT 'D', * FROM {s}.deadlines ORDER BY family_id"));
        rows.AddRange(await RowsAsync($"SELECT 'Y', * FROM {s}.young_carers ORDER BY family_id, person_key"));
        return rows;
    }

    /// <summary>
    /// Session advisory locks in this key space held in the database, seen from a pool of its own:
    /// taking a connection another pool returned would reset its session first and hide a lock
    /// left in it.
    /// </summary>
    public static async Task<long> AdvisoryLocksAsync(string connectionString, int space)
    {
        await using var observer = NpgsqlDataSource.Create(connectionString);
        await using var command = observer.CreateCommand("""
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = @space::oid
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """);
        command.Parameters.AddWithValue("space", (long)space);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The last event in the all-events order, for a test whose appends have all ended.</summary>
    public static async Task<GlobalPosition> HeadAsync(NpgsqlDataSource dataSource)
    {
        // Aliased: ORDER BY transaction_id would otherwise sort by the text output column, not the xid8.
        await using var command = dataSource.CreateCommand("SELECT transaction_id::text AS head_transaction, seq FROM events ORDER BY transaction_id DESC, seq DESC LIMIT 1");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return new GlobalPosition(ulong.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetInt64(1));
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The condition did not hold within {seconds} s.");
            }

            await Task.Delay(20);
        }
    }
}
