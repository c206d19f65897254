using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using YoungCarers.Api.Security;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

public sealed class ProjectionRebuildEndpointTests(SecuredService service) : IClassFixture<SecuredService>
{
    /// <summary>The runner lock space of <c>ProjectionRebuilds</c> ("YCRR").</summary>
    private const int RunnerLockSpace = 0x5943_5252;

    [Fact]
    public async Task A_rebuild_is_accepted_runs_in_the_background_and_rebuilds_the_read_model_and_a_retried_request_starts_no_other()
    {
        var family = await NewFamilyAsync();
        await WaitUntilAsync(async () => await CountAsync("SELECT count(*) FROM read_model.families WHERE family_id = @f", family) == 1);
        // Lost from the read model (the daemon has passed it): only a rebuild brings it back.
        await CountAsync("WITH gone AS (DELETE FROM read_model.families WHERE family_id = @f RETURNING 1) SELECT count(*) FROM gone", family);
        using var http = service.Service.ClientWith(Scopes.Admin, "integration-team");
        var key = $"rebuild-{Guid.NewGuid():N}";

        var accepted = await RequestAsync(http, key);
        var retried = await RequestAsync(http, key);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var location = accepted.Headers.Location!;
        var rebuild = await accepted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"/admin/projections/rebuilds/{rebuild.GetProperty("rebuildId").GetInt64()}", location.OriginalString);
        Assert.Equal("integration-team", rebuild.GetProperty("requestedBy").GetString());
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(location, retried.Headers.Location);
        Assert.Equal(await accepted.Content.ReadAsStringAsync(), await retried.Content.ReadAsStringAsync());
        Assert.True(retried.Headers.Contains("Idempotent-Replayed"));

        var finished = await FinishedAsync(http, location);
        Assert.Equal("succeeded", finished.GetProperty("status").GetString());
        Assert.True(finished.GetProperty("eventsProcessed").GetInt64() >= 1);
        Assert.True(finished.GetProperty("finishedAt").GetDateTimeOffset() >= finished.GetProperty("startedAt").GetDateTimeOffset());
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM read_model.families WHERE family_id = @f", family));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM projection_rebuilds WHERE requested_by = @f", "integration-team"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM admin_audit WHERE action = 'projections.rebuild' AND client = @f", "integration-team"));
    }

    [Fact]
    public async Task A_second_request_while_one_runs_is_409_and_a_rebuild_whose_instance_stopped_shows_failed()
    {
        using var http = service.Service.ClientWith(Scopes.Admin, "second-requester");
        long running;
        // Not pooled, so closing it ends the session, as a crash would.
        await using (var crashed = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(service.Database.ConnectionString) { Pooling = false }.ConnectionString))
        {
            // Another instance, running a rebuild: it holds the runner lock and its row is running.
            await crashed.OpenAsync();
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({RunnerLockSpace}, 0)", crashed))
            {
                await take.ExecuteNonQueryAsync();
            }

            await using (var insert = new NpgsqlCommand(
                "INSERT INTO projection_rebuilds (requested_by, status, started_at) VALUES ('other-instance', 'running', now()) RETURNING rebuild_id", crashed))
            {
                running = (long)(await insert.ExecuteScalarAsync())!;
            }

            var refused = await RequestAsync(http, "second");

            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(running, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rebuildId").GetInt64());
            Assert.Equal(1L, await CountAsync("SELECT count(*) FROM admin_audit WHERE action = 'projections.rebuild' AND outcome->>'status' = '409' AND client = @f", "second-requester"));
            Assert.Equal("running", (await StatusAsync(http, new Uri($"/admin/projections/rebuilds/{running}", UriKind.Relative))).GetProperty("status").GetString());
        }

        // Its session ended without finishing (the instance died): the lock went with it.
        var abandoned = await FinishedAsync(http, new Uri($"/admin/projections/rebuilds/{running}", UriKind.Relative));
        Assert.Equal("failed", abandoned.GetProperty("status").GetString());
        Assert.StartsWith("abandoned", abandoned.GetProperty("error").GetString(), StringComparison.Ordinal);

        var next = await RequestAsync(http, "second");
        Assert.Equal(HttpStatusCode.Accepted, next.StatusCode);
        Assert.Equal("succeeded", (await FinishedAsync(http, next.Headers.Location!)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/admin/projections/rebuilds/999999", UriKind.Relative))).StatusCode);
    }

    private static async Task<HttpResponseMessage> RequestAsync(HttpClient http, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/admin/projections/rebuild", UriKind.Relative));
        request.Headers.Add("Idempotency-Key", key);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<JsonElement> StatusAsync(HttpClient http, Uri location)
    {
        var response = await http.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<JsonElement> FinishedAsync(HttpClient http, Uri location)
    {
        JsonElement status = default;
        await WaitUntilAsync(async () => (status = await StatusAsync(http, location)).GetProperty("status").GetString() is "succeeded" or "failed");
        return status;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "Timed out waiting.");
            await Task.Delay(100);
        }
    }

    private async Task<string> NewFamilyAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        using var writer = service.Service.ClientWith(Scopes.EventsWrite);
        var response = await writer.PostAsync(new Uri("/events", UriKind.Relative),
            new StringContent(Identified($"rb-{id}", Child($"RB-c-{id}"), Adult($"RB-a-{id}")), Encoding.UTF8, "application/cloudevents+json"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("results")[0].GetProperty("familyId").GetString()!;
    }

    private async Task<long> CountAsync(string sql, string value)
    {
        await using var command = service.Database.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("f", value);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
