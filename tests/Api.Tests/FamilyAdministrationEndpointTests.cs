using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using YoungCarers.Api.Security;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

public sealed class FamilyAdministrationEndpointTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly WebApplicationFactory<Program> _service;
    private readonly HttpClient _client;

    public FamilyAdministrationEndpointTests(DatabaseFixture database)
    {
        _service = TestAuth.Service(database.ConnectionString);
        _client = _service.ClientWith($"{Scopes.EventsWrite} {Scopes.Admin}");
    }

    [Fact]
    public async Task Two_families_merged_by_the_integration_team_answer_as_the_older_one()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var older = await FamilyOfAsync(Identified($"{id}-1", Child($"c1-{id}")));
        var younger = await FamilyOfAsync(Identified($"{id}-2", Child($"c2-{id}")));

        var response = await _client.PostAsJsonAsync(new Uri("/admin/families/merge", UriKind.Relative),
            new { familyIds = new[] { younger, older }, note = "same household" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(older, outcome.GetProperty("survivorFamilyId").GetString());
        Assert.Equal(older, await FamilyOfAsync(Identified($"{id}-3", Child($"c2-{id}"))));
    }

    [Fact]
    public async Task Splitting_out_a_person_who_is_not_in_the_family_is_refused_with_problem_details()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var family = await FamilyOfAsync(Identified($"{id}-1", Child($"c1-{id}"), Adult($"a-{id}")));

        var response = await _client.PostAsJsonAsync(new Uri($"/admin/families/{family}/split", UriKind.Relative),
            new { persons = new[] { new { system = "LCS", id = $"stranger-{id}" } } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose()
    {
        _client.Dispose();
        _service.Dispose();
    }

    private async Task<string> FamilyOfAsync(string envelope)
    {
        var response = await _client.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(envelope, Encoding.UTF8, "application/cloudevents+json"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("results")[0].GetProperty("familyId").GetString()!;
    }
}
