using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YoungCarers.Api.Security;
using YoungCarers.Testing;

namespace YoungCarers.Api.Tests;

public sealed class RateLimitingTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_client_over_its_limit_gets_429_with_retry_after_and_problem_details_while_other_clients_and_probes_go_on()
    {
        await using var service = TestAuth.Service(database.ConnectionString, ("RateLimiting:PermitLimit", "2"), ("RateLimiting:Window", "00:01:00"));
        using var busy = service.ClientWith(Scopes.Admin, "busy-client");
        using var quiet = service.ClientWith(Scopes.Admin, "quiet-client");

        var first = await busy.GetAsync(new Uri("/admin/quarantine", UriKind.Relative));
        var second = await busy.GetAsync(new Uri("/admin/quarantine", UriKind.Relative));
        var third = await busy.GetAsync(new Uri("/admin/quarantine", UriKind.Relative));
        var other = await quiet.GetAsync(new Uri("/admin/quarantine", UriKind.Relative));
        var probes = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => busy.GetAsync(new Uri("/health/live", UriKind.Relative))));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        var retryAfter = third.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        var problem = await third.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("traceId", out _));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.All(probes, probe => Assert.Equal(HttpStatusCode.OK, probe.StatusCode));
    }

    [Fact]
    public async Task Callers_without_a_valid_token_share_a_limit_per_address()
    {
        await using var service = TestAuth.Service(database.ConnectionString, ("RateLimiting:PermitLimit", "1"));
        using var anonymous = service.CreateClient();

        var first = await anonymous.GetAsync(new Uri("/admin/quarantine", UriKind.Relative));
        var second = await anonymous.GetAsync(new Uri("/admin/quarantine", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Unauthorized, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
    }
}
