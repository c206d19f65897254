using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Microsoft.AspNetCore.Http;
using YoungCarers.Api.Audit;
using YoungCarers.Api.Reads;
using YoungCarers.Api.Security;
using YoungCarers.Projections.ReadModel;

namespace YoungCarers.Api.Tests;

public sealed partial class ReadApiTests(ReadApiFixture data) : IClassFixture<ReadApiFixture>
{
    private const string Purpose = "case review";

    [Fact]
    public async Task Family_reads_need_a_token_the_families_scope_and_a_purpose()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(null, $"/families/{data.YoungCarer}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(Scopes.ObligationsRead, $"/families/{data.YoungCarer}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(Scopes.FamiliesRead, "/obligations")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(Scopes.FamiliesRead, "/audit/indicators?from=2025-01-01&to=2026-01-01")).StatusCode);
        var noPurpose = await SendAsync(Scopes.FamiliesRead, $"/families/{data.YoungCarer}", purpose: null);
        Assert.Equal(HttpStatusCode.BadRequest, noPurpose.StatusCode);
        Assert.Equal("application/problem+json", noPurpose.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Each audited read, with the one scope that may make it.</summary>
    public static TheoryData<string, string> AuditedReads => new()
    {
        { "/families/{family}", Scopes.FamiliesRead },
        { "/families/{family}/timeline", Scopes.FamiliesRead },
        { "/families?flag=obligation-overdue", Scopes.FamiliesRead },
        { "/obligations?status=overdue", Scopes.ObligationsRead },
        { "/disputes?status=open", Scopes.FamiliesRead },
        { "/people?system=LCS&id=RC-ca-1", Scopes.FamiliesRead },
        { "/young-carers?turning18Before=2030-01-01", Scopes.FamiliesRead },
        { "/audit/indicators?from=2025-01-01&to=2026-01-01", Scopes.Admin },
    };

    [Theory]
    [MemberData(nameof(AuditedReads))]
    public async Task Every_read_needs_its_scope_and_is_recorded_with_the_stated_purpose(string route, string scope)
    {
        var url = route.Replace("{family}", data.YoungCarer, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(null, url)).StatusCode);
        foreach (var other in Scopes.All.Where(s => s != scope))
        {
            var refused = await SendAsync(other, url);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }

        var client = $"reader-{Guid.NewGuid():N}";
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(scope, url, client, purpose: null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(scope, url, client, purpose: "statutory return")).StatusCode);
        var rows = await AuditRowsAsync(client);
        Assert.NotEmpty(rows);
        Assert.All(rows, row => Assert.Equal("statutory return", row.Purpose));
        Assert.All(rows, row => Assert.Equal("GET " + route.Split('?')[0].Replace("{family}", "{familyId}", StringComparison.Ordinal), row.Resource));
    }

    [Fact]
    public async Task A_family_is_read_live_with_members_obligations_and_flags_and_the_read_is_audited()
    {
        var client = $"reader-{Guid.NewGuid():N}";
        var response = await SendAsync(Scopes.FamiliesRead, $"/families/{data.YoungCarer}", client: client);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(data.YoungCarer, body.GetProperty("familyId").GetString());
        Assert.False(body.GetProperty("answeredBySurvivor").GetBoolean());
        var family = body.GetProperty("family");
        var carer = family.GetProperty("members").EnumerateArray().Single(m => m.GetProperty("givenName").GetString() == ReadApiFixture.YoungCarerName);
        Assert.Equal("2011-05-06", carer.GetProperty("birthDate").GetString());
        Assert.Contains("young-carer", carer.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.NotEmpty(family.GetProperty("obligations").EnumerateArray());
        Assert.NotEmpty(family.GetProperty("flags").EnumerateArray());
        Assert.All(family.GetProperty("flags").EnumerateArray(), flag => Assert.NotEmpty(flag.GetProperty("basis").GetString()!));
        Assert.Contains(family.GetProperty("disputes").EnumerateArray(), d => d.GetProperty("disputeId").GetString() == ReadApiFixture.DisputeId);

        var rows = await AuditRowsAsync(client);
        Assert.Contains(rows, row => row.FamilyId == data.YoungCarer && row.Purpose == Purpose && row.Resource == "GET /families/{familyId}");
    }

    [Fact]
    public async Task A_live_family_is_served_as_stored_with_the_same_content_the_typed_document_has()
    {
        var body = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.YoungCarer}");
        await using var connection = new NpgsqlConnection(data.Service.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT document::text FROM read_model.families WHERE family_id = @id", connection);
        command.Parameters.AddWithValue("id", data.YoungCarer);
        var stored = (string)(await command.ExecuteScalarAsync())!;

        var typed = JsonSerializer.SerializeToElement(FamilyDocuments.FromJson(stored), JsonSerializerOptions.Web);
        Assert.True(JsonElement.DeepEquals(typed, body.GetProperty("family")), body.GetProperty("family").GetRawText());
        Assert.Equal(
            (data.YoungCarer, data.YoungCarer, false, JsonValueKind.Null, JsonValueKind.Null),
            (body.GetProperty("requestedFamilyId").GetString(), body.GetProperty("familyId").GetString(), body.GetProperty("answeredBySurvivor").GetBoolean(),
                body.GetProperty("asOf").ValueKind, body.GetProperty("knownAt").ValueKind));
    }

    [Fact]
    public async Task A_repeated_read_with_the_etag_is_not_modified()
    {
        var first = await SendAsync(Scopes.FamiliesRead, $"/families/{data.YoungCarer}");
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);

        var second = await SendAsync(Scopes.FamiliesRead, $"/families/{data.YoungCarer}", configure: r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, second.StatusCode);
        var other = await SendAsync(Scopes.FamiliesRead, $"/families/{data.YoungCarer}", configure: r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"stale\"")));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Theory]
    [MemberData(nameof(AuditedReads))]
    [InlineData("/families/{family}?asOf=2025-04-01T00:00:00Z", Scopes.FamiliesRead)]
    [InlineData("/audit/access?client=nobody-reads-this", Scopes.Admin)]
    public async Task Every_read_is_tagged_and_a_repeat_with_its_etag_is_304_without_a_body_and_still_audited(string route, string scope)
    {
        var url = route.Replace("{family}", data.YoungCarer, StringComparison.Ordinal);
        var client = $"reader-{Guid.NewGuid():N}";
        var first = await SendAsync(scope, url, client);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var etag = first.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);
        Assert.Equal((true, true), (first.Headers.CacheControl?.Private, first.Headers.CacheControl?.NoCache));
        var auditedOnce = (await AuditRowsAsync(client)).Count;

        var repeated = await SendAsync(scope, url, client, configure: r => r.Headers.IfNoneMatch.Add(etag));
        Assert.Equal(HttpStatusCode.NotModified, repeated.StatusCode);
        Assert.Empty(await repeated.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, repeated.Headers.ETag);
        Assert.Equal(2 * auditedOnce, (await AuditRowsAsync(client)).Count);

        foreach (var form in new[] { $"W/{etag.Tag}", $"\"other\", {etag.Tag}", "*" })
        {
            Assert.Equal(HttpStatusCode.NotModified, (await SendAsync(scope, url, client, configure: r => r.Headers.TryAddWithoutValidation("If-None-Match", form))).StatusCode);
        }

        var stale = await SendAsync(scope, url, client, configure: r => r.Headers.IfNoneMatch.Add(new EntityTagHeaderValue("\"0123456789abcdef0123456789abcdef\"")));
        Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        Assert.Equal(etag, stale.Headers.ETag);
        Assert.NotEmpty(await stale.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task A_new_dispute_changes_the_etag_of_the_family_timeline_and_the_disputes_list()
    {
        var timeline = $"/families/{data.Survivor}/timeline";
        const string disputes = "/disputes?status=open&limit=200";
        var timelineTag = (await SendAsync(Scopes.FamiliesRead, timeline)).Headers.ETag!;
        var disputesTag = (await SendAsync(Scopes.FamiliesRead, disputes)).Headers.ETag!;

        await data.RaiseDisputeAsync(data.Survivor, $"D-etag-{Guid.NewGuid():N}");

        var changedTimeline = await ChangedAsync(timeline, timelineTag);
        Assert.NotEqual(timelineTag, changedTimeline.Headers.ETag);
        Assert.Contains((await changedTimeline.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").EnumerateArray(),
            e => e.GetProperty("type").GetString() == YoungCarers.Domain.Families.DisputeRaised.TypeName);
        var changedDisputes = await ChangedAsync(disputes, disputesTag);
        Assert.NotEqual(disputesTag, changedDisputes.Headers.ETag);
        Assert.Equal(HttpStatusCode.NotModified, (await SendAsync(Scopes.FamiliesRead, disputes, configure: r => r.Headers.IfNoneMatch.Add(changedDisputes.Headers.ETag!))).StatusCode);
    }

    [Fact]
    public async Task A_body_serialised_once_for_its_tag_is_byte_for_byte_what_the_framework_would_write()
    {
        var services = data.Service.Service.Services;
        async Task<byte[]> WrittenAsync(Func<HttpContext, IResult> result)
        {
            var context = new DefaultHttpContext { RequestServices = services };
            using var body = new MemoryStream();
            context.Response.Body = body;
            await result(context).ExecuteAsync(context);
            return body.ToArray();
        }

        var disputes = new Page<DisputeSummary>(
            [new DisputeSummary("family-1", "dispute-1", "open", "need-ownership", "adult-social-care", new DateTimeOffset(2025, 3, 4, 9, 0, 0, TimeSpan.Zero), 2,
                "Heads of service", new DateTimeOffset(2025, 3, 18, 17, 0, 0, TimeSpan.Zero), true, "not-agreed", null, "policy-1 \"quoted\" <b>")],
            "next");
        var indicators = new IndicatorsResponse(new DateOnly(2025, 1, 1), new DateOnly(2026, 1, 1), DateTimeOffset.UnixEpoch,
            new ChildrenRecordedIndicator(3, 2, 0.6667m), new WorkingDaysIndicator(0, null, null), [], [new StageCount(1, "Practitioners", 4)], new TransitionIndicator(0, 0, null));

        Assert.Equal(await WrittenAsync(_ => TypedResults.Ok(disputes)), await WrittenAsync(context => JsonBytesResult.Ok(context, disputes)));
        Assert.Equal(await WrittenAsync(_ => TypedResults.Ok(indicators)), await WrittenAsync(context => JsonBytesResult.Ok(context, indicators)));
    }

    [Fact]
    public async Task A_merged_family_id_answers_with_the_survivor_and_says_so()
    {
        var client = $"reader-{Guid.NewGuid():N}";
        var body = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.Absorbed}", client);

        Assert.Equal(data.Absorbed, body.GetProperty("requestedFamilyId").GetString());
        Assert.Equal(data.Survivor, body.GetProperty("familyId").GetString());
        Assert.True(body.GetProperty("answeredBySurvivor").GetBoolean());
        Assert.Contains(body.GetProperty("family").GetProperty("members").EnumerateArray(), m => m.GetProperty("givenName").GetString() == "Tomasz");
        var audited = (await AuditRowsAsync(client)).Select(row => row.FamilyId).ToList();
        Assert.Contains(data.Absorbed, audited);
        Assert.Contains(data.Survivor, audited);

        var timeline = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.Absorbed}/timeline");
        Assert.Equal(data.Survivor, timeline.GetProperty("familyId").GetString());
        var streams = timeline.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("familyId").GetString()).ToHashSet();
        Assert.Contains(data.Absorbed, streams);
        Assert.Contains(data.Survivor, streams);
    }

    [Fact]
    public async Task An_unknown_family_is_404_problem_details_with_a_trace_id()
    {
        var response = await SendAsync(Scopes.FamiliesRead, "/families/no-such-family");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("traceId", out _));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(Scopes.FamiliesRead, "/families/no-such-family/timeline")).StatusCode);
    }

    [Fact]
    public async Task A_late_event_changes_as_of_answers_but_not_what_the_service_knew_before_it_arrived()
    {
        var knownAt = Uri.EscapeDataString(data.BeforeLateEvent.ToString("O"));

        var now = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.Late}/timeline");
        var types = now.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(["adult.referral.received.v1", "partner.young-carer.identified.v1"], types);

        var then = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.Late}/timeline?knownAt={knownAt}");
        Assert.Equal(["partner.young-carer.identified.v1"], then.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("type").GetString()));

        var asOf = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.Late}?asOf=2025-02-25T00:00:00Z");
        Assert.Equal(2, asOf.GetProperty("family").GetProperty("members").GetArrayLength());
        Assert.Equal("2025-02-25T00:00:00+00:00", asOf.GetProperty("asOf").GetString());

        var asOfKnownBefore = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.Late}?asOf=2025-02-25T00:00:00Z&knownAt={knownAt}");
        Assert.Equal(0, asOfKnownBefore.GetProperty("family").GetProperty("members").GetArrayLength());
    }

    [Fact]
    public async Task A_timeline_pages_with_a_cursor_and_refuses_a_forged_one()
    {
        var first = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.Late}/timeline?limit=1");
        Assert.Equal(1, first.GetProperty("items").GetArrayLength());
        var cursor = first.GetProperty("nextCursor").GetString()!;

        var second = await GetJsonAsync(Scopes.FamiliesRead, $"/families/{data.Late}/timeline?limit=1&cursor={cursor}");
        Assert.Equal("partner.young-carer.identified.v1", second.GetProperty("items")[0].GetProperty("type").GetString());
        Assert.Equal(1, second.GetProperty("items")[0].GetProperty("streamVersion").GetInt64());

        var forged = await SendAsync(Scopes.FamiliesRead, $"/families/{data.Late}/timeline?cursor=not-a-cursor");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task Families_are_listed_by_flag_page_by_page_and_each_one_returned_is_audited()
    {
        var client = $"reader-{Guid.NewGuid():N}";
        var pages = await AllPagesAsync(Scopes.FamiliesRead, "/families?flag=obligation-overdue&limit=1", client);
        Assert.All(pages, page => Assert.True(page.GetProperty("items").GetArrayLength() <= 1));
        var seen = pages.SelectMany(page => page.GetProperty("items").EnumerateArray()).Select(f => f.GetProperty("familyId").GetString()!).ToList();

        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Contains(data.YoungCarer, seen);
        Assert.DoesNotContain(data.Absorbed, seen);
        var audited = (await AuditRowsAsync(client)).Select(row => row.FamilyId).OfType<string>().Order().ToList();
        Assert.Equal(seen.Order(), audited);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.FamiliesRead, "/families?flag=not-a-flag")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.FamiliesRead, "/families")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.FamiliesRead, "/families?service=housing")).StatusCode);
    }

    [Fact]
    public async Task A_flag_about_both_services_is_found_by_either_and_one_about_one_service_only_by_that_one()
    {
        async Task<List<JsonElement>> FamiliesAsync(string flag, string service) =>
            [.. (await AllPagesAsync(Scopes.FamiliesRead, $"/families?flag={flag}&service={service}", "test-client")).SelectMany(page => page.GetProperty("items").EnumerateArray())];

        // The survivor's young carers were identified long ago and neither service is involved with them.
        foreach (var service in new[] { "adult-social-care", "childrens-social-care" })
        {
            var falling = Assert.Single(await FamiliesAsync("falls-between-services", service), f => f.GetProperty("familyId").GetString() == data.Survivor);
            Assert.All(falling.GetProperty("flags").EnumerateArray(), flag => Assert.Equal(
                ["adult-social-care", "childrens-social-care"], flag.GetProperty("services").EnumerateArray().Select(s => s.GetString())));
        }

        // The late family's only overdue obligation is children's social care's.
        Assert.Contains(await FamiliesAsync("obligation-overdue", "childrens-social-care"), f => f.GetProperty("familyId").GetString() == data.Late);
        Assert.DoesNotContain(await FamiliesAsync("obligation-overdue", "adult-social-care"), f => f.GetProperty("familyId").GetString() == data.Late);
    }

    [Fact]
    public async Task An_obligations_only_caller_never_sees_a_name_birth_date_or_identifier()
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var response = await SendAsync(Scopes.ObligationsRead, $"/obligations?limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            var texts = VisibleTexts(page).ToList();
            foreach (var personal in new[]
            {
                ReadApiFixture.YoungCarerName, "Maya", "Tomasz", "Dawn", "Hughes", "2011-05-06", ReadApiFixture.YoungCarerNhs,
                ReadApiFixture.YoungCarerId, "RC-", "RA-", "system:", "nhs:", "givenName", "birthDate", "personKey", "identifiers",
            })
            {
                Assert.DoesNotContain(texts, text => text.Contains(personal, StringComparison.OrdinalIgnoreCase));
            }

            items.AddRange(page.GetProperty("items").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        Assert.True(items.Count >= 4);
        Assert.Equal(items.Count, items.Select(i => i.GetProperty("obligationRef").GetString()).Distinct().Count());
        Assert.Contains(items, i => i.GetProperty("familyId").GetString() == data.YoungCarer && i.GetProperty("kind").GetString() == "young-carer-assessment");
    }

    [Fact]
    public async Task An_obligations_page_is_logged_as_one_access_naming_each_family_on_it_and_found_by_any_of_them()
    {
        var client = $"obligations-{Guid.NewGuid():N}";
        var page = await GetJsonAsync(Scopes.ObligationsRead, "/obligations?limit=200", client);
        var families = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("familyId").GetString()!).Distinct().Order(StringComparer.Ordinal).ToList();
        using var admin = data.Service.Service.ClientWith(Scopes.Admin);

        var logged = await admin.GetFromJsonAsync<JsonElement>($"/audit/access?client={client}");

        Assert.True(families.Count >= 2);
        var entry = Assert.Single(logged.GetProperty("items").EnumerateArray());
        Assert.Equal(families, entry.GetProperty("familyIds").EnumerateArray().Select(f => f.GetString()!).Order(StringComparer.Ordinal));
        Assert.Equal("GET /obligations", entry.GetProperty("resource").GetString());
        foreach (var family in families)
        {
            var found = await admin.GetFromJsonAsync<JsonElement>($"/audit/access?client={client}&familyId={family}");
            Assert.Equal(entry.GetProperty("id").GetInt64(), Assert.Single(found.GetProperty("items").EnumerateArray()).GetProperty("id").GetInt64());
        }
    }

    [Fact]
    public async Task Each_obligations_page_logs_the_families_it_shows_and_not_the_one_read_ahead_for_the_next_cursor()
    {
        var client = $"obligation-pages-{Guid.NewGuid():N}";
        var shown = (await AllPagesAsync(Scopes.ObligationsRead, "/obligations?limit=1", client))
            .Select(page => Assert.Single(page.GetProperty("items").EnumerateArray()).GetProperty("familyId").GetString()!)
            .ToList();

        Assert.True(shown.Distinct().Count() >= 2);
        var logged = (await AuditRowsAsync(client)).Select(row => row.FamilyId).ToList();
        Assert.Equal(shown.Order(StringComparer.Ordinal), logged.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Every_obligation_on_a_page_carries_its_own_stored_basis_whatever_the_page_size()
    {
        var stored = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = data.Service.Database.DataSource.CreateCommand($"SELECT ref, basis FROM {Reads.ReadStore.Schema}.obligations"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetString(0), reader.GetString(1));
            }
        }

        foreach (var limit in new[] { 1, 3, 200 })
        {
            var items = (await AllPagesAsync(Scopes.ObligationsRead, $"/obligations?limit={limit}", "test-client"))
                .SelectMany(page => page.GetProperty("items").EnumerateArray())
                .Select(item => (Ref: item.GetProperty("obligationRef").GetString()!, Basis: item.GetProperty("basis").GetString()))
                .ToList();

            Assert.Equal(stored.Keys.Order(StringComparer.Ordinal), items.Select(item => item.Ref).Order(StringComparer.Ordinal));
            Assert.All(items, item => Assert.Equal(stored[item.Ref], item.Basis));
        }
    }

    [Fact]
    public async Task Obligations_filter_by_status_service_and_due_date_and_refuse_bad_filters()
    {
        var page = await GetJsonAsync(Scopes.ObligationsRead, "/obligations?status=overdue&owedBy=childrens-social-care&dueBefore=2030-01-01&limit=200");

        Assert.NotEmpty(page.GetProperty("items").EnumerateArray());
        Assert.All(page.GetProperty("items").EnumerateArray(), item =>
        {
            Assert.Equal("overdue", item.GetProperty("status").GetString());
            Assert.Equal("childrens-social-care", item.GetProperty("owedBy").GetString());
            Assert.True(DateOnly.Parse(item.GetProperty("dueOn").GetString()!, System.Globalization.CultureInfo.InvariantCulture) < new DateOnly(2030, 1, 1));
        });
        Assert.Empty((await GetJsonAsync(Scopes.ObligationsRead, "/obligations?dueBefore=2000-01-01")).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.ObligationsRead, "/obligations?status=late")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.ObligationsRead, "/obligations?owedBy=police")).StatusCode);
        var unbound = await SendAsync(Scopes.ObligationsRead, "/obligations?dueBefore=yesterday");
        Assert.Equal(HttpStatusCode.BadRequest, unbound.StatusCode);
        Assert.Equal("application/problem+json", unbound.Content.Headers.ContentType?.MediaType);
        Assert.True((await unbound.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("traceId", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.FamiliesRead, $"/families/{data.YoungCarer}?asOf=last-week")).StatusCode);
    }

    [Fact]
    public async Task Open_disputes_are_listed_with_stage_deadline_and_interim_lead()
    {
        var page = await GetJsonAsync(Scopes.FamiliesRead, "/disputes?status=open");

        var dispute = page.GetProperty("items").EnumerateArray().Single(d => d.GetProperty("disputeId").GetString() == ReadApiFixture.DisputeId);
        Assert.Equal(data.YoungCarer, dispute.GetProperty("familyId").GetString());
        Assert.Equal(1, dispute.GetProperty("stage").GetInt32());
        Assert.False(string.IsNullOrEmpty(dispute.GetProperty("stageName").GetString()));
        Assert.EndsWith("+00:00", dispute.GetProperty("stageDeadline").GetString(), StringComparison.Ordinal);
        Assert.Equal("need-ownership", dispute.GetProperty("subject").GetString());
        Assert.False(string.IsNullOrEmpty(dispute.GetProperty("interimLeadStatus").GetString()));
        Assert.Empty((await GetJsonAsync(Scopes.FamiliesRead, "/disputes?status=resolved")).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.FamiliesRead, "/disputes?status=closed")).StatusCode);
    }

    [Theory]
    [InlineData("/disputes?status=open", 1)]
    [InlineData("/disputes?status=open", 2)]
    [InlineData("/young-carers?turning18Before=2030-01-01", 1)]
    [InlineData("/young-carers?turning18Before=2030-01-01", 2)]
    public async Task Following_next_cursors_through_small_pages_gives_exactly_the_items_of_one_big_page(string url, int limit)
    {
        var whole = await GetJsonAsync(Scopes.FamiliesRead, $"{url}&limit={ReadPaging.MaxLimit}");
        Assert.Equal(JsonValueKind.Null, whole.GetProperty("nextCursor").ValueKind);
        var expected = whole.GetProperty("items").EnumerateArray().Select(item => item.GetRawText()).ToList();
        Assert.True(expected.Count > limit, $"{url} needs more than {limit} items to page through; it has {expected.Count}.");

        var pages = await AllPagesAsync(Scopes.FamiliesRead, $"{url}&limit={limit}", "test-client");

        Assert.All(pages, page => Assert.InRange(page.GetProperty("items").GetArrayLength(), 1, limit));
        Assert.Equal(expected, pages.SelectMany(page => page.GetProperty("items").EnumerateArray()).Select(item => item.GetRawText()));
    }

    [Theory]
    [InlineData("/disputes?status=open", Scopes.FamiliesRead)]
    [InlineData("/obligations?status=overdue", Scopes.ObligationsRead)]
    [InlineData("/families/{family}/timeline?asOf=2030-01-01T00:00:00Z", Scopes.FamiliesRead)]
    public async Task A_page_size_beyond_the_maximum_is_served_as_the_maximum_and_one_below_1_as_1(string route, string scope)
    {
        Assert.Equal((ReadPaging.MaxLimit, 1, 1, ReadPaging.DefaultLimit), (ReadPaging.Limit(1000), ReadPaging.Limit(0), ReadPaging.Limit(-5), ReadPaging.Limit(null)));
        var url = route.Replace("{family}", data.YoungCarer, StringComparison.Ordinal);

        var asked = await SendAsync(scope, $"{url}&limit=1000");
        var maximum = await SendAsync(scope, $"{url}&limit={ReadPaging.MaxLimit}");
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.True((await asked.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items").GetArrayLength() <= ReadPaging.MaxLimit);
        Assert.Equal(maximum.Headers.ETag, asked.Headers.ETag);

        var least = await GetJsonAsync(scope, $"{url}&limit=0");
        Assert.Equal(1, least.GetProperty("items").GetArrayLength());
        Assert.NotEqual(JsonValueKind.Null, least.GetProperty("nextCursor").ValueKind);
    }

    [Fact]
    public async Task A_person_is_found_in_their_live_family_by_case_system_id_or_nhs_number()
    {
        var byNhs = await GetJsonAsync(Scopes.FamiliesRead, $"/people?nhsNumber={ReadApiFixture.YoungCarerNhs}");
        Assert.Equal(data.YoungCarer, byNhs.GetProperty("familyId").GetString());

        var merged = await GetJsonAsync(Scopes.FamiliesRead, "/people?system=LCS&id=RC-cc-1");
        Assert.Equal(data.Survivor, merged.GetProperty("familyId").GetString());

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(Scopes.FamiliesRead, "/people?system=LCS&id=nobody")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.FamiliesRead, $"/people?system=LCS&id=x&nhsNumber={ReadApiFixture.YoungCarerNhs}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.FamiliesRead, "/people?nhsNumber=12345")).StatusCode);
        var missing = await SendAsync(Scopes.FamiliesRead, "/people?system=LCS&id=nobody");
        Assert.DoesNotContain("nobody", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Young_carers_approaching_18_are_listed_with_their_transition_assessment()
    {
        var soon = await GetJsonAsync(Scopes.FamiliesRead, "/young-carers?turning18Before=2030-01-01");
        var carer = soon.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("givenName").GetString() == ReadApiFixture.YoungCarerName);
        Assert.Equal(data.YoungCarer, carer.GetProperty("familyId").GetString());
        Assert.Equal("2029-05-06", carer.GetProperty("turnsEighteenOn").GetString());

        var later = await GetJsonAsync(Scopes.FamiliesRead, "/young-carers?turning18Before=2029-05-06");
        Assert.DoesNotContain(later.GetProperty("items").EnumerateArray(), c => c.GetProperty("givenName").GetString() == ReadApiFixture.YoungCarerName);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.FamiliesRead, "/young-carers")).StatusCode);
    }

    [Fact]
    public async Task An_indicator_period_given_as_instants_is_refused_naming_the_parameter_and_the_date_format()
    {
        var from = await SendAsync(Scopes.Admin, "/audit/indicators?from=2025-01-01T00:00:00Z&to=2026-01-01");
        var to = await SendAsync(Scopes.Admin, "/audit/indicators?from=2025-01-01&to=2026-01-01T00:00:00Z");

        foreach (var (response, parameter) in new[] { (from, "from"), (to, "to") })
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
            Assert.Contains("yyyy-mm-dd", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Taken as text to be checked, they are still dates in the OpenAPI document.
        using var http = data.Service.Service.CreateClient();
        var document = JsonDocument.Parse(await http.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;
        var parameters = document.GetProperty("paths").GetProperty("/audit/indicators").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Where(p => p.GetProperty("in").GetString() == "query").ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema").GetProperty("format").GetString());
        Assert.Equal(new Dictionary<string, string?> { ["from"] = "date", ["to"] = "date", ["asOf"] = "date-time", ["knownAt"] = "date-time" }, parameters);
    }

    [Fact]
    public async Task Indicators_are_computed_for_a_period_for_admins()
    {
        var indicators = await GetJsonAsync(Scopes.Admin, "/audit/indicators?from=2025-01-01&to=2026-01-01");

        Assert.Equal("2025-01-01", indicators.GetProperty("from").GetString());
        var services = indicators.GetProperty("obligationsMetOnTimeByService").EnumerateArray().Select(s => s.GetProperty("service").GetString()).ToList();
        Assert.Equal(["adult-social-care", "childrens-social-care"], services);
        Assert.True(indicators.GetProperty("obligationsMetOnTimeByService")[1].GetProperty("due").GetInt32() >= 3);
        var assessments = indicators.GetProperty("identificationToYoungCarerAssessment");
        Assert.Equal(1, assessments.GetProperty("count").GetInt32());
        Assert.Equal(5m, assessments.GetProperty("median").GetDecimal());
        Assert.Equal(5m, assessments.GetProperty("percentile90").GetDecimal());
        var recording = indicators.GetProperty("adultAssessmentsRecordingChildren");
        Assert.Equal(1, recording.GetProperty("completed").GetInt32());
        Assert.Equal(1m, recording.GetProperty("share").GetDecimal());
        Assert.Equal(0, (await GetJsonAsync(Scopes.Admin, "/audit/indicators?from=2024-01-01&to=2025-01-01")).GetProperty("adultAssessmentsRecordingChildren").GetProperty("completed").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(Scopes.Admin, "/audit/indicators?from=2026-01-01&to=2025-01-01")).StatusCode);
    }

    [Theory]
    [InlineData(new[] { 3 }, 0.5, 3)]
    [InlineData(new[] { 1, 2, 3, 4 }, 0.5, 2.5)]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, 0.9, 9.1)]
    public void Percentiles_interpolate_between_ranks(int[] sorted, double p, double expected) =>
        Assert.Equal((decimal)expected, Reads.IndicatorEndpoints.Percentile(sorted, (decimal)p));

    // A cursor is base64url, so a name can turn up in its letters by chance (CI once found "Dawn"): what it carries is checked decoded.
    private static IEnumerable<string> VisibleTexts(JsonElement element, string? propertyName = null)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    yield return property.Name;
                    foreach (var text in VisibleTexts(property.Value, property.Name))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (var text in element.EnumerateArray().SelectMany(item => VisibleTexts(item)))
                {
                    yield return text;
                }

                break;
            case JsonValueKind.String when propertyName == "nextCursor":
                yield return System.Text.Encoding.UTF8.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(element.GetString()));
                break;
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
            default:
                yield return element.GetRawText();
                break;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string? scopes, string url, string client = "test-client", string? purpose = Purpose, Action<HttpRequestMessage>? configure = null)
    {
        using var http = data.Service.Service.ClientWith(scopes, client);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(url, UriKind.Relative));
        if (purpose is not null)
        {
            request.Headers.Add(AccessAudit.PurposeHeader, purpose);
        }

        configure?.Invoke(request);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private async Task<JsonElement> GetJsonAsync(string scopes, string url, string client = "test-client")
    {
        var response = await SendAsync(scopes, url, client);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary>Every page of a cursor-paged list, from the first, following each page's nextCursor.</summary>
    private async Task<List<JsonElement>> AllPagesAsync(string scopes, string url, string client)
    {
        var pages = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await GetJsonAsync(scopes, cursor is null ? url : $"{url}&cursor={cursor}", client);
            pages.Add(page);
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);

        return pages;
    }

    /// <summary>The read once it no longer matches <paramref name="etag"/> (the projection catches up in the background).</summary>
    private async Task<HttpResponseMessage> ChangedAsync(string url, EntityTagHeaderValue etag)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var response = await SendAsync(Scopes.FamiliesRead, url, configure: r => r.Headers.IfNoneMatch.Add(etag));
            if (response.StatusCode != HttpStatusCode.NotModified)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                return response;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{url} still matched {etag}.");
    }

    private async Task<List<(string? FamilyId, string Purpose, string Resource)>> AuditRowsAsync(string client)
    {
        await using var connection = new NpgsqlConnection(data.Service.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT f, a.purpose, a.resource
            FROM access_audit_entries a LEFT JOIN LATERAL unnest(a.family_ids) f ON true
            WHERE a.client = @client
            """, connection);
        command.Parameters.AddWithValue("client", client);
        var rows = new List<(string?, string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.IsDBNull(0) ? null : reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        }

        return rows;
    }
}
