using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Testing;
using YoungCarers.Api.Security;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

/// <summary>
/// That the OpenAPI document's request bodies say what the write endpoints do. The bodies are built
/// from the document: each field it requires, left out, is 400 naming that field; a body of only the
/// required fields is accepted; each value an enum lists is accepted and another value is not.
/// </summary>
public sealed class OpenApiWriteRequestTests(SecuredService service) : IClassFixture<SecuredService>
{
    private const string Raise = "/families/{familyId}/disputes";
    private const string Escalate = "/families/{familyId}/disputes/{disputeId}/escalate";
    private const string InterimLead = "/families/{familyId}/disputes/{disputeId}/interim-lead";
    private const string Resolve = "/families/{familyId}/disputes/{disputeId}/resolve";
    private const string Waive = "/families/{familyId}/obligations/{obligationId}/waive";
    private const string Merge = "/admin/families/merge";
    private const string Split = "/admin/families/{familyId}/split";

    public static TheoryData<string> Writes => [Raise, Escalate, InterimLead, Resolve, Waive, Merge, Split];

    /// <summary>The fields whose values are a closed set, by operation.</summary>
    public static TheoryData<string, string> Enums => new()
    {
        { Raise, "raisedBy" },
        { Raise, "subject" },
        { InterimLead, "leadService" },
        { Resolve, "leadService" },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_body_without_a_field_the_document_requires_is_400_naming_it_and_one_of_only_those_fields_is_accepted(string operation)
    {
        var required = Required(await RequestSchemaAsync(operation));
        var target = await TargetAsync(operation);

        foreach (var field in required)
        {
            await AssertRefusedAsync(await target.PostAsync(target.Body(required.Where(f => f != field))), field);
        }

        await AssertAcceptedAsync(await target.PostAsync(target.Body(required)));
    }

    [Theory]
    [MemberData(nameof(Enums))]
    public async Task Each_value_the_document_lists_for_a_field_is_accepted_and_another_is_400_naming_it(string operation, string field)
    {
        var schema = await RequestSchemaAsync(operation);
        var values = Values(schema, field);
        Assert.NotEmpty(values);
        var refused = await TargetAsync(operation);

        // Another value: one listed, in capitals, since the values are compared exactly.
        await AssertRefusedAsync(await refused.PostAsync(refused.Body(Required(schema), (field, values[0].ToUpperInvariant()))), field);
        foreach (var value in values)
        {
            var target = await TargetAsync(operation);
            await AssertAcceptedAsync(await target.PostAsync(target.Body(Required(schema), (field, value))));
        }
    }

    [Fact]
    public async Task A_funding_share_without_a_field_the_document_requires_is_400_naming_it_and_each_listed_service_takes_a_share()
    {
        var share = Schema(await DocumentAsync(), "FundingShareRequest");
        var required = Required(share);
        var services = Values(share, "service");
        Assert.NotEmpty(services);
        var resolve = Required(await RequestSchemaAsync(Resolve));
        // The first share's percent as a string: the document allows a number in one (System.Text.Json's web defaults read it).
        JsonObject Share(int index, IEnumerable<string> fields) => Fields(fields, new Dictionary<string, JsonNode>
        {
            ["service"] = services[index],
            ["percent"] = index == 0 ? (JsonNode)(100 - (10 * (services.Count - 1))).ToString(System.Globalization.CultureInfo.InvariantCulture) : 10,
        });
        var target = await TargetAsync(Resolve);

        foreach (var field in required)
        {
            var split = new JsonArray([Share(0, required.Where(f => f != field)), .. services.Skip(1).Select((_, i) => Share(i + 1, required))]);
            await AssertRefusedAsync(await target.PostAsync(target.Body(resolve, ("fundingSplit", split))), field);
        }

        var whole = new JsonArray([.. services.Select((_, i) => Share(i, required))]);
        await AssertAcceptedAsync(await target.PostAsync(target.Body(resolve, ("fundingSplit", whole))));
    }

    [Fact]
    public async Task A_person_to_split_off_is_named_by_each_set_of_fields_the_document_gives_and_refused_with_part_of_one()
    {
        var alternatives = Schema(await DocumentAsync(), "PersonIdentifier").GetProperty("anyOf").EnumerateArray().Select(Required).ToList();
        Assert.NotEmpty(alternatives);

        foreach (var fields in alternatives)
        {
            var target = await TargetAsync(Split);
            var person = target.Person!;
            foreach (var field in fields)
            {
                await AssertRefusedAsync(await target.PostAsync(new JsonObject { ["persons"] = new JsonArray(Fields(fields.Where(f => f != field), person)) }), "persons");
            }

            await AssertAcceptedAsync(await target.PostAsync(new JsonObject { ["persons"] = new JsonArray(Fields(fields, person)) }));
        }
    }

    [Fact]
    public async Task A_null_in_a_list_of_the_body_is_400_naming_the_list_not_a_server_error()
    {
        var raise = await TargetAsync(Raise);
        var resolve = await TargetAsync(Resolve);
        var merge = await TargetAsync(Merge);
        var split = await TargetAsync(Split);

        await AssertRefusedAsync(await raise.PostAsync(raise.Body(["raisedBy", "subject", "summary"], ("persons", new JsonArray((JsonNode?)null)))), "persons");
        await AssertRefusedAsync(await resolve.PostAsync(resolve.Body(["leadService"], ("fundingSplit", new JsonArray((JsonNode?)null)))), "fundingSplit");
        var family = merge.Values["familyIds"][0]!.GetValue<string>();
        await AssertRefusedAsync(await merge.PostAsync(new JsonObject { ["familyIds"] = new JsonArray(null, family) }), "familyIds");
        await AssertRefusedAsync(await split.PostAsync(new JsonObject { ["persons"] = new JsonArray((JsonNode?)null) }), "persons");
    }

    /// <summary>An operation's path for a fresh family (and dispute or obligation), with a valid value for each field of its body.</summary>
    private async Task<Target> TargetAsync(string operation)
    {
        if (operation == Merge)
        {
            var (first, _, _) = await NewFamilyAsync();
            var (second, _, _) = await NewFamilyAsync();
            return new(service.Service, Merge, Scopes.Admin, $"\"{first}:{await VersionAsync(first)}\", \"{second}:{await VersionAsync(second)}\"",
                new() { ["familyIds"] = new JsonArray(first, second), ["note"] = "same household" });
        }

        var (family, child, nhs) = await NewFamilyAsync();
        var version = await VersionAsync(family);
        switch (operation)
        {
            case Raise:
                return new(service.Service, $"/families/{family}/disputes", Scopes.DisputesWrite, $"\"{version}\"", new()
                {
                    ["raisedBy"] = "adult-social-care", ["subject"] = "threshold", ["persons"] = new JsonArray($"system:LCS/{child}"),
                    ["summary"] = "Whether the caring is excessive", ["raisedByUser"] = "a.practitioner",
                });
            case Waive:
                var obligation = (await FamilyAsync(family)).GetProperty("obligations").EnumerateArray()
                    .First(o => o.GetProperty("status").GetString() is "open" or "overdue").GetProperty("id").GetString()!;
                return new(service.Service, $"/families/{family}/obligations/{Uri.EscapeDataString(obligation)}/waive", Scopes.Admin, $"\"{version}\"",
                    new() { ["reason"] = "recorded twice upstream", ["waivedBy"] = "a.team-member" });
            case Split:
                return new(service.Service, $"/admin/families/{family}/split", Scopes.Admin, $"\"{version}\"",
                    new() { ["persons"] = new JsonArray(new JsonObject { ["system"] = "LCS", ["id"] = child }), ["note"] = "wrong household" })
                {
                    Person = new() { ["system"] = "LCS", ["id"] = child, ["nhsNumber"] = nhs },
                };
        }

        var raised = await new Target(service.Service, $"/families/{family}/disputes", Scopes.DisputesWrite, $"\"{version}\"", [])
            .PostAsync(new JsonObject { ["raisedBy"] = "childrens-social-care", ["subject"] = "need-ownership", ["summary"] = "Who leads" });
        var disputeId = (await raised.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disputeId").GetString()!;
        var path = $"/families/{family}/disputes/{disputeId}";
        var ifMatch = $"\"{version + 1}\"";
        return operation switch
        {
            Escalate => new(service.Service, $"{path}/escalate", Scopes.DisputesWrite, ifMatch,
                new() { ["reason"] = "no agreement", ["fromStage"] = 1, ["escalatedBy"] = "a.manager" }),
            InterimLead => new(service.Service, $"{path}/interim-lead", Scopes.DisputesWrite, ifMatch,
                new() { ["leadService"] = "adult-social-care", ["agreedBy"] = "a.manager" }),
            Resolve => new(service.Service, $"{path}/resolve", Scopes.DisputesWrite, ifMatch, new()
            {
                ["leadService"] = "childrens-social-care",
                ["fundingSplit"] = new JsonArray(new JsonObject { ["service"] = "adult-social-care", ["percent"] = 100 }),
                ["note"] = "agreed at panel", ["resolvedBy"] = "a.manager",
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Not a write with a JSON body."),
        };
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Without a valid {field}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, JsonDocument.Parse(body).RootElement.GetProperty("parameter").GetString());
    }

    private static async Task AssertAcceptedAsync(HttpResponseMessage response) =>
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");

    private static List<string> Required(JsonElement schema) =>
        schema.TryGetProperty("required", out var required) ? [.. required.EnumerateArray().Select(f => f.GetString()!)] : [];

    private static List<string> Values(JsonElement schema, string field) =>
        schema.GetProperty("properties").GetProperty(field).TryGetProperty("enum", out var values) ? [.. values.EnumerateArray().Select(v => v.GetString()!)] : [];

    private static JsonObject Fields(IEnumerable<string> fields, Dictionary<string, JsonNode> values) =>
        new(fields.Select(f => KeyValuePair.Create(f, (JsonNode?)values[f].DeepClone())));

    private static JsonElement Schema(JsonElement document, string name) => document.GetProperty("components").GetProperty("schemas").GetProperty(name);

    /// <summary>The schema of an operation's JSON body, following its reference.</summary>
    private async Task<JsonElement> RequestSchemaAsync(string operation)
    {
        var document = await DocumentAsync();
        var body = document.GetProperty("paths").GetProperty(operation).GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");
        return Schema(document, body.GetProperty("$ref").GetString()!.Split('/')[^1]);
    }

    private async Task<JsonElement> DocumentAsync()
    {
        using var http = service.Service.CreateClient();
        return JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;
    }

    /// <summary>A new family of a young carer (with an NHS number) and the adult they care for: its id, the child's LCS id and NHS number.</summary>
    private async Task<(string Family, string Child, string Nhs)> NewFamilyAsync()
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        var nhs = NhsNumber(Random.Shared.Next(1, 800_000_000));
        using var writer = service.Service.ClientWith(Scopes.EventsWrite);
        var response = await writer.PostAsync(new Uri("/events", UriKind.Relative),
            new StringContent(Identified($"o-{id}", Child($"O-c-{id}", nhs), Adult($"O-a-{id}")), Encoding.UTF8, "application/cloudevents+json"));
        var family = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0].GetProperty("familyId").GetString()!;
        return (family, $"O-c-{id}", nhs);
    }

    private Task<JsonElement> FamilyAsync(string family) => service.Service.FamilyNowAsync(family, "checking the API description");

    private async Task<long> VersionAsync(string family) => (await FamilyAsync(family)).GetProperty("streamVersion").GetInt64();

    /// <summary>Where a write goes, with the headers it needs and a valid value for each field it takes.</summary>
    private sealed record Target(WebApplicationFactory<Program> Service, string Path, string Scope, string IfMatch, Dictionary<string, JsonNode> Values)
    {
        /// <summary>For a split: one person of the family, by every identifier a person may be named by.</summary>
        public Dictionary<string, JsonNode>? Person { get; init; }

        /// <summary>A body of <paramref name="fields"/> with their valid values, but for <paramref name="instead"/>.</summary>
        public JsonObject Body(IEnumerable<string> fields, params (string Field, JsonNode Value)[] instead)
        {
            var body = Fields(fields, Values);
            foreach (var (field, value) in instead)
            {
                body[field] = value;
            }

            return body;
        }

        /// <summary>Posts with a new Idempotency-Key each time, so no answer is a replay.</summary>
        public async Task<HttpResponseMessage> PostAsync(JsonObject body)
        {
            using var http = Service.ClientWith(Scope, "openapi-tests");
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(Path, UriKind.Relative)) { Content = JsonContent.Create(body) };
            request.WithWriteHeaders(IfMatch, Guid.NewGuid().ToString("N"));
            var response = await http.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return response;
        }
    }
}
