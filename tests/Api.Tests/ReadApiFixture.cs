using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using YoungCarers.Api.Security;
using YoungCarers.Domain.Families;
using YoungCarers.EventStore.Streams;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

/// <summary>
/// The service over a database holding a few realistic families, with the projection daemon caught up:
/// <see cref="YoungCarer"/> (a school identifies a young carer; an open dispute), <see cref="Survivor"/>
/// and <see cref="Absorbed"/> (merged by the integration team), and <see cref="Late"/> (an adult
/// referral that happened before the identification but arrived after <see cref="BeforeLateEvent"/>).
/// </summary>
public sealed class ReadApiFixture : IAsyncLifetime
{
    public const string YoungCarerName = "Keziah";
    public const string YoungCarerId = "RC-ca-1";
    public const string DisputeId = "D-read-1";
    public const string ChildrensSource = "urn:la:test:childrens-social-care:lcs";
    public static readonly string YoungCarerNhs = NhsNumber(424_242);

    private readonly SecuredService _service = new();

    public SecuredService Service => _service;

    public string YoungCarer { get; private set; } = "";

    public string Survivor { get; private set; } = "";

    public string Absorbed { get; private set; } = "";

    public string Late { get; private set; } = "";

    public DateTimeOffset BeforeLateEvent { get; private set; }

    public async Task InitializeAsync()
    {
        await _service.InitializeAsync();
        using var writer = _service.Service.ClientWith($"{Scopes.EventsWrite} {Scopes.Admin}");
        YoungCarer = await PostAsync(writer, Identified("rd-a-1", Child(YoungCarerId, YoungCarerNhs, given: YoungCarerName), Adult("RA-aa-1")));
        Survivor = await PostAsync(writer, Identified("rd-b-1", Child("RC-cb-1")));
        Absorbed = await PostAsync(writer, Identified("rd-c-1", Child("RC-cc-1", given: "Tomasz")));
        using var mergeRequest = new HttpRequestMessage(HttpMethod.Post, new Uri("/admin/families/merge", UriKind.Relative))
        {
            Content = JsonContent.Create(new { familyIds = new[] { Survivor, Absorbed }, note = "same household" }),
        };
        mergeRequest.WithWriteHeaders($"\"{Survivor}:{await VersionAsync(Survivor)}\", \"{Absorbed}:{await VersionAsync(Absorbed)}\"", "read-fixture-merge");
        var merge = await writer.SendAsync(mergeRequest);
        merge.EnsureSuccessStatusCode();
        var survivor = (await merge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("survivorFamilyId").GetString()!;
        if (survivor != Survivor)
        {
            (Survivor, Absorbed) = (Absorbed, Survivor);
        }

        // Indicators: the survivor's young carer assessed 5 working days after identification; the adult's needs assessment recorded the children.
        Assert.Equal(Survivor, await PostAsync(writer, Envelope("rd-b-2", ChildrensSource, "children.young-carer-assessment.completed.v1",
            $$"""{ "assessmentId": "YCA-rd-b", "child": {{Child("RC-cb-1")}}, "completedOn": "2025-03-10", "caredFor": [], "caringAppropriate": true, "excessiveOrInappropriate": false, "impacts": [], "supportPlanned": false }""")
            .Replace("2025-03-04T10:15:00Z", "2025-03-10T12:00:00Z", StringComparison.Ordinal)));
        Assert.Equal(YoungCarer, await PostAsync(writer, Envelope("rd-a-2", AdultSource, "adult.needs-assessment.completed.v1",
            $$"""{ "assessmentId": "NA-rd-a", "person": {{Adult("RA-aa-1")}}, "completedOn": "2025-03-05", "eligible": true, "childrenInHousehold": "yes", "children": [{ "child": {{Child(YoungCarerId, YoungCarerNhs, given: YoungCarerName)}}, "providesCare": "yes" }], "parentingResponsibilitiesConsidered": true }""")
            .Replace("2025-03-04T10:15:00Z", "2025-03-05T12:00:00Z", StringComparison.Ordinal)));

        Late = await PostAsync(writer, Identified("rd-d-1", Child("RC-cd-1"), Adult("RA-ad-1")));
        await Task.Delay(50);
        BeforeLateEvent = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        var late = Referral("rd-d-late", Adult("RA-ad-1"), Child("RC-cd-1"))
            .Replace("2025-03-04T10:15:00Z", "2025-02-20T09:00:00Z", StringComparison.Ordinal)
            .Replace("\"receivedOn\": \"2025-03-03\"", "\"receivedOn\": \"2025-02-19\"", StringComparison.Ordinal);
        Assert.Equal(Late, await PostAsync(writer, late));

        await RaiseDisputeAsync(YoungCarer, DisputeId);
        // More open disputes, so that the list has pages to follow.
        await RaiseDisputeAsync(Survivor, "D-read-2");
        await RaiseDisputeAsync(YoungCarer, "D-read-3");

        await WaitForProjectionAsync();
    }

    /// <summary>Appends an open dispute, raised an hour ago, to the family's stream.</summary>
    public async Task RaiseDisputeAsync(string familyId, string disputeId)
    {
        var store = _service.Service.Services.GetRequiredService<PostgresEventStore>();
        var (type, json) = FamilyEventSerializer.Serialize(new DisputeRaised(
            disputeId, "adult-social-care", DisputeSubject.NeedOwnership, [], "Which service leads", DateTimeOffset.UtcNow.AddHours(-1), "tester"));
        await store.AppendAsync(familyId, ExpectedVersion.Any, [new NewEvent(type, json, DateTimeOffset.UtcNow.AddHours(-1), "urn:youngcarers:tests", disputeId)]);
    }

    public async Task DisposeAsync() => await _service.DisposeAsync();

    /// <summary>Polls until every stream's events are in the read model.</summary>
    private async Task WaitForProjectionAsync()
    {
        await using var data = NpgsqlDataSource.Create(_service.Database.ConnectionString);
        for (var attempt = 0; attempt < 600; attempt++)
        {
            await using var command = data.CreateCommand("""
                SELECT count(*) FROM streams s
                LEFT JOIN read_model.families f ON f.family_id = s.stream_id
                WHERE f.family_id IS NULL OR (s.successor_id IS NULL AND f.stream_version <> s.version)
                """);
            if ((long)(await command.ExecuteScalarAsync())! == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("The projection did not catch up.");
    }

    private static async Task<string> PostAsync(HttpClient writer, string envelope)
    {
        var response = await writer.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(envelope, Encoding.UTF8, "application/cloudevents+json"));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("results")[0].GetProperty("familyId").GetString()!;
    }

    private async Task<long> VersionAsync(string family)
    {
        await using var command = _service.Database.DataSource.CreateCommand("SELECT version FROM streams WHERE stream_id = @id");
        command.Parameters.AddWithValue("id", family);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
