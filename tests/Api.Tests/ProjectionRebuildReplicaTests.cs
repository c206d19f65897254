using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YoungCarers.Api.Security;
using YoungCarers.Testing;

namespace YoungCarers.Api.Tests;

/// <summary>A database of its own, so no other instance's rebuild worker can pick the request up.</summary>
public sealed class ProjectionRebuildReplicaTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task An_instance_without_projections_queues_a_rebuild_and_one_with_projections_runs_it()
    {
        await using var replica = TestAuth.Service(database.ConnectionString, ("Projections:Enabled", "false"));
        using var replicaHttp = replica.ClientWith(Scopes.Admin, "integration-team");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/admin/projections/rebuild", UriKind.Relative));
        request.Headers.Add("Idempotency-Key", $"replica-{Guid.NewGuid():N}");

        var accepted = await replicaHttp.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        var location = accepted.Headers.Location!;
        // Longer than a woken worker takes to start one.
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal("queued", (await StatusAsync(replicaHttp, location)).GetProperty("status").GetString());

        await using var maintainer = TestAuth.Service(database.ConnectionString);
        using var maintainerHttp = maintainer.ClientWith(Scopes.Admin, "integration-team");
        var clock = Stopwatch.StartNew();
        string? status;
        while ((status = (await StatusAsync(maintainerHttp, location)).GetProperty("status").GetString()) is "queued" or "running")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "Timed out waiting for the rebuild.");
            await Task.Delay(100);
        }

        Assert.Equal("succeeded", status);
    }

    private static async Task<JsonElement> StatusAsync(HttpClient http, Uri location)
    {
        var response = await http.GetAsync(location);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
