using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Tests;

/// <summary>The lists asked about an instant (asOf, knownAt): every family evaluated from the event store.</summary>
public sealed partial class ReadApiTests
{
    public static TheoryData<string, string, string> Lists => new()
    {
        { Scopes.ObligationsRead, "/obligations?dueBefore=2100-01-01", "obligationRef" },
        { Scopes.FamiliesRead, "/families?service=childrens-social-care", "familyId" },
        { Scopes.FamiliesRead, "/disputes?status=open", "disputeId" },
        { Scopes.FamiliesRead, "/young-carers?turning18Before=2040-01-01", "personKey" },
    };

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task A_list_asked_about_now_answers_as_the_live_list_does_page_by_page(string scope, string list, string key)
    {
        var live = Keys(await AllPagesAsync(scope, $"{list}&limit=200", "live-reader"), key);
        var asOf = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        var pages = await AllPagesAsync(scope, $"{list}&asOf={asOf}&limit=1", "past-reader");

        Assert.NotEmpty(live);
        Assert.Equal(live, Keys(pages, key));
        Assert.All(pages, page => Assert.Equal(pages[0].GetProperty("knownAt").GetString(), page.GetProperty("knownAt").GetString()));
        Assert.False(string.IsNullOrEmpty(pages[0].GetProperty("asOf").GetString()));
    }

    [Fact]
    public async Task A_late_event_changes_the_obligations_listed_as_of_the_past_but_not_those_the_service_knew_before_it_arrived()
    {
        var knownAt = Uri.EscapeDataString(data.BeforeLateEvent.ToString("O"));
        var asOf = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        var knownThen = await ObligationKindsOfAsync($"/obligations?knownAt={knownAt}&asOf={asOf}&limit=200");
        var knownNow = await ObligationKindsOfAsync($"/obligations?asOf={asOf}&limit=200");

        Assert.NotEqual(knownThen, knownNow);
        Assert.Equal(await FamilyObligationKindsAsync($"knownAt={knownAt}&asOf={asOf}"), knownThen);
        Assert.Equal(await FamilyObligationKindsAsync($"asOf={asOf}"), knownNow);
    }

    [Fact]
    public async Task A_past_list_pages_at_the_instants_of_its_first_page_and_refuses_a_cursor_from_other_instants()
    {
        var first = await GetJsonAsync(Scopes.FamiliesRead, "/families?service=childrens-social-care&asOf=2025-06-01T00:00:00Z&limit=1");
        var cursor = first.GetProperty("nextCursor").GetString()!;
        Assert.Equal("2025-06-01T00:00:00+00:00", first.GetProperty("asOf").GetString());

        var next = await GetJsonAsync(Scopes.FamiliesRead, $"/families?service=childrens-social-care&limit=1&cursor={cursor}");
        Assert.Equal(first.GetProperty("knownAt").GetString(), next.GetProperty("knownAt").GetString());
        Assert.True(string.CompareOrdinal(first.GetProperty("items")[0].GetProperty("familyId").GetString(), next.GetProperty("items")[0].GetProperty("familyId").GetString()) < 0);

        var otherInstant = await SendAsync(Scopes.FamiliesRead, $"/families?service=childrens-social-care&asOf=2025-07-01T00:00:00Z&cursor={cursor}");
        Assert.Equal(HttpStatusCode.BadRequest, otherInstant.StatusCode);
        Assert.Equal("cursor", (await otherInstant.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("parameter").GetString());
        var liveCursor = (await GetJsonAsync(Scopes.FamiliesRead, "/families?service=childrens-social-care&limit=1")).GetProperty("nextCursor").GetString();
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.FamiliesRead, $"/families?service=childrens-social-care&asOf=2025-06-01T00:00:00Z&cursor={liveCursor}")).StatusCode);
    }

    [Fact]
    public async Task A_person_is_found_in_the_family_they_were_in_at_an_instant_and_each_past_list_page_is_audited()
    {
        var client = $"past-reader-{Guid.NewGuid():N}";
        var beforeAnything = await SendAsync(Scopes.FamiliesRead, "/people?system=LCS&id=RC-cc-1&knownAt=2000-01-01T00:00:00Z", client);
        Assert.Equal(HttpStatusCode.NotFound, beforeAnything.StatusCode);

        var asOf = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));
        var now = await GetJsonAsync(Scopes.FamiliesRead, $"/people?system=LCS&id=RC-cc-1&asOf={asOf}", client);
        Assert.Equal(data.Survivor, now.GetProperty("familyId").GetString());
        Assert.False(now.GetProperty("answeredBySurvivor").GetBoolean());

        var page = await GetJsonAsync(Scopes.FamiliesRead, $"/disputes?asOf={asOf}", client);
        var shown = page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("familyId").GetString()).ToList();
        Assert.Contains(data.YoungCarer, shown);
        var audited = await AuditRowsAsync(client);
        Assert.Contains(audited, row => row.FamilyId == data.Survivor && row.Resource == "GET /people");
        Assert.Contains(audited, row => row.FamilyId == data.YoungCarer && row.Resource == "GET /disputes" && row.Purpose == Purpose);
    }

    [Fact]
    public async Task Indicators_asked_about_now_are_the_live_ones_and_a_late_event_changes_them_only_once_known()
    {
        string[] indicators = ["adultAssessmentsRecordingChildren", "identificationToYoungCarerAssessment", "obligationsMetOnTimeByService", "disputesByStageReached", "turnedEighteenWithTransitionAssessment"];
        const string Period = "/audit/indicators?from=2025-01-01&to=2027-01-01";
        var asOf = Uri.EscapeDataString(DateTimeOffset.UtcNow.ToString("O"));

        var live = await GetJsonAsync(Scopes.Admin, Period);
        var now = await GetJsonAsync(Scopes.Admin, $"{Period}&asOf={asOf}");
        var beforeLate = await GetJsonAsync(Scopes.Admin, $"{Period}&asOf={asOf}&knownAt={Uri.EscapeDataString(data.BeforeLateEvent.ToString("O"))}");
        var beforeAnything = await GetJsonAsync(Scopes.Admin, $"{Period}&knownAt=2000-01-01T00:00:00Z");

        Assert.All(indicators, name => Assert.Equal(live.GetProperty(name).GetRawText(), now.GetProperty(name).GetRawText()));
        Assert.NotEmpty(now.GetProperty("disputesByStageReached").EnumerateArray());
        Assert.NotEqual(now.GetProperty("obligationsMetOnTimeByService").GetRawText(), beforeLate.GetProperty("obligationsMetOnTimeByService").GetRawText());
        Assert.Equal(JsonValueKind.Null, live.GetProperty("asOf").ValueKind);
        Assert.Equal("2000-01-01T00:00:00+00:00", beforeAnything.GetProperty("knownAt").GetString());
        Assert.All(beforeAnything.GetProperty("obligationsMetOnTimeByService").EnumerateArray(), service => Assert.Equal(0, service.GetProperty("due").GetInt32()));
        Assert.Equal(0, beforeAnything.GetProperty("adultAssessmentsRecordingChildren").GetProperty("completed").GetInt32());
    }

    private static List<string> Keys(List<JsonElement> pages, string key) =>
        [.. pages.SelectMany(page => page.GetProperty("items").EnumerateArray()).Select(item => item.GetProperty(key).GetString()!)];

    private async Task<List<string>> ObligationKindsOfAsync(string url)
    {
        var page = await GetJsonAsync(Scopes.ObligationsRead, url);
        return [.. page.GetProperty("items").EnumerateArray()
            .Where(o => o.GetProperty("familyId").GetString() == data.Late)
            .Select(o => $"{o.GetProperty("kind").GetString()} {o.GetProperty("status").GetString()} {o.GetProperty("dueOn").GetString()}")
            .Order(StringComparer.Ordinal)];
    }

    private async Task<List<string>> FamilyObligationKindsAsync(string instants)
    {
        var family = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.Late}?{instants}");
        return [.. family.GetProperty("family").GetProperty("obligations").EnumerateArray()
            .Select(o => $"{o.GetProperty("kind").GetString()} {o.GetProperty("status").GetString()} {o.GetProperty("dueOn").GetString()}")
            .Order(StringComparer.Ordinal)];
    }
}
