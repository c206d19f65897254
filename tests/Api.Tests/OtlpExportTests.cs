using System.Net;
using Microsoft.Extensions.DependencyInjection;
using YoungCarers.Api.Security;
using YoungCarers.Api.Telemetry;
using YoungCarers.Testing;

namespace YoungCarers.Api.Tests;

/// <summary>
/// An OTLP meter provider listens to every meter named <c>YoungCarers</c> in the process, including
/// the meters of other test classes' hosts; OpenTelemetry treats same-named meters as one stream, so
/// a host disposing its meter while this provider shuts down can fail inside the SDK. A service has
/// one host per process, so this runs alone rather than beside other hosts.
/// </summary>
[Collection(nameof(OtlpExportRunsAlone))]
public sealed class OtlpExportTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task With_an_OTLP_endpoint_configured_the_service_builds_its_exporters_and_still_serves()
    {
        await using var service = TestAuth.Service(database.ConnectionString, ("OpenTelemetry:Endpoint", "http://127.0.0.1:4317"));
        using var http = service.ClientWith(Scopes.Admin);

        var response = await http.GetAsync(new Uri("/admin/quarantine", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var providers = service.Services.GetRequiredService<TelemetryProviders>();
        Assert.Equal("http://127.0.0.1:4317", providers.Endpoint);
    }
}

[CollectionDefinition(nameof(OtlpExportRunsAlone), DisableParallelization = true)]
public sealed class OtlpExportRunsAlone;
