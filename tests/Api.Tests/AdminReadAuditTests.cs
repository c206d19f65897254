using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using YoungCarers.Api.Audit;
using YoungCarers.Api.Security;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

/// <summary>The integration team's reads of personal data (events as received, identity matches) are under the access log.</summary>
public sealed class AdminReadAuditTests(SecuredService fixture) : IClassFixture<SecuredService>
{
    private AccessAudit Audit => fixture.Service.Services.GetRequiredService<AccessAudit>();

    [Fact]
    public async Task A_quarantine_entry_is_shown_only_with_a_purpose_and_each_read_is_logged_naming_the_family_once_its_event_went_to_one()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var client = $"triage-{id}";
        using var http = fixture.Service.ClientWith($"{Scopes.EventsWrite} {Scopes.Admin}", client);
        var quarantined = await BodyAsync(await http.PostAsync(new Uri("/events", UriKind.Relative),
            new StringContent(Identified(id, Child($"c-{id}", nhs: "1234567890")), Encoding.UTF8, "application/cloudevents+json")));
        var path = $"/admin/quarantine/{quarantined.GetProperty("results")[0].GetProperty("quarantineId").GetInt64()}";

        var refused = await http.GetAsync(new Uri(path, UriKind.Relative));
        await AssertPurposeRequiredAsync(refused, client);
        var open = await GetAsync(http, path, "correcting a rejected referral");
        using var resubmit = new HttpRequestMessage(HttpMethod.Post, new Uri($"{path}/resubmit", UriKind.Relative))
        {
            Content = new StringContent(Identified(id, Child($"c-{id}", nhs: NhsNumber(5151))), Encoding.UTF8, "application/cloudevents+json"),
        };
        resubmit.WithWriteHeaders(open.Headers.ETag!.Tag, $"r-{id}");
        var familyId = (await BodyAsync(await http.SendAsync(resubmit))).GetProperty("familyId").GetString()!;
        await GetAsync(http, path, "checking the correction");

        var entries = (await Audit.ListAsync(new AccessAuditQuery(Client: client))).Items;
        Assert.Equal(
            [("checking the correction", familyId), ("correcting a rejected referral", null)],
            entries.Select(entry => (entry.Purpose, entry.FamilyIds.SingleOrDefault())));
        Assert.All(entries, entry => Assert.Equal("GET /admin/quarantine/{id:long}", entry.Resource));
    }

    [Fact]
    public async Task Identity_candidates_are_listed_only_with_a_purpose_and_the_read_is_logged_naming_the_families_shown()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var client = $"identity-{id}";
        using var http = fixture.Service.ClientWith($"{Scopes.EventsWrite} {Scopes.Admin}", client);
        var families = new List<string>();
        foreach (var n in new[] { 1, 2 })
        {
            var posted = await BodyAsync(await http.PostAsync(new Uri("/events", UriKind.Relative),
                new StringContent(Identified($"{id}-{n}", Child($"c{n}-{id}", given: $"Bo{id}")), Encoding.UTF8, "application/cloudevents+json")));
            families.Add(posted.GetProperty("results")[0].GetProperty("familyId").GetString()!);
        }

        await AssertPurposeRequiredAsync(await http.GetAsync(new Uri("/admin/identity-candidates?limit=200", UriKind.Relative)), client);
        var listed = await BodyAsync(await GetAsync(http, "/admin/identity-candidates?limit=200", "weekly identity review"));

        Assert.Contains(listed.EnumerateArray(), c => c.GetProperty("familyId").GetString() == families[0] || c.GetProperty("otherFamilyId").GetString() == families[0]);
        var entry = Assert.Single((await Audit.ListAsync(new AccessAuditQuery(Client: client))).Items);
        Assert.Equal(("GET /admin/identity-candidates", "weekly identity review"), (entry.Resource, entry.Purpose));
        Assert.Superset(families.ToHashSet(), entry.FamilyIds.ToHashSet());
        Assert.Equal(entry.Id, Assert.Single((await Audit.ListAsync(new AccessAuditQuery(FamilyId: families[1], Client: client))).Items).Id);
    }

    /// <summary>Refused with problem details naming the header, and nothing logged for the caller.</summary>
    private async Task AssertPurposeRequiredAsync(HttpResponseMessage response, string client)
    {
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(AccessAudit.PurposeHeader, (await BodyAsync(response)).GetProperty("header").GetString());
        Assert.Empty((await Audit.ListAsync(new AccessAuditQuery(Client: client))).Items);
    }

    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string purpose)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.Add(AccessAudit.PurposeHeader, purpose);
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}
