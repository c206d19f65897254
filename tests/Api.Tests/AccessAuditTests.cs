using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using YoungCarers.Api.Audit;
using YoungCarers.Api.Security;

namespace YoungCarers.Api.Tests;

public sealed class AccessAuditTests(SecuredService fixture) : IClassFixture<SecuredService>
{
    private AccessAudit Audit => fixture.Service.Services.GetRequiredService<AccessAudit>();

    [Theory]
    [InlineData("UPDATE access_audit SET purpose = 'tidied up' WHERE id = @id")]
    [InlineData("DELETE FROM access_audit WHERE id = @id")]
    [InlineData("DELETE FROM access_audit WHERE false")]
    [InlineData("TRUNCATE access_audit")]
    public async Task The_access_log_refuses_changes_even_through_the_services_own_connection(string sql)
    {
        var id = await Audit.RecordAsync(new AccessRecord("auditor-test", [Scopes.FamiliesRead], ["family-1"], "GET /families/{familyId}", "care planning", null));
        var dataSource = fixture.Service.Services.GetRequiredService<NpgsqlDataSource>();

        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        await using var count = dataSource.CreateCommand("SELECT purpose FROM access_audit WHERE id = @id");
        count.Parameters.AddWithValue("id", id);
        Assert.Equal("care planning", await count.ExecuteScalarAsync());
    }

    [Theory]
    [InlineData("UPDATE access_audit_family_lists SET family_ids = '{family-x,family-y}' WHERE digest = (SELECT family_list FROM access_audit WHERE id = @id)")]
    [InlineData("DELETE FROM access_audit_family_lists WHERE digest = (SELECT family_list FROM access_audit WHERE id = @id)")]
    [InlineData("TRUNCATE access_audit_family_lists")]
    public async Task The_family_lists_the_log_names_refuse_changes_too(string sql)
    {
        var id = await Audit.RecordAsync(new AccessRecord("auditor-test", [Scopes.ObligationsRead], ["family-l1", "family-l2"], "GET /obligations", "care planning", null));
        var dataSource = fixture.Service.Services.GetRequiredService<NpgsqlDataSource>();

        await using var command = dataSource.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        Assert.Equal(["family-l1", "family-l2"], Assert.Single((await Audit.ListAsync(new AccessAuditQuery(FamilyId: "family-l2", Client: "auditor-test"))).Items, entry => entry.Id == id).FamilyIds);
    }

    [Fact]
    public async Task Accesses_to_the_same_list_share_one_stored_list_and_each_is_found_by_any_of_its_families()
    {
        var client = $"poller-{Guid.NewGuid():N}";
        var page = new[] { $"family-{client}-1", $"family-{client}-2", $"family-{client}-3" };
        await using var writer = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance);

        // Concurrently, so that some share a batch (and so a statement) and others meet the list already committed.
        await Task.WhenAll(Enumerable.Range(0, 12).Select(n => writer.WriteAsync(
            [new AccessRecord(client, [Scopes.ObligationsRead], n % 3 == 2 ? page.Reverse().ToArray() : page, "GET /obligations", $"poll {n}", null)],
            DateTimeOffset.UtcNow, CancellationToken.None)));

        await using var lists = fixture.Database.DataSource.CreateCommand("SELECT count(*) FROM access_audit_family_lists WHERE family_ids && @page");
        lists.Parameters.AddWithValue("page", page);
        Assert.Equal(2L, await lists.ExecuteScalarAsync());
        var found = (await Audit.ListAsync(new AccessAuditQuery(FamilyId: page[1], Limit: AccessAudit.MaxPageSize))).Items;
        Assert.Equal(12, found.Count);
        Assert.All(found, entry => Assert.Equal(client, entry.Client));
        Assert.Equal(8, found.Count(entry => entry.FamilyIds.SequenceEqual(page)));
        Assert.Equal(4, found.Count(entry => entry.FamilyIds.SequenceEqual(page.Reverse())));
    }

    [Fact]
    public async Task An_access_logged_with_its_list_inline_before_lists_were_shared_is_still_listed_and_found_by_family()
    {
        var client = $"legacy-{Guid.NewGuid():N}";
        await using (var legacy = fixture.Database.DataSource.CreateCommand("""
            INSERT INTO access_audit (client, scopes, family_ids, resource, purpose)
            VALUES (@client, '{obligations:read}', '{family-legacy-1,family-legacy-2}', 'GET /obligations', 'review')
            """))
        {
            legacy.Parameters.AddWithValue("client", client);
            await legacy.ExecuteNonQueryAsync();
        }

        await Audit.RecordAsync(new AccessRecord(client, [Scopes.ObligationsRead], ["family-legacy-2", "family-legacy-3"], "GET /obligations", "review", null));
        await Audit.RecordAsync(new AccessRecord(client, [Scopes.FamiliesRead], ["family-legacy-2"], "GET /families/{familyId}", "review", null));

        // One entry a page, so that each page's cursor has to carry the search from one form to the next.
        var found = new List<AccessAuditEntry>();
        long? before = null;
        do
        {
            var page = await Audit.ListAsync(new AccessAuditQuery(FamilyId: "family-legacy-2", Client: client, Before: before, Limit: 1));
            found.AddRange(page.Items);
            before = page.NextCursor is null ? null : long.Parse(page.NextCursor, System.Globalization.CultureInfo.InvariantCulture);
        }
        while (before is not null && found.Count < 10);
        Assert.Equal([["family-legacy-2"], ["family-legacy-2", "family-legacy-3"], ["family-legacy-1", "family-legacy-2"]], found.Select(entry => entry.FamilyIds));
        Assert.Single((await Audit.ListAsync(new AccessAuditQuery(FamilyId: "family-legacy-1", Client: client))).Items);
    }

    [Fact]
    public async Task A_family_read_without_a_stated_purpose_is_refused_naming_the_header_and_nothing_is_returned_or_logged()
    {
        await using var app = await FamilyReadAppAsync();
        using var http = app.GetTestClient();

        var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/families/family-no-purpose").WithToken(TestAuth.Token(Scopes.FamiliesRead, "no-purpose-client")));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(AccessAudit.PurposeHeader, problem.GetProperty("header").GetString());
        Assert.Contains(AccessAudit.PurposeHeader, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await Audit.ListAsync(new AccessAuditQuery(Client: "no-purpose-client"))).Items);
    }

    [Fact]
    public async Task A_family_read_with_a_purpose_is_logged_with_caller_family_scopes_route_purpose_and_trace_before_the_data_is_returned()
    {
        await using var app = await FamilyReadAppAsync();
        using var http = app.GetTestClient();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/families/family-42").WithToken(TestAuth.Token($"{Scopes.FamiliesRead} {Scopes.ObligationsRead}", "case-system-a"));
        request.Headers.Add(AccessAudit.PurposeHeader, "  transition planning review  ");
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var entry = Assert.Single((await Audit.ListAsync(new AccessAuditQuery(Client: "case-system-a"))).Items);
        Assert.Equal(["family-42"], entry.FamilyIds);
        Assert.Equal(("GET /families/{familyId}", "transition planning review"), (entry.Resource, entry.Purpose));
        Assert.Equal([Scopes.FamiliesRead, Scopes.ObligationsRead], entry.Scopes);
        Assert.Matches("^[0-9a-f]{32}$", entry.TraceId);
        Assert.InRange(entry.At, before, DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task A_list_read_logs_one_access_naming_each_family_it_returns_found_by_any_of_them_and_an_unauthenticated_one_logs_nothing()
    {
        await using var app = await FamilyReadAppAsync();
        using var http = app.GetTestClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/families").WithToken(TestAuth.Token(Scopes.FamiliesRead, "dashboard-b"));
        request.Headers.Add(AccessAudit.PurposeHeader, "weekly caseload review");
        var listed = await http.SendAsync(request);
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/families/family-9");
        anonymous.Headers.Add(AccessAudit.PurposeHeader, "curiosity");
        var refused = await http.SendAsync(anonymous);

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var entry = Assert.Single((await Audit.ListAsync(new AccessAuditQuery(Client: "dashboard-b"))).Items);
        Assert.Equal(["family-a", "family-b"], entry.FamilyIds);
        Assert.Equal(entry.Id, Assert.Single((await Audit.ListAsync(new AccessAuditQuery(FamilyId: "family-b", Client: "dashboard-b"))).Items).Id);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Empty((await Audit.ListAsync(new AccessAuditQuery(FamilyId: "family-9"))).Items);
    }

    [Fact]
    public async Task The_integration_team_pages_through_the_log_newest_first_filtered_by_client_and_family()
    {
        var client = $"pager-{Guid.NewGuid():N}";
        await Audit.RecordAsync([.. Enumerable.Range(1, 5).Select(i => new AccessRecord(client, [Scopes.FamiliesRead], [i % 2 == 0 ? "family-even" : "family-odd"], "GET /families/{familyId}", $"purpose {i}", null))]);
        using var http = fixture.Service.ClientWith(Scopes.Admin);

        var pages = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var page = await http.GetFromJsonAsync<JsonElement>($"/audit/access?client={client}&limit=2{(cursor is null ? "" : $"&cursor={cursor}")}");
            pages.Add(page);
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && pages.Count < 10);
        var even = await http.GetFromJsonAsync<JsonElement>($"/audit/access?client={client}&familyId=family-even");
        var future = await http.GetFromJsonAsync<JsonElement>($"/audit/access?client={client}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");

        Assert.Equal(
            ["purpose 5", "purpose 4", "purpose 3", "purpose 2", "purpose 1"],
            pages.SelectMany(p => p.GetProperty("items").EnumerateArray()).Select(i => i.GetProperty("purpose").GetString()));
        Assert.True(pages.Count is 3 or 4);
        Assert.Equal(["purpose 4", "purpose 2"], even.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("purpose").GetString()));
        Assert.Equal(0, future.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_page_is_capped_and_a_bad_cursor_is_refused()
    {
        var client = $"bulk-{Guid.NewGuid():N}";
        await Audit.RecordAsync([.. Enumerable.Range(1, AccessAudit.MaxPageSize + 5).Select(i => new AccessRecord(client, [], [], "GET /families", "bulk", null))]);
        using var http = fixture.Service.ClientWith(Scopes.Admin);

        var page = await http.GetFromJsonAsync<JsonElement>($"/audit/access?client={client}&limit=100000");
        var bad = await http.GetAsync(new Uri("/audit/access?cursor=abc", UriKind.Relative));

        Assert.Equal(AccessAudit.MaxPageSize, page.GetProperty("items").GetArrayLength());
        Assert.NotNull(page.GetProperty("nextCursor").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Concurrent_family_reads_are_each_logged_exactly_once_with_their_own_trace()
    {
        await using var app = await FamilyReadAppAsync();
        using var http = app.GetTestClient();
        var client = $"concurrent-{Guid.NewGuid():N}";
        var token = TestAuth.Token(Scopes.FamiliesRead, client);

        var responses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"/families/family-c-{i}").WithToken(token);
            request.Headers.Add(AccessAudit.PurposeHeader, "caseload review");
            return (await http.SendAsync(request)).StatusCode;
        }));

        Assert.All(responses, status => Assert.Equal(HttpStatusCode.OK, status));
        var rows = (await Audit.ListAsync(new AccessAuditQuery(Client: client, Limit: AccessAudit.MaxPageSize))).Items;
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"family-c-{i}").Order(StringComparer.Ordinal), rows.Select(r => Assert.Single(r.FamilyIds)).Order(StringComparer.Ordinal));
        Assert.Equal(200, rows.Select(r => r.TraceId).Distinct().Count());
    }

    [Fact]
    public async Task A_read_whose_access_record_cannot_be_written_fails_and_returns_no_data()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(fixture.Database.ConnectionString) { Database = $"missing_{Guid.NewGuid():N}" };
        await using var dataSource = NpgsqlDataSource.Create(unreachable.ConnectionString);
        await using var app = await FamilyReadAppAsync(dataSource);
        using var http = app.GetTestClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/families/family-unlogged").WithToken(TestAuth.Token(Scopes.FamiliesRead, "unlogged-client"));
        request.Headers.Add(AccessAudit.PurposeHeader, "care planning");
        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.DoesNotContain("family-unlogged", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Records_queued_when_the_writer_stops_are_written_and_later_ones_are_refused()
    {
        var client = $"stopping-{Guid.NewGuid():N}";
        var writer = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance);
        var writes = Enumerable.Range(0, 50)
            .Select(i => writer.WriteAsync([new AccessRecord(client, [Scopes.FamiliesRead], [$"family-s-{i}"], "GET /families/{familyId}", "review", null)], DateTimeOffset.UtcNow, CancellationToken.None))
            .ToList();

        await writer.DisposeAsync();

        await Task.WhenAll(writes);
        Assert.Equal(50, (await Audit.ListAsync(new AccessAuditQuery(Client: client, Limit: AccessAudit.MaxPageSize))).Items.Count);
        await Assert.ThrowsAsync<ChannelClosedException>(() =>
            writer.WriteAsync([new AccessRecord(client, [], [], "GET /families", "review", null)], DateTimeOffset.UtcNow, CancellationToken.None));
    }

    [Fact]
    public async Task A_read_sent_with_its_record_runs_after_the_insert_in_the_same_transaction()
    {
        var client = $"reading-{Guid.NewGuid():N}";
        await using var writer = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance);
        var countOwnRecords = new AuditedRead("SELECT count(*) FROM access_audit WHERE client = @client", () => [new NpgsqlParameter<string>("client", client)]);

        var rows = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => writer.ReadAsync(
            [new AccessRecord(client, [Scopes.FamiliesRead], [$"family-r-{i}"], "GET /families/{familyId}", "review", null)], DateTimeOffset.UtcNow, countOwnRecords, CancellationToken.None)));

        // Each read saw at least its own, uncommitted, record: it ran in the insert's transaction, after it.
        Assert.All(rows, result => Assert.True((long)Assert.Single(result)[0]! >= 1));
        Assert.Equal(20, (await Audit.ListAsync(new AccessAuditQuery(Client: client, Limit: AccessAudit.MaxPageSize))).Items.Count);
    }

    [Fact]
    public async Task Page_reads_share_batches_with_records_and_each_gets_its_own_rows_and_a_record_of_the_families_it_shows()
    {
        var client = $"mixed-{Guid.NewGuid():N}";
        await using var writer = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance);
        // Two rows: as a page, the first is shown and the second read ahead for the cursor.
        static AuditedRead Read(int n, int shownRows) => new(
            "SELECT * FROM (VALUES ('family-p-' || @n, @n), ('family-ahead-' || @n, @n)) AS page(family_id, n)", () => [new NpgsqlParameter<int>("n", n)], shownRows);

        var results = await Task.WhenAll(Enumerable.Range(0, 40).Select(async n => (n, Rows: await writer.ReadAsync(
            n % 2 == 0
                ? [new AccessRecord(client, [Scopes.ObligationsRead], [], "GET /obligations", "review", null)]
                : [new AccessRecord(client, [Scopes.FamiliesRead], [$"family-m-{n}"], "GET /families/{familyId}", "review", null)],
            DateTimeOffset.UtcNow, Read(n, n % 2 == 0 ? 1 : 0), CancellationToken.None))));

        Assert.All(results, result => Assert.Equal([result.n, result.n], result.Rows.Select(row => (int)row[1]!)));
        var recorded = (await Audit.ListAsync(new AccessAuditQuery(Client: client, Limit: AccessAudit.MaxPageSize))).Items;
        Assert.Equal(
            Enumerable.Range(0, 40).Select(n => n % 2 == 0 ? $"family-p-{n}" : $"family-m-{n}").Order(StringComparer.Ordinal),
            recorded.Select(entry => Assert.Single(entry.FamilyIds)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Requests_too_large_to_share_a_batch_are_each_written_whole()
    {
        var client = $"large-{Guid.NewGuid():N}";
        await using var writer = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance);
        var perRequest = (AccessAuditWriter.MaxBatchFamilies / 2) + 1;

        await Task.WhenAll(Enumerable.Range(0, 4).Select(r => writer.WriteAsync(
            [new AccessRecord(client, [Scopes.ObligationsRead], [.. Enumerable.Range(0, perRequest).Select(i => $"family-{r}-{i}")], "GET /obligations", "review", null)],
            DateTimeOffset.UtcNow, CancellationToken.None)));

        await using var count = fixture.Database.DataSource.CreateCommand(
            "SELECT count(DISTINCT a.id), count(DISTINCT f) FROM access_audit_entries a CROSS JOIN LATERAL unnest(a.family_ids) f WHERE a.client = @client");
        count.Parameters.AddWithValue("client", client);
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((4L, 4L * perRequest), (reader.GetInt64(0), reader.GetInt64(1)));
    }

    [Fact]
    public async Task A_page_whose_record_cannot_be_committed_returns_nothing_and_the_writer_goes_on()
    {
        var client = $"page-after-failure-{Guid.NewGuid():N}";
        await using var writer = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance);
        var page = new AuditedRead("SELECT 'family-page-x', 'the page''s data'", () => [], ShownRows: 1);

        // A page's record is inserted after the page is read: a blank purpose fails that insert.
        await Assert.ThrowsAsync<PostgresException>(() => writer.ReadAsync(
            [new AccessRecord(client, [Scopes.ObligationsRead], [], "GET /obligations", " ", null)], DateTimeOffset.UtcNow, page, CancellationToken.None));
        var rows = await writer.ReadAsync(
            [new AccessRecord(client, [Scopes.ObligationsRead], [], "GET /obligations", "review", null)], DateTimeOffset.UtcNow, page, CancellationToken.None);

        Assert.Equal("family-page-x", Assert.Single(rows)[0]);
        var recorded = Assert.Single((await Audit.ListAsync(new AccessAuditQuery(Client: client, Limit: AccessAudit.MaxPageSize))).Items);
        Assert.Equal(["family-page-x"], recorded.FamilyIds);
    }

    [Fact]
    public async Task A_connection_the_server_ends_fails_at_most_one_batch_and_the_writer_goes_on()
    {
        var client = $"terminated-{Guid.NewGuid():N}";
        await using var writer = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance);
        var backend = new AuditedRead("SELECT pg_backend_pid()", () => []);
        Task<IReadOnlyList<object?[]>> ReadAsync() => writer.ReadAsync(
            [new AccessRecord(client, [Scopes.FamiliesRead], ["family-t"], "GET /families/{familyId}", "review", null)], DateTimeOffset.UtcNow, backend, CancellationToken.None);
        var served = (int)Assert.Single(await ReadAsync())[0]!;

        await using (var terminate = fixture.Database.DataSource.CreateCommand("SELECT pg_terminate_backend(@pid, 5000)"))
        {
            terminate.Parameters.AddWithValue("pid", served);
            Assert.Equal(true, await terminate.ExecuteScalarAsync());
        }

        var next = await Record.ExceptionAsync(ReadAsync);
        var after = (int)Assert.Single(await ReadAsync())[0]!;

        Assert.True(next is null or NpgsqlException, $"Unexpected failure: {next}");
        Assert.NotEqual(served, after);
        Assert.Equal(next is null ? 3 : 2, (await Audit.ListAsync(new AccessAuditQuery(Client: client))).Items.Count);
    }

    [Fact]
    public async Task The_writer_keeps_its_connection_between_batches_but_not_past_its_idle_limit()
    {
        var client = $"idle-{Guid.NewGuid():N}";
        var backend = new AuditedRead("SELECT pg_backend_pid()", () => []);
        async Task<List<int>> BackendsAsync(AccessAuditWriter writer, TimeSpan pause)
        {
            var backends = new List<int>();
            for (var i = 0; i < 3; i++)
            {
                await Task.Delay(pause);
                backends.Add((int)Assert.Single(await writer.ReadAsync(
                    [new AccessRecord(client, [Scopes.FamiliesRead], ["family-i"], "GET /families/{familyId}", "review", null)], DateTimeOffset.UtcNow, backend, CancellationToken.None))[0]!);
            }

            return backends;
        }

        await using (var keeping = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance))
        {
            Assert.Single((await BackendsAsync(keeping, TimeSpan.Zero)).Distinct());
        }

        await using var closing = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance, maxKeptIdle: TimeSpan.FromMilliseconds(50));
        Assert.Equal(3, (await BackendsAsync(closing, TimeSpan.FromMilliseconds(200))).Distinct().Count());
    }

    [Fact]
    public async Task A_read_whose_record_cannot_be_written_returns_nothing()
    {
        await using var writer = new AccessAuditWriter(fixture.Database.DataSource, NullLogger<AccessAuditWriter>.Instance);
        var family = new AuditedRead("SELECT 'the family''s data'", () => []);

        // A blank purpose breaks the table's check: the batch fails, so its read's rows never leave.
        await Assert.ThrowsAsync<PostgresException>(() => writer.ReadAsync(
            [new AccessRecord("blank-purpose", [Scopes.FamiliesRead], ["family-x"], "GET /families/{familyId}", " ", null)], DateTimeOffset.UtcNow, family, CancellationToken.None));
    }

    /// <summary>A host with the service's security and audit, and two family read endpoints as the read API will have them.</summary>
    private async Task<WebApplication> FamilyReadAppAsync(NpgsqlDataSource? auditDataSource = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:EventStore"] = fixture.Database.ConnectionString,
            ["Auth:SymmetricKeys:0"] = TestAuth.SigningKey,
        });
        builder.AddServiceSecurity();
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(auditDataSource ?? fixture.Database.DataSource);
        builder.Services.AddAccessAudit();
        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseServiceSecurity();
        app.MapGet("/families/{familyId}", (string familyId) => TypedResults.Ok(new { familyId }))
            .RequireAuthorization(Scopes.FamiliesRead)
            .WithAccessAudit();
        app.MapGet("/families", async (HttpContext context, AccessAudit audit) =>
            {
                string[] families = ["family-a", "family-b"];
                await audit.RecordAsync(context, families, context.RequestAborted);
                return TypedResults.Ok(families);
            })
            .RequireAuthorization(Scopes.FamiliesRead)
            .WithAccessAudit(familyIdRouteValue: null);
        await app.StartAsync();
        return app;
    }
}
