using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using YoungCarers.Domain.Policy;
using YoungCarers.Projections.Deadlines;
using YoungCarers.Projections.TimeTravel;
using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

public sealed class RegistrationTests : IClassFixture<DatabaseFixture>
{
    private readonly DatabaseFixture _database;

    public RegistrationTests(DatabaseFixture database) => _database = database;

    [Fact]
    public async Task A_host_with_AddProjections_keeps_the_read_model_up_to_date_and_stops_cleanly()
    {
        var harness = new ReadModelHarness(_database, new ManualClock(Envelopes.Now));
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Projections:Daemon:PollInterval"] = "00:00:00.020",
            ["Projections:Deadlines:PollInterval"] = "00:00:00.020",
            ["Projections:Deadlines:BatchSize"] = "7",
        });
        builder.Services.AddSingleton(_database.DataSource);
        builder.Services.AddProjections(builder.Configuration);
        using var host = builder.Build();
        Assert.Equal(7, host.Services.GetRequiredService<DeadlineWorkerOptions>().BatchSize);
        Assert.Same(LocalPolicy.Default, host.Services.GetRequiredService<LocalPolicy>());
        Assert.NotNull(host.Services.GetRequiredService<FamilyTimeMachine>());

        await host.StartAsync();
        var (family, _, _) = await harness.NewFamilyAsync();
        await ReadModelHarness.WaitUntilAsync(async () => await harness.ScalarAsync<long>(
            "SELECT count(*) FROM read_model.families WHERE family_id = @id", ("id", family)) == 1);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(timeout.Token);
        Assert.False(timeout.IsCancellationRequested, "The hosted services did not stop promptly.");
    }

    [Fact]
    public void A_policy_file_is_read_and_an_invalid_one_stops_registration_with_a_clear_message()
    {
        var directory = Directory.CreateTempSubdirectory("yc-policy-");
        try
        {
            var good = Path.Combine(directory.FullName, "policy.yaml");
            File.WriteAllText(good, "version: barnet-2025-1\ntimescales:\n  young-carer-assessment: { workingDays: 35 }\n");
            var services = new ServiceCollection().AddProjections(Configuration(good));
            using (var provider = services.BuildServiceProvider())
            {
                Assert.Equal("barnet-2025-1", provider.GetRequiredService<LocalPolicy>().Version);
            }

            var bad = Path.Combine(directory.FullName, "bad.yaml");
            File.WriteAllText(bad, "version: x\nno-such-key: 1\n");
            var error = Assert.Throws<PolicyFileException>(() => new ServiceCollection().AddProjections(Configuration(bad)));
            Assert.Contains("no-such-key", error.Message, StringComparison.Ordinal);

            var missing = Assert.Throws<PolicyFileException>(() => new ServiceCollection().AddProjections(Configuration(Path.Combine(directory.FullName, "absent.yaml"))));
            Assert.Contains("absent.yaml", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static IConfiguration Configuration(string policyFile) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?> { [ProjectionsRegistration.PolicyFileKey] = policyFile, ["Projections:Enabled"] = "false" })
        .Build();
}
