using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using YoungCarers.Api.Security;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.Projections.Daemon;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

public sealed class HealthTests : IClassFixture<DatabaseFixture>
{
    private const string GivenName = "Zephyrine";
    private readonly DatabaseFixture _database;

    public HealthTests(DatabaseFixture database) => _database = database;

    [Fact]
    public async Task A_service_with_a_reachable_database_is_live_to_anonymous_probes()
    {
        await using var service = Service(_database.ConnectionString);

        var response = await service.CreateClient().GetAsync(new Uri("/health/live", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Ready_is_healthy_once_the_projections_have_caught_up_and_says_so_per_check_without_personal_data()
    {
        await using var service = Service(_database.ConnectionString);
        var id = await IngestAsync(service, 1);
        var client = service.CreateClient();
        // Readiness counts only events no older transaction can still precede, and the test cluster's
        // other databases share its transactions: "caught-up" alone can come before the daemon's first page.
        await WaitForCheckpointAsync(FamilyReadModelProjection.ProjectionName);

        var (status, body) = await ReadyUntilAsync(client, r => Projection(r.Body, FamilyReadModelProjection.ProjectionName).GetProperty("state").GetString() == "caught-up");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("projections").GetProperty("status").GetString());
        var projection = Projection(body, FamilyReadModelProjection.ProjectionName);
        Assert.Equal("Healthy", projection.GetProperty("status").GetString());
        Assert.Equal(0, projection.GetProperty("eventsBehind").GetInt64());
        Assert.Equal(0, projection.GetProperty("secondsBehind").GetDouble());
        Assert.Equal(0, projection.GetProperty("consecutiveFailures").GetInt32());
        Assert.True(projection.TryGetProperty("checkpointUpdatedAt", out _));
        Assert.DoesNotContain(GivenName, body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(id, body.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_projection_whose_pages_keep_failing_stalls_and_makes_every_instance_judging_it_unready()
    {
        var failing = new FailingProjection($"failing-{Guid.NewGuid():N}");
        await using var leaderRoot = Service(_database.ConnectionString, ("Projections:StallAfter", "00:00:02"), ("Projections:Daemon:RetryDelay", "00:00:00.200"));
        await using var leader = WithProjection(leaderRoot, failing);
        var id = await IngestAsync(leader, 1);

        // Stalled can be reported before the first failure: the wait counts from the event's
        // recording, and a transaction in another test database can hold the readable horizon
        // before it past the stall threshold, so the daemon tries the page only once readiness
        // already judges it stalled (failed once on a clean clone).
        var (status, body) = await ReadyUntilAsync(leader.CreateClient(), r =>
            r.Status == HttpStatusCode.ServiceUnavailable && Projection(r.Body, failing.Name).GetProperty("consecutiveFailures").GetInt32() >= 1);

        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("projections").GetProperty("status").GetString());
        var stalled = Projection(body, failing.Name);
        Assert.Equal("stalled", stalled.GetProperty("state").GetString());
        Assert.True(stalled.GetProperty("eventsBehind").GetInt64() >= 1);
        Assert.True(stalled.GetProperty("secondsWithoutProgress").GetDouble() > 2);
        Assert.True(stalled.GetProperty("consecutiveFailures").GetInt32() >= 1);
        Assert.Equal(nameof(InvalidOperationException), stalled.GetProperty("lastError").GetString());
        Assert.NotEqual("stalled", Projection(body, FamilyReadModelProjection.ProjectionName).GetProperty("state").GetString());
        // The projection's exception quoted the family; readiness does not.
        Assert.DoesNotContain(GivenName, body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(id, body.GetRawText(), StringComparison.Ordinal);

        // An instance that runs no projections reads the same from the database, and stays ready.
        await using var readerRoot = Service(_database.ConnectionString, ("Projections:StallAfter", "00:00:02"), ("Projections:Enabled", "false"));
        await using var reader = WithProjection(readerRoot, failing);
        var (readerStatus, readerBody) = await ReadyAsync(reader.CreateClient());

        Assert.Equal(HttpStatusCode.OK, readerStatus);
        Assert.Equal("Healthy", readerBody.GetProperty("checks").GetProperty("projections").GetProperty("status").GetString());
        var reported = Projection(readerBody, failing.Name);
        Assert.Equal("stalled", reported.GetProperty("state").GetString());
        Assert.True(reported.GetProperty("consecutiveFailures").GetInt32() >= 1);
    }

    [Fact]
    public async Task A_projection_whose_failing_page_applies_at_last_is_healthy_again_with_its_failures_cleared()
    {
        var flaky = new FailingProjection($"flaky-{Guid.NewGuid():N}", failures: 3);
        await using var root = Service(_database.ConnectionString, ("Projections:Daemon:RetryDelay", "00:00:00.200"));
        await using var service = WithProjection(root, flaky);
        await IngestAsync(service, 1);
        await WaitForCheckpointAsync(flaky.Name);

        var (status, body) = await ReadyUntilAsync(service.CreateClient(), r => Projection(r.Body, flaky.Name).GetProperty("state").GetString() == "caught-up");

        Assert.Equal(3, flaky.Failed);
        Assert.Equal(HttpStatusCode.OK, status);
        var recovered = Projection(body, flaky.Name);
        Assert.Equal("Healthy", recovered.GetProperty("status").GetString());
        Assert.Equal(0, recovered.GetProperty("consecutiveFailures").GetInt32());
        Assert.False(recovered.TryGetProperty("lastError", out _));
    }

    [Fact]
    public async Task A_projection_catching_up_on_events_older_than_the_stall_threshold_is_degraded_but_stays_ready()
    {
        var slow = new SlowProjection($"slow-{Guid.NewGuid():N}", TimeSpan.FromMilliseconds(300));
        await using var root = Service(_database.ConnectionString, ("Projections:StallAfter", "00:00:03"), ("Projections:Daemon:PageSize", "1"));
        await using var service = WithProjection(root, slow);
        await IngestAsync(service, 20);
        var stored = await StoredEventsAsync();
        // Until its first page commits, a projection nobody ran reads as stalled (if events older
        // than the threshold wait): from then on it must not, however far behind.
        await WaitForCheckpointAsync(slow.Name);
        var client = service.CreateClient();
        var seen = new List<(HttpStatusCode Status, string? Health, string? State)>();

        await ReadyUntilAsync(client, r =>
        {
            var projection = Projection(r.Body, slow.Name);
            seen.Add((r.Status, projection.GetProperty("status").GetString(), projection.GetProperty("state").GetString()));
            // "caught-up" can also mean the rest of the batch is not yet readable (another database's
            // transaction holds back the cluster's horizon): the projection is done only once it has them all.
            return seen[^1].State == "caught-up" && slow.Applied >= stored;
        });

        Assert.Equal(stored, slow.Applied);
        Assert.Contains((HttpStatusCode.OK, "Degraded", "catching-up"), seen);
        Assert.DoesNotContain(seen, s => s.Status != HttpStatusCode.OK || s.State is "stalled" or "failing");
        Assert.Equal((HttpStatusCode.OK, "Healthy", "caught-up"), seen[^1]);
    }

    [Fact]
    public async Task A_service_whose_database_is_unreachable_is_live_but_not_ready()
    {
        await using var service = Service("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2", ("EventStore:MigrateOnStartup", "false"));
        var client = service.CreateClient();

        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        var (ready, body) = await ReadyAsync(client);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.DoesNotContain("nobody", body.GetRawText(), StringComparison.Ordinal);
    }

    private async Task<int> StoredEventsAsync()
    {
        await using var command = _database.DataSource.CreateCommand("SELECT count(*) FROM events");
        return (int)(long)(await command.ExecuteScalarAsync())!;
    }

    private async Task WaitForCheckpointAsync(string projection)
    {
        await using var command = _database.DataSource.CreateCommand("SELECT count(*) FROM projection_checkpoints WHERE projection = @projection");
        command.Parameters.AddWithValue("projection", projection);
        for (var attempt = 0; (long)(await command.ExecuteScalarAsync())! == 0; attempt++)
        {
            Assert.True(attempt < 600, $"{projection} never applied a page.");
            await Task.Delay(100);
        }
    }

    private static WebApplicationFactory<Program> Service(string connectionString, params (string Key, string Value)[] settings) =>
        TestAuth.Service(connectionString, settings);

    private static WebApplicationFactory<Program> WithProjection(WebApplicationFactory<Program> service, IProjection projection) =>
        service.WithWebHostBuilder(host => host.ConfigureTestServices(services => services.AddSingleton(projection)));

    /// <summary>Ingests <paramref name="families"/> families, each a young carer identified by a school; returns the first child's id.</summary>
    private static async Task<string> IngestAsync(WebApplicationFactory<Program> service, int families)
    {
        using var http = service.ClientWith(Scopes.EventsWrite);
        var id = Guid.NewGuid().ToString("N")[..12];
        var events = Enumerable.Range(0, families).Select(i => Identified($"{id}-{i}", Child($"hc-{id}-{i}", given: GivenName)));
        var response = await http.PostAsync(new Uri("/events", UriKind.Relative),
            new StringContent($"[{string.Join(", ", events)}]", Encoding.UTF8, "application/cloudevents-batch+json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(families, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        return $"hc-{id}";
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(HttpClient client)
    {
        var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>Probes readiness every 100 ms until <paramref name="done"/> holds (60 s at most: the machine may be busy).</summary>
    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyUntilAsync(HttpClient client, Func<(HttpStatusCode Status, JsonElement Body), bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var ready = await ReadyAsync(client);
            if (done(ready))
            {
                return ready;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Readiness never got there; last answer {ready.Status}: {ready.Body}");
            await Task.Delay(100);
        }
    }

    private static JsonElement Projection(JsonElement body, string name) =>
        body.GetProperty("checks").GetProperty("projections").GetProperty("data").GetProperty("projections")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    /// <summary>A projection with a bug: its first <c>failures</c> pages (all, by default) throw, quoting the family as careless code does.</summary>
    private sealed class FailingProjection(string name, int failures = int.MaxValue) : IProjection
    {
        private int _failed;

        public string Name => name;

        public int Failed => Volatile.Read(ref _failed);

        public async Task ApplyAsync(IReadOnlyList<EventPointer> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            if (Volatile.Read(ref _failed) >= failures)
            {
                return;
            }

            Interlocked.Increment(ref _failed);
            await using var command = new NpgsqlCommand("SELECT data::text FROM events WHERE seq = @seq", connection, transaction);
            command.Parameters.AddWithValue("seq", events[0].Position.Sequence);
            throw new InvalidOperationException($"Cannot project {events[0].StreamId}: {await command.ExecuteScalarAsync(cancellationToken)}");
        }
    }

    /// <summary>A projection that takes its time over every page, as one far behind does page after page.</summary>
    private sealed class SlowProjection(string name, TimeSpan perPage) : IProjection
    {
        private int _applied;

        public string Name => name;

        public int Applied => Volatile.Read(ref _applied);

        public async Task ApplyAsync(IReadOnlyList<EventPointer> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
        {
            await Task.Delay(perPage, cancellationToken);
            Interlocked.Add(ref _applied, events.Count);
        }
    }
}
