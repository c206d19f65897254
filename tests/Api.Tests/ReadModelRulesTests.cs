using System.Diagnostics;
using YoungCarers.Api.Security;
using YoungCarers.Projections.ReadModel;
using YoungCarers.Testing;

namespace YoungCarers.Api.Tests;

/// <summary>A database of its own: the check runs as a service starts, and its rebuild is the only one.</summary>
public sealed class ReadModelRulesTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task A_read_model_built_with_older_rules_is_rebuilt_when_the_service_starts_and_one_built_with_these_is_not()
    {
        await using (var first = TestAuth.Service(database.ConnectionString))
        {
            using var http = first.ClientWith(Scopes.Admin, "integration-team");
            var waited = Stopwatch.StartNew();
            while (await ReadModelRules.BuiltWithAsync(database.DataSource, CancellationToken.None) is null)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(30), "The first start recorded no rules version.");
                await Task.Delay(50);
            }
        }

        Assert.Equal(ReadModelRules.Current, await ReadModelRules.BuiltWithAsync(database.DataSource, CancellationToken.None));
        Assert.Equal(0L, await ScalarAsync<long>("SELECT count(*) FROM projection_rebuilds"));

        // As migration 0212 records a read model the previous release built.
        await ScalarAsync<int>("UPDATE read_model_rules SET version = 1 RETURNING version");
        await using var second = TestAuth.Service(database.ConnectionString);
        using var started = second.ClientWith(Scopes.Admin, "integration-team");

        var clock = Stopwatch.StartNew();
        string? status;
        while ((status = await ScalarAsync<string?>("SELECT status FROM projection_rebuilds WHERE requested_by LIKE 'service start:%'")) is null or "queued" or "running")
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), "Timed out waiting for the rebuild.");
            await Task.Delay(100);
        }

        Assert.Equal("succeeded", status);
        Assert.Equal(ReadModelRules.Current, await ReadModelRules.BuiltWithAsync(database.DataSource, CancellationToken.None));
        Assert.Equal(1L, await ScalarAsync<long>("SELECT count(*) FROM projection_rebuilds"));
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var command = database.DataSource.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync() is var value && value is not DBNull ? value : default(T))!;
    }
}
