using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using YoungCarers.Api.Security;
using YoungCarers.Domain.Families;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Http;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

public sealed class FamilyWriteEndpointTests(SecuredService service) : IClassFixture<SecuredService>
{
    private static readonly string[] Stranger = ["system:LCS/stranger"];

    [Fact]
    public async Task A_dispute_is_raised_with_if_match_and_idempotency_key_then_escalated_given_an_interim_lead_and_resolved()
    {
        var (family, child) = await NewFamilyAsync();
        var version = await VersionAsync(family);
        var body = new { raisedBy = "childrens-social-care", subject = "need-ownership", persons = new[] { child }, summary = "Who leads on the caring" };

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Scopes.FamiliesRead, $"/families/{family}/disputes", body, version, "k1")).StatusCode);
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes", body, null, "k1")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes", body, version, null)).StatusCode);
        var stale = await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes", body, version - 1, "k1");
        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal(version, (await stale.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("streamVersion").GetInt64());

        var raised = await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes", body, version, "k1");
        Assert.Equal(HttpStatusCode.Created, raised.StatusCode);
        var result = await raised.Content.ReadFromJsonAsync<JsonElement>();
        var disputeId = result.GetProperty("disputeId").GetString()!;
        Assert.Equal(version + 1, result.GetProperty("streamVersion").GetInt64());

        var retried = await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes", body, version, "k1");
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        var again = await retried.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(disputeId, again.GetProperty("disputeId").GetString());
        Assert.True(again.GetProperty("replayed").GetBoolean());
        Assert.Equal(1L, await CountAsync(family, "dispute.raised.v1"));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes/{disputeId}/escalate", new { reason = "no agreement" }, version + 1, "k2")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes/{disputeId}/interim-lead", new { leadService = "adult-social-care" }, version + 2, "k3")).StatusCode);
        var dispute = await DisputeAsync(family, disputeId);
        Assert.Equal(2, dispute.GetProperty("stage").GetInt32());
        Assert.Equal("adult-social-care", dispute.GetProperty("interimLead").GetProperty("leadService").GetString());

        var split = new[] { new { service = "adult-social-care", percent = 60m }, new { service = "childrens-social-care", percent = 40m } };
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes/{disputeId}/resolve",
            new { leadService = "childrens-social-care", fundingSplit = split, note = "agreed at panel" }, version + 3, "k4")).StatusCode);
        dispute = await DisputeAsync(family, disputeId);
        Assert.Equal("resolved", dispute.GetProperty("status").GetString());
        Assert.Equal("childrens-social-care", dispute.GetProperty("resolution").GetProperty("leadService").GetString());

        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes/{disputeId}/escalate", new { reason = "again" }, version + 4, "k5")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes/no-such/escalate", new { reason = "x" }, version + 4, "k6")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await PostAsync(Scopes.DisputesWrite, "/families/no-such-family/disputes", body, 1, "k7")).StatusCode);
    }

    [Fact]
    public async Task Invalid_dispute_requests_are_refused_with_problem_details()
    {
        var (family, _) = await NewFamilyAsync();
        var version = await VersionAsync(family);

        var subject = await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes", new { raisedBy = "adult-social-care", subject = "money", summary = "s" }, version, "a1");
        Assert.Equal(HttpStatusCode.BadRequest, subject.StatusCode);
        Assert.Equal("application/problem+json", subject.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.PreconditionRequired, (await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes", new { raisedBy = "adult-social-care", subject = "money", summary = "s" }, null, "a0")).StatusCode);
        var service = await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes", new { raisedBy = "Keziah Okafor 9434765919", subject = "funding", summary = "s" }, version, "a2");
        Assert.Equal(HttpStatusCode.BadRequest, service.StatusCode);
        // Whatever was typed where a service belongs is not repeated back: it could name someone.
        Assert.DoesNotContain("Keziah", await service.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes",
            new { raisedBy = "adult-social-care", subject = "funding", summary = "s", persons = Stranger }, version, "a3")).StatusCode);
        Assert.Equal(version, await VersionAsync(family));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task An_escalation_from_a_stage_the_dispute_has_not_reached_is_refused_and_writes_nothing(int fromStage)
    {
        var (family, child) = await NewFamilyAsync();
        var version = await VersionAsync(family);
        var raised = await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes",
            new { raisedBy = "adult-social-care", subject = "threshold", persons = new[] { child }, summary = "Which threshold applies" }, version, "r1");
        var disputeId = (await raised.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disputeId").GetString()!;

        var refused = await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes/{disputeId}/escalate", new { reason = "no agreement", fromStage }, version + 1, "e1");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("fromStage", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());
        Assert.Equal(0L, await CountAsync(family, "dispute.escalated.v1"));
        Assert.Equal(1, (await DisputeAsync(family, disputeId)).GetProperty("stage").GetInt32());
    }

    [Fact]
    public async Task The_integration_team_waives_an_open_obligation_and_the_family_shows_why_who_when_and_the_waiver_event()
    {
        var (family, _) = await NewFamilyAsync();
        var version = await VersionAsync(family);
        var obligation = (await FamilyAsync(family)).GetProperty("obligations").EnumerateArray()
            .First(o => o.GetProperty("status").GetString() is "open" or "overdue").GetProperty("id").GetString()!;
        var path = $"/families/{family}/obligations/{Uri.EscapeDataString(obligation)}/waive";

        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(Scopes.DisputesWrite, path, new { reason = "duplicate" }, version, "w1")).StatusCode);
        var before = DateTimeOffset.UtcNow;
        var waived = await PostAsync(Scopes.Admin, path, new { reason = "recorded twice upstream", waivedBy = "alex" }, version, "w1");
        Assert.Equal(HttpStatusCode.OK, waived.StatusCode);

        var obligations = (await FamilyAsync(family)).GetProperty("obligations").EnumerateArray().ToList();
        var read = obligations.Single(o => o.GetProperty("id").GetString() == obligation);
        Assert.Equal("waived", read.GetProperty("status").GetString());
        var waiver = read.GetProperty("waiver");
        Assert.Equal("recorded twice upstream", waiver.GetProperty("reason").GetString());
        Assert.Equal("alex", waiver.GetProperty("waivedBy").GetString());
        Assert.InRange(waiver.GetProperty("waivedAt").GetDateTimeOffset(), before, DateTimeOffset.UtcNow);
        var byEvent = waiver.GetProperty("waivedByEvent");
        Assert.Equal(await WaiverEventAsync(family), (byEvent.GetProperty("source").GetString(), byEvent.GetProperty("eventId").GetString()));
        Assert.All(obligations.Where(o => o.GetProperty("id").GetString() != obligation), o => Assert.Equal(JsonValueKind.Null, o.GetProperty("waiver").ValueKind));
        Assert.Equal(HttpStatusCode.Conflict, (await PostAsync(Scopes.Admin, path, new { reason = "again" }, version + 1, "w2")).StatusCode);
    }

    [Fact]
    public async Task A_write_to_a_merged_family_is_refused_naming_the_survivor()
    {
        var (first, _) = await NewFamilyAsync();
        var (second, _) = await NewFamilyAsync();
        using var admin = service.Service.ClientWith(Scopes.Admin);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/admin/families/merge", UriKind.Relative))
        {
            Content = JsonContent.Create(new { familyIds = new[] { first, second }, note = "same household" }),
        };
        request.WithWriteHeaders($"\"{first}:{await VersionAsync(first)}\", \"{second}:{await VersionAsync(second)}\"", $"merge-{first}");
        var merge = await admin.SendAsync(request);
        var survivor = (await merge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("survivorFamilyId").GetString()!;
        var absorbed = survivor == first ? second : first;

        var refused = await PostAsync(Scopes.DisputesWrite, $"/families/{absorbed}/disputes", new { raisedBy = "adult-social-care", subject = "threshold", summary = "s" }, 1, "m1");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal(survivor, (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("survivorFamilyId").GetString());
    }

    [Fact]
    public async Task A_key_used_for_one_change_is_refused_for_another_and_the_calling_client_is_recorded_as_who_did_it()
    {
        var (family, _) = await NewFamilyAsync();
        var (other, _) = await NewFamilyAsync();
        var body = new { raisedBy = "adult-social-care", subject = "funding", summary = "Who pays for the respite" };
        using var http = service.Service.ClientWith(Scopes.DisputesWrite, "dispute-desk");
        async Task<HttpResponseMessage> RaiseAsync(string target)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/families/{target}/disputes", UriKind.Relative)) { Content = JsonContent.Create(body) };
            request.WithWriteHeaders($"\"{await VersionAsync(target)}\"", $"one-key-{family}");
            return await http.SendAsync(request);
        }

        Assert.Equal(HttpStatusCode.Created, (await RaiseAsync(family)).StatusCode);
        var reused = await RaiseAsync(other);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("application/problem+json", reused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0L, await CountAsync(other, "dispute.raised.v1"));
        await using var command = service.Database.DataSource.CreateCommand("SELECT data->>'raisedByUser' FROM events WHERE stream_id = @s AND type = 'dispute.raised.v1'");
        command.Parameters.AddWithValue("s", family);
        Assert.Equal("dispute-desk", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_key_reused_on_the_same_path_with_another_body_is_422_and_a_retry_gets_the_first_answer_again()
    {
        var (family, _) = await NewFamilyAsync();
        var version = await VersionAsync(family);
        var path = $"/families/{family}/disputes";
        var body = new { raisedBy = "adult-social-care", subject = "funding", summary = "Who pays for the respite" };

        var raised = await PostAsync(Scopes.DisputesWrite, path, body, version, "same-key");
        var other = await PostAsync(Scopes.DisputesWrite, path, body with { summary = "Who pays for the transport" }, version, "same-key");
        var retried = await PostAsync(Scopes.DisputesWrite, path, body, version, "same-key");

        Assert.Equal(HttpStatusCode.Created, raised.StatusCode);
        Assert.False(raised.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.StatusCode);
        Assert.Equal("Idempotency-Key reused", (await other.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal("true", Assert.Single(retried.Headers.GetValues("Idempotent-Replayed")));
        Assert.Equal(raised.Headers.Location, retried.Headers.Location);
        var first = await raised.Content.ReadFromJsonAsync<JsonElement>();
        var again = await retried.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(first.GetProperty("disputeId").GetString(), again.GetProperty("disputeId").GetString());
        Assert.Equal(first.GetProperty("streamVersion").GetInt64(), again.GetProperty("streamVersion").GetInt64());
        Assert.Equal(1L, await CountAsync(family, "dispute.raised.v1"));
        Assert.Equal(version + 1, await VersionAsync(family));
    }

    [Fact]
    public async Task A_key_whose_event_was_appended_before_answers_were_kept_is_answered_from_that_event()
    {
        var (family, _) = await NewFamilyAsync();
        var (other, _) = await NewFamilyAsync();
        var version = await VersionAsync(family);
        var path = $"/families/{family}/disputes";
        var key = $"before-{family}";
        // As a raise appended it before: the key only as the event's source id, nothing in admin_requests.
        var (type, json) = FamilyEventSerializer.Serialize(new DisputeRaised("dispute-earlier", "adult-social-care", DisputeSubject.Funding, [], "s", DateTimeOffset.UtcNow, "dispute-desk"));
        await new PostgresEventStore(service.Database.DataSource).AppendAsync(family, ExpectedVersion.Exactly(version),
            [new NewEvent(type, json, DateTimeOffset.UtcNow, "urn:youngcarers:api:dispute-desk", key, new EventMetadata { Channel = "http", Subject = path })]);
        var body = new { raisedBy = "adult-social-care", subject = "funding", summary = "s" };
        using var http = service.Service.ClientWith(Scopes.DisputesWrite, "dispute-desk");
        async Task<HttpResponseMessage> RaiseAsync(string target, long ifMatch)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/families/{target}/disputes", UriKind.Relative)) { Content = JsonContent.Create(body) };
            request.WithWriteHeaders($"\"{ifMatch}\"", key);
            var response = await http.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return response;
        }

        var retried = await RaiseAsync(family, version);
        var elsewhere = await RaiseAsync(other, await VersionAsync(other));

        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal("true", Assert.Single(retried.Headers.GetValues("Idempotent-Replayed")));
        var answer = await retried.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("dispute-earlier", answer.GetProperty("disputeId").GetString());
        Assert.Equal(version + 1, answer.GetProperty("streamVersion").GetInt64());
        Assert.Equal(HttpStatusCode.UnprocessableEntity, elsewhere.StatusCode);
        Assert.Equal(1L, await CountAsync(family, "dispute.raised.v1"));
        Assert.Equal(0L, await CountAsync(other, "dispute.raised.v1"));
    }

    [Theory]
    [InlineData("escalate")]
    [InlineData("interim-lead")]
    [InlineData("resolve")]
    [InlineData("waive")]
    public async Task A_change_based_on_a_stale_stream_version_is_409_problem_details_and_writes_nothing(string change)
    {
        var (family, _) = await NewFamilyAsync();
        var seen = await VersionAsync(family);
        var raised = await PostAsync(Scopes.DisputesWrite, $"/families/{family}/disputes",
            new { raisedBy = "adult-social-care", subject = "need-ownership", summary = "Who leads" }, seen, "s1");
        Assert.Equal(HttpStatusCode.Created, raised.StatusCode);
        var disputeId = (await raised.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disputeId").GetString()!;
        var obligation = (await FamilyAsync(family)).GetProperty("obligations").EnumerateArray()
            .First(o => o.GetProperty("status").GetString() is "open" or "overdue").GetProperty("id").GetString()!;
        var stored = await StoredVersionAsync(family);
        Assert.Equal(seen + 1, stored);

        var (scope, path, body) = change switch
        {
            "escalate" => (Scopes.DisputesWrite, $"/families/{family}/disputes/{disputeId}/escalate", (object)new { reason = "no agreement" }),
            "interim-lead" => (Scopes.DisputesWrite, $"/families/{family}/disputes/{disputeId}/interim-lead", new { leadService = "adult-social-care" }),
            "resolve" => (Scopes.DisputesWrite, $"/families/{family}/disputes/{disputeId}/resolve", new { leadService = "childrens-social-care" }),
            _ => (Scopes.Admin, $"/families/{family}/obligations/{Uri.EscapeDataString(obligation)}/waive", new { reason = "recorded twice upstream" }),
        };
        var stale = await PostAsync(scope, path, body, seen, "s2");

        Assert.Equal(HttpStatusCode.Conflict, stale.StatusCode);
        Assert.Equal("application/problem+json", stale.Content.Headers.ContentType?.MediaType);
        var problem = await stale.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Equal(stored, problem.GetProperty("streamVersion").GetInt64());
        Assert.Equal(stored, await StoredVersionAsync(family));
    }

    /// <summary>A dispute write and two of the integration team's, each with what it needs in the path.</summary>
    public static TheoryData<string, string> CappedWrites => new()
    {
        { Scopes.DisputesWrite, "/families/{family}/disputes" },
        { Scopes.Admin, "/families/{family}/obligations/any-obligation/waive" },
        { Scopes.Admin, "/admin/families/merge" },
    };

    [Theory]
    [MemberData(nameof(CappedWrites))]
    public async Task A_write_body_over_its_size_cap_is_413_problem_details_and_writes_nothing(string scope, string route)
    {
        var (family, _) = await NewFamilyAsync();
        var version = await StoredVersionAsync(family);
        var json = $$"""{ "raisedBy": "adult-social-care", "subject": "funding", "summary": "{{new string('x', (int)RequestBodyLimits.Writes.MaxBytes)}}", "reason": "r", "familyIds": ["{{family}}", "other"] }""";

        var response = await PostJsonAsync(scope, route.Replace("{family}", family, StringComparison.Ordinal), json, version);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(413, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32());
        Assert.Equal(version, await StoredVersionAsync(family));
    }

    [Theory]
    [MemberData(nameof(CappedWrites))]
    public async Task A_write_body_nested_deeper_than_its_cap_is_400_problem_details_and_writes_nothing(string scope, string route)
    {
        var (family, _) = await NewFamilyAsync();
        var version = await StoredVersionAsync(family);
        var depth = RequestBodyLimits.Writes.MaxJsonDepth;
        var json = $$"""{ "raisedBy": "adult-social-care", "subject": "funding", "summary": "s", "reason": "r", "familyIds": ["{{family}}", "other"], "extra": {{new string('[', depth)}}{{new string(']', depth)}} }""";

        var response = await PostJsonAsync(scope, route.Replace("{family}", family, StringComparison.Ordinal), json, version);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Request body too deep", problem.GetProperty("title").GetString());
        Assert.Equal(version, await StoredVersionAsync(family));
    }

    [Fact]
    public void Json_as_deep_as_the_write_cap_passes_and_one_level_more_does_not()
    {
        static string Nested(int depth) => new string('[', depth) + new string(']', depth);
        var limits = RequestBodyLimits.Writes;

        Assert.False(limits.TooDeep(Encoding.UTF8.GetBytes(Nested(limits.MaxJsonDepth))));
        Assert.True(limits.TooDeep(Encoding.UTF8.GetBytes(Nested(limits.MaxJsonDepth + 1))));
        Assert.True(limits.TooDeep(Encoding.UTF8.GetBytes(Nested(1000))));
        Assert.False(limits.TooDeep(Encoding.UTF8.GetBytes("{ not json")));
        Assert.False(limits.TooDeep([]));
    }

    private async Task<(string Family, string Child)> NewFamilyAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        using var writer = service.Service.ClientWith(Scopes.EventsWrite);
        var response = await writer.PostAsync(new Uri("/events", UriKind.Relative),
            new StringContent(Identified($"w-{id}", Child($"W-c-{id}"), Adult($"W-a-{id}")), Encoding.UTF8, "application/cloudevents+json"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("results")[0].GetProperty("familyId").GetString()!, $"system:LCS/W-c-{id}");
    }

    private Task<JsonElement> FamilyAsync(string family) => service.Service.FamilyNowAsync(family, "dispute handling");

    private async Task<long> VersionAsync(string family) => (await FamilyAsync(family)).GetProperty("streamVersion").GetInt64();

    private async Task<JsonElement> DisputeAsync(string family, string disputeId) =>
        (await FamilyAsync(family)).GetProperty("disputes").EnumerateArray().Single(d => d.GetProperty("disputeId").GetString() == disputeId);

    private async Task<HttpResponseMessage> PostAsync(string scopes, string path, object body, long? ifMatch, string? idempotencyKey)
    {
        using var http = service.Service.ClientWith(scopes, "dispute-desk");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.WithWriteHeaders(
            ifMatch is { } version ? $"\"{version}\"" : null,
            idempotencyKey is null ? null : $"{path.GetHashCode(StringComparison.Ordinal)}-{idempotencyKey}");

        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<HttpResponseMessage> PostJsonAsync(string scopes, string path, string json, long ifMatch)
    {
        using var http = service.Service.ClientWith(scopes, "dispute-desk");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.WithWriteHeaders($"\"{ifMatch}\"", Guid.NewGuid().ToString("N"));
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>The family stream's version in the event store, not as a read reports it.</summary>
    private async Task<long> StoredVersionAsync(string family)
    {
        await using var command = service.Database.DataSource.CreateCommand("SELECT version FROM streams WHERE stream_id = @s");
        command.Parameters.AddWithValue("s", family);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<(string?, string?)> WaiverEventAsync(string family)
    {
        await using var command = service.Database.DataSource.CreateCommand("SELECT source, source_event_id FROM events WHERE stream_id = @s AND type = 'obligation.waived.v1'");
        command.Parameters.AddWithValue("s", family);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        return (reader.GetString(0), reader.GetString(1));
    }

    private async Task<long> CountAsync(string family, string type)
    {
        await using var connection = new NpgsqlConnection(service.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM events WHERE stream_id = @s AND type = @t", connection);
        command.Parameters.AddWithValue("s", family);
        command.Parameters.AddWithValue("t", type);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
