using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using YoungCarers.Api.Audit;
using YoungCarers.Api.Security;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

public sealed class IngestEndpointTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _database;
    private readonly WebApplicationFactory<Program> _service;
    private readonly HttpClient _client;

    public IngestEndpointTests(DatabaseFixture database)
    {
        _database = database;
        _service = TestAuth.Service(database.ConnectionString);
        _client = _service.ClientWith($"{Scopes.EventsWrite} {Scopes.Admin}");
        // Reading a quarantine entry (a payload as received) is under the access log.
        _client.DefaultRequestHeaders.Add(AccessAudit.PurposeHeader, "quarantine triage");
    }

    [Fact]
    public async Task One_valid_event_is_accepted_into_a_family()
    {
        var id = Unique();

        var response = await PostAsync(Identified(id, Child($"c-{id}")), "application/cloudevents+json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = (await BodyAsync(response)).GetProperty("results")[0];
        Assert.Equal("accepted", result.GetProperty("status").GetString());
        Assert.StartsWith("family-", result.GetProperty("familyId").GetString(), StringComparison.Ordinal);
        Assert.Equal(id, result.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_batch_gets_a_result_per_event_in_order()
    {
        var id = Unique();
        var valid = Identified(id, Child($"c-{id}"));
        var invalid = Identified($"{id}-bad", Child($"c-{id}", nhs: "1234567890"));

        var response = await PostAsync($"[{valid}, {invalid}, {valid}]", "application/cloudevents-batch+json");

        var body = await BodyAsync(response);
        Assert.Equal((1, 1, 1), (body.GetProperty("accepted").GetInt32(), body.GetProperty("duplicates").GetInt32(), body.GetProperty("quarantined").GetInt32()));
        var results = body.GetProperty("results");
        Assert.Equal(["accepted", "quarantined", "duplicate"], results.EnumerateArray().Select(r => r.GetProperty("status").GetString()));
        var error = results[1].GetProperty("errors")[0];
        Assert.Equal(("data.child.nhsNumber", "nhs-number-checksum"), (error.GetProperty("field").GetString(), error.GetProperty("rule").GetString()));
    }

    [Fact]
    public async Task Malformed_json_is_refused_with_problem_details_and_kept_in_quarantine()
    {
        var response = await PostAsync("{ \"specversion\": \"1.0\", ", "application/cloudevents+json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await BodyAsync(response);
        var quarantineId = problem.GetProperty("quarantineId").GetInt64();
        var entry = await BodyAsync(await _client.GetAsync(new Uri($"/admin/quarantine/{quarantineId}", UriKind.Relative)));
        Assert.Equal("{ \"specversion\": \"1.0\", ", entry.GetProperty("payloadText").GetString());
    }

    [Fact]
    public async Task An_unsupported_content_type_is_refused()
    {
        var response = await PostAsync("<event/>", "application/xml");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_batch_over_a_thousand_events_is_refused()
    {
        var response = await PostAsync($"[{string.Join(",", Enumerable.Repeat("{}", 1001))}]", "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_quarantined_event_resubmitted_corrected_is_accepted_and_its_entry_resolved()
    {
        var id = Unique();
        var bad = await BodyAsync(await PostAsync(Identified(id, Child($"c-{id}", nhs: "1234567890")), "application/cloudevents+json"));
        var quarantineId = bad.GetProperty("results")[0].GetProperty("quarantineId").GetInt64();
        var path = $"/admin/quarantine/{quarantineId}/resubmit";
        var corrected = Identified(id, Child($"c-{id}", nhs: NhsNumber(4242)));
        var etag = await ETagAsync(quarantineId);

        var stillBad = await ResubmitAsync(path, null, etag, $"r1-{id}");
        var stale = await ResubmitAsync(path, corrected, etag, $"r2-{id}");
        var current = await ETagAsync(quarantineId);
        var fixedUp = await ResubmitAsync(path, corrected, current, $"r2-{id}");
        var retried = await ResubmitAsync(path, corrected, current, $"r2-{id}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, stillBad.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(current, (await BodyAsync(stale)).GetProperty("etag").GetString());
        Assert.NotEqual(etag, current);
        Assert.Equal(HttpStatusCode.OK, fixedUp.StatusCode);
        Assert.Equal("accepted", (await BodyAsync(fixedUp)).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(await fixedUp.Content.ReadAsStringAsync(), await retried.Content.ReadAsStringAsync());
        Assert.True(retried.Headers.Contains("Idempotent-Replayed"));
        var entry = await BodyAsync(await _client.GetAsync(new Uri($"/admin/quarantine/{quarantineId}", UriKind.Relative)));
        Assert.Equal("resolved", entry.GetProperty("status").GetString());
        Assert.Equal("test-client", entry.GetProperty("resolvedBy").GetString());
        var open = await BodyAsync(await _client.GetAsync(new Uri("/admin/quarantine?limit=200", UriKind.Relative)));
        Assert.DoesNotContain(open.GetProperty("items").EnumerateArray(), item => item.GetProperty("quarantineId").GetInt64() == quarantineId);
    }

    [Fact]
    public async Task A_resolved_entry_shows_where_its_event_went_and_the_document_describes_it()
    {
        var id = Unique();
        var bad = await BodyAsync(await PostAsync(Identified(id, Child($"c-{id}", nhs: "1234567890")), "application/cloudevents+json"));
        var quarantineId = bad.GetProperty("results")[0].GetProperty("quarantineId").GetInt64();
        var open = await BodyAsync(await _client.GetAsync(new Uri($"/admin/quarantine/{quarantineId}", UriKind.Relative)));
        var accepted = await BodyAsync(await ResubmitAsync($"/admin/quarantine/{quarantineId}/resubmit", Identified(id, Child($"c-{id}", nhs: NhsNumber(4343))),
            await ETagAsync(quarantineId), $"w-{id}"));

        var resolved = await BodyAsync(await _client.GetAsync(new Uri($"/admin/quarantine/{quarantineId}", UriKind.Relative)));

        Assert.Equal(JsonValueKind.Null, open.GetProperty("resolution").ValueKind);
        var resolution = resolved.GetProperty("resolution");
        Assert.Equal(
            ("accepted", accepted.GetProperty("familyId").GetString(), PartnerSource, id),
            (resolution.GetProperty("outcome").GetString(), resolution.GetProperty("familyId").GetString(), resolution.GetProperty("source").GetString(),
                resolution.GetProperty("sourceEventId").GetString()));
        var schemas = (await BodyAsync(await _client.GetAsync(new Uri("/openapi/v1.json", UriKind.Relative)))).GetProperty("components").GetProperty("schemas");
        Assert.True(schemas.GetProperty("QuarantineDetail").GetProperty("properties").TryGetProperty("resolution", out _));
        Assert.Equal(["familyId", "outcome", "source", "sourceEventId"],
            schemas.GetProperty("QuarantineResolution").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_resubmission_needs_if_match_and_an_idempotency_key_and_a_key_reused_for_another_entry_is_refused()
    {
        var first = Unique();
        var second = Unique();
        var one = (await BodyAsync(await PostAsync(Identified(first, Child($"c-{first}", nhs: "1234567890")), "application/cloudevents+json"))).GetProperty("results")[0].GetProperty("quarantineId").GetInt64();
        var two = (await BodyAsync(await PostAsync(Identified(second, Child($"c-{second}", nhs: "1234567891")), "application/cloudevents+json"))).GetProperty("results")[0].GetProperty("quarantineId").GetInt64();

        var noIfMatch = await ResubmitAsync($"/admin/quarantine/{one}/resubmit", null, null, $"k-{first}");
        var noKey = await ResubmitAsync($"/admin/quarantine/{one}/resubmit", null, await ETagAsync(one), null);
        var used = await ResubmitAsync($"/admin/quarantine/{one}/resubmit", null, await ETagAsync(one), $"k-{first}");
        var reused = await ResubmitAsync($"/admin/quarantine/{two}/resubmit", null, await ETagAsync(two), $"k-{first}");

        Assert.Equal(HttpStatusCode.PreconditionRequired, noIfMatch.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, used.StatusCode);
        Assert.Equal("Still invalid", (await BodyAsync(used)).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("Idempotency-Key reused", (await BodyAsync(reused)).GetProperty("title").GetString());
        Assert.Equal([$"428 k-{first}", "400 ", $"422 k-{first}"], await AuditAsync($"quarantine:{one}"));
        Assert.Equal([$"422 k-{first}"], await AuditAsync($"quarantine:{two}"));
    }

    public void Dispose()
    {
        _client.Dispose();
        _service.Dispose();
    }

    private Task<HttpResponseMessage> PostAsync(string body, string contentType) =>
        _client.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(body, Encoding.UTF8, contentType));

    private async Task<string> ETagAsync(long quarantineId)
    {
        var response = await _client.GetAsync(new Uri($"/admin/quarantine/{quarantineId}", UriKind.Relative));
        return response.Headers.ETag!.Tag;
    }

    private async Task<HttpResponseMessage> ResubmitAsync(string path, string? corrected, string? ifMatch, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = corrected is null ? null : new StringContent(corrected, Encoding.UTF8, "application/cloudevents+json"),
        };
        request.WithWriteHeaders(ifMatch, key);
        var response = await _client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>The admin audit rows about a target, as "status key".</summary>
    private Task<List<string>> AuditAsync(string target) =>
        AdminAuditRows.AboutAsync(_database.DataSource, target, "(outcome->>'status') || ' ' || coalesce(idempotency_key, '')");

    private static async Task<JsonElement> BodyAsync(HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    private static string Unique() => Guid.NewGuid().ToString("N")[..12];
}
