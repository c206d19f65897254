using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using YoungCarers.Testing;

namespace YoungCarers.Api.Tests;

public sealed class HealthTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture _database;

    public HealthTests(DatabaseFixture database) => _database = database;

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task A_service_with_a_reachable_database_is_live_and_ready_to_anonymous_probes(string path)
    {
        await using var service = Service(_database.ConnectionString);

        var response = await service.CreateClient().GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_service_whose_database_is_unreachable_is_live_but_not_ready()
    {
        await using var service = Service("Host=127.0.0.1;Port=1;Username=nobody;Timeout=2", migrateOnStartup: false);
        var client = service.CreateClient();

        var live = await client.GetAsync(new Uri("/health/live", UriKind.Relative));
        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    private static WebApplicationFactory<Program> Service(string connectionString, bool migrateOnStartup = true) =>
        TestAuth.Service(connectionString, ("EventStore:MigrateOnStartup", migrateOnStartup.ToString()));
}
