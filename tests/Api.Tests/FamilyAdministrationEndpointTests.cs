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

public sealed class FamilyAdministrationEndpointTests : IClassFixture<DatabaseFixture>, IDisposable
{
    private readonly DatabaseFixture _database;
    private readonly WebApplicationFactory<Program> _service;
    private readonly HttpClient _client;

    public FamilyAdministrationEndpointTests(DatabaseFixture database)
    {
        _database = database;
        _service = TestAuth.Service(database.ConnectionString);
        _client = _service.ClientWith($"{Scopes.EventsWrite} {Scopes.Admin}", "integration-team");
        // Listing identity candidates is under the access log.
        _client.DefaultRequestHeaders.Add(AccessAudit.PurposeHeader, "identity review");
    }

    [Fact]
    public async Task Two_families_merged_by_the_integration_team_answer_as_the_older_one()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var older = await FamilyOfAsync(Identified($"{id}-1", Child($"c1-{id}")));
        var younger = await FamilyOfAsync(Identified($"{id}-2", Child($"c2-{id}")));

        var response = await MergeAsync([younger, older], await IfMatchAsync(younger, older), $"merge-{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(older, outcome.GetProperty("survivorFamilyId").GetString());
        Assert.Equal(older, await FamilyOfAsync(Identified($"{id}-3", Child($"c2-{id}"))));
        Assert.Equal(["integration-team family.merge"], await AuditAsync($"family:{younger},family:{older}"));
    }

    [Fact]
    public async Task A_merge_needs_if_match_for_both_families_and_a_stale_one_is_409_with_the_current_versions()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var first = await FamilyOfAsync(Identified($"{id}-1", Child($"c1-{id}")));
        var second = await FamilyOfAsync(Identified($"{id}-2", Child($"c2-{id}")));
        var current = await IfMatchAsync(first, second);
        var firstVersion = await VersionAsync(first);

        var missing = await MergeAsync([first, second], null, $"m-{id}");
        var onlyOne = await MergeAsync([first, second], $"\"{first}:{firstVersion}\"", $"m-{id}");
        var stale = await MergeAsync([first, second], $"\"{first}:{firstVersion - 1}\", \"{second}:{await VersionAsync(second)}\"", $"m-{id}");

        Assert.Equal(HttpStatusCode.PreconditionRequired, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, onlyOne.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        Assert.Equal(firstVersion, (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("streamVersions").GetProperty(first).GetInt64());
        Assert.Equal(HttpStatusCode.OK, (await MergeAsync([first, second], current, $"m-{id}")).StatusCode);
        Assert.Equal(["family.merge 428", "family.merge 400", "family.merge 409", "family.merge 200"], await OutcomesAsync($"family:{first},family:{second}"));
    }

    [Fact]
    public async Task A_merge_with_both_versions_stale_is_409_with_the_current_version_of_each()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var first = await FamilyOfAsync(Identified($"{id}-1", Child($"c1-{id}")));
        Assert.Equal(first, await FamilyOfAsync(Identified($"{id}-3", Child($"c1-{id}"))));
        var second = await FamilyOfAsync(Identified($"{id}-2", Child($"c2-{id}")));
        var (firstVersion, secondVersion) = (await VersionAsync(first), await VersionAsync(second));
        Assert.NotEqual(firstVersion, secondVersion);

        // Each family's version given for the other: both are stale.
        var stale = await MergeAsync([first, second], $"\"{first}:{secondVersion}\", \"{second}:{firstVersion}\"", $"m-{id}");

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        var current = (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("streamVersions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        Assert.Equal(new Dictionary<string, long> { [first] = firstVersion, [second] = secondVersion }, current);
    }

    [Fact]
    public async Task A_merge_retried_with_its_idempotency_key_answers_the_same_and_merges_once()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var first = await FamilyOfAsync(Identified($"{id}-1", Child($"c1-{id}")));
        var second = await FamilyOfAsync(Identified($"{id}-2", Child($"c2-{id}")));
        var ifMatch = await IfMatchAsync(first, second);

        var merged = await MergeAsync([first, second], ifMatch, $"k-{id}");
        var retried = await MergeAsync([first, second], ifMatch, $"k-{id}");
        var reused = await MergeAsync([second, first], ifMatch, $"k-{id}");

        Assert.Equal(HttpStatusCode.OK, merged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(await merged.Content.ReadAsStringAsync(), await retried.Content.ReadAsStringAsync());
        Assert.Equal("true", Assert.Single(retried.Headers.GetValues("Idempotent-Replayed")));
        Assert.False(merged.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM events WHERE type = 'family.merged.v1' AND stream_id IN (@a, @b)", first, second));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Single(await AuditAsync($"family:{first},family:{second}"));
    }

    [Fact]
    public async Task A_merge_naming_a_family_already_merged_away_is_refused_naming_the_survivor()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var first = await FamilyOfAsync(Identified($"{id}-1", Child($"c1-{id}")));
        var second = await FamilyOfAsync(Identified($"{id}-2", Child($"c2-{id}")));
        var third = await FamilyOfAsync(Identified($"{id}-3", Child($"c3-{id}")));
        Assert.Equal(HttpStatusCode.OK, (await MergeAsync([first, second], await IfMatchAsync(first, second), $"a-{id}")).StatusCode);

        var refused = await MergeAsync([second, third], await IfMatchAsync(second, third), $"b-{id}");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(first, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("survivorFamilyId").GetString());
    }

    [Fact]
    public async Task A_split_needs_the_current_stream_version_and_a_retry_splits_once()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var family = await FamilyOfAsync(Identified($"{id}-1", Child($"c1-{id}"), Adult($"a-{id}")));
        var version = await VersionAsync(family);
        var body = new { persons = new[] { new { system = "LCS", id = $"c1-{id}" } }, note = "wrong household" };

        var missing = await SplitAsync(family, body, null, $"s-{id}");
        var stale = await SplitAsync(family, body, $"\"{version + 1}\"", $"s-{id}");
        var split = await SplitAsync(family, body, $"\"{version}\"", $"s-{id}");
        var retried = await SplitAsync(family, body, $"\"{version}\"", $"s-{id}");
        var reused = await SplitAsync(family, new { persons = new[] { new { system = "LAS", id = $"a-{id}" } } }, $"\"{version + 1}\"", $"s-{id}");

        Assert.Equal(HttpStatusCode.PreconditionRequired, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(version, (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("streamVersions").GetProperty(family).GetInt64());
        Assert.Equal(HttpStatusCode.OK, split.StatusCode);
        Assert.Equal(HttpStatusCode.OK, retried.StatusCode);
        Assert.Equal(await split.Content.ReadAsStringAsync(), await retried.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM events WHERE type = 'family.split.v1' AND stream_id = @a", family));
        Assert.Equal(version + 1, await VersionAsync(family));
        // The retry did nothing new; the refused attempts are audited with their outcome.
        Assert.Equal(["family.split 428", "family.split 409", "family.split 200", "family.split 422"], await OutcomesAsync($"family:{family}"));
    }

    [Fact]
    public async Task Splitting_out_a_person_who_is_not_in_the_family_is_refused_with_problem_details()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var family = await FamilyOfAsync(Identified($"{id}-1", Child($"c1-{id}"), Adult($"a-{id}")));

        var persons = new[] { new { system = "LCS", id = $"c1-{id}" }, new { system = "LCS", id = $"stranger-{id}" } };
        var response = await SplitAsync(family, new { persons }, $"\"{await VersionAsync(family)}\"", $"x-{id}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        // The attempt is audited with its outcome, but not the persons it named; the problem names them
        // by their position in the request's list, never by an identifier.
        Assert.Equal(["integration-team family.split"], await AuditAsync($"family:{family}"));
        Assert.Equal(["family.split 400"], await OutcomesAsync($"family:{family}"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain($"stranger-{id}", body, StringComparison.Ordinal);
        Assert.DoesNotContain($"c1-{id}", body, StringComparison.Ordinal);
        Assert.Equal(
            $"Persons named who are not in family {family}: 1 of 2, at positions 1 of the persons list (counting from 0).",
            JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
        await using var command = _database.DataSource.CreateCommand("SELECT outcome::text FROM admin_audit WHERE target = @target");
        command.Parameters.AddWithValue("target", $"family:{family}");
        var outcome = JsonDocument.Parse((string)(await command.ExecuteScalarAsync())!).RootElement;
        Assert.Equal(["status", "title"], outcome.EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal("Cannot decide", outcome.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_candidate_is_dismissed_with_its_row_version_and_an_idempotency_key_and_every_attempt_is_audited()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var first = await FamilyOfAsync(Identified($"{id}-1", Child($"x-{id}", given: $"Bo{id}")));
        await FamilyOfAsync(Identified($"{id}-2", Child($"y-{id}", given: $"Bo{id}")));
        var candidate = await CandidateOfAsync(first);
        var candidateId = candidate.GetProperty("candidateId").GetInt64();
        var rowVersion = candidate.GetProperty("rowVersion").GetInt64();
        var path = $"/admin/identity-candidates/{candidateId}/dismiss";

        var missing = await PostAsync(path, null, null, $"d-{id}");
        var noKey = await PostAsync(path, null, $"\"{rowVersion}\"", null);
        var stale = await PostAsync(path, null, $"\"{rowVersion + 1}\"", $"d-{id}");
        var dismissed = await PostAsync(path, null, $"\"{rowVersion}\"", $"d-{id}");
        var retried = await PostAsync(path, null, $"\"{rowVersion}\"", $"d-{id}");
        var again = await PostAsync(path, null, $"\"{rowVersion}\"", $"e-{id}");
        var reused = await PostAsync($"/admin/identity-candidates/{candidateId + 1000000}/dismiss", null, "\"1\"", $"d-{id}");

        Assert.Equal(HttpStatusCode.PreconditionRequired, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noKey.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(rowVersion, (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rowVersion").GetInt64());
        Assert.Equal(HttpStatusCode.NoContent, dismissed.StatusCode);
        Assert.False(dismissed.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.NoContent, retried.StatusCode);
        Assert.Equal("true", Assert.Single(retried.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.DoesNotContain(await CandidatesAsync(), c => c.GetProperty("candidateId").GetInt64() == candidateId);
        Assert.Equal(
            ["identity-candidate.dismiss 428", "identity-candidate.dismiss 400", "identity-candidate.dismiss 409", "identity-candidate.dismiss 204", "identity-candidate.dismiss 409"],
            await OutcomesAsync($"identity-candidate:{candidateId}"));
        Assert.Equal(["identity-candidate.dismiss 422"], await OutcomesAsync($"identity-candidate:{candidateId + 1000000}"));
    }

    public void Dispose()
    {
        _client.Dispose();
        _service.Dispose();
    }

    private async Task<HttpResponseMessage> MergeAsync(string[] familyIds, string? ifMatch, string key) =>
        await PostAsync("/admin/families/merge", new { familyIds, note = "same household" }, ifMatch, key);

    private async Task<HttpResponseMessage> SplitAsync(string family, object body, string? ifMatch, string key) =>
        await PostAsync($"/admin/families/{family}/split", body, ifMatch, key);

    private async Task<HttpResponseMessage> PostAsync(string path, object? body, string? ifMatch, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = body is null ? null : JsonContent.Create(body) };
        request.WithWriteHeaders(ifMatch, key);
        var response = await _client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<string> IfMatchAsync(string first, string second) =>
        $"\"{first}:{await VersionAsync(first)}\", \"{second}:{await VersionAsync(second)}\"";

    private async Task<long> VersionAsync(string family) =>
        await CountAsync("SELECT version FROM streams WHERE stream_id = @a", family);

    private async Task<long> CountAsync(string sql, string a, string? b = null)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("a", a);
        if (b is not null)
        {
            command.Parameters.AddWithValue("b", b);
        }

        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The admin audit rows about a target, as "client action".</summary>
    private Task<List<string>> AuditAsync(string target) => AdminAuditRows.AboutAsync(_database.DataSource, target, "client || ' ' || action");

    /// <summary>The admin audit rows about a target, as "action status".</summary>
    private Task<List<string>> OutcomesAsync(string target) => AdminAuditRows.AboutAsync(_database.DataSource, target, "action || ' ' || (outcome->>'status')");

    private async Task<List<JsonElement>> CandidatesAsync()
    {
        var candidates = new List<JsonElement>();
        long? after = 0;
        while (after is not null)
        {
            var page = await _client.GetFromJsonAsync<List<JsonElement>>(new Uri($"/admin/identity-candidates?after={after}&limit=200", UriKind.Relative));
            candidates.AddRange(page!);
            after = page!.Count == 200 ? page[^1].GetProperty("candidateId").GetInt64() : null;
        }

        return candidates;
    }

    private async Task<JsonElement> CandidateOfAsync(string family) =>
        Assert.Single(await CandidatesAsync(), c => c.GetProperty("familyId").GetString() == family || c.GetProperty("otherFamilyId").GetString() == family);

    private async Task<string> FamilyOfAsync(string envelope)
    {
        var response = await _client.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(envelope, Encoding.UTF8, "application/cloudevents+json"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("results")[0].GetProperty("familyId").GetString()!;
    }
}
