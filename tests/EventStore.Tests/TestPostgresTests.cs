using System.Diagnostics;
using YoungCarers.Testing;

namespace YoungCarers.EventStore.Tests;

public sealed class TestPostgresTests : IDisposable
{
    private readonly string _parent = Directory.CreateTempSubdirectory("yc-sweep-").FullName;

    [Fact]
    public async Task Clusters_of_ended_test_processes_are_deleted_and_those_of_running_ones_kept()
    {
        using var ended = Process.Start(new ProcessStartInfo("true"))!;
        ended.WaitForExit();
        var abandoned = Directory.CreateDirectory(Path.Combine(_parent, $"yc-test-pg-{ended.Id}-{Guid.NewGuid():N}")).FullName;
        File.WriteAllText(Path.Combine(abandoned, "PG_VERSION"), "15");
        var running = Directory.CreateDirectory(Path.Combine(_parent, $"yc-test-pg-{Environment.ProcessId}-{Guid.NewGuid():N}")).FullName;

        await TestPostgres.DeleteAbandonedClustersAsync(_parent);

        Assert.False(Directory.Exists(abandoned));
        Assert.True(Directory.Exists(running));
    }

    public void Dispose() => Directory.Delete(_parent, recursive: true);
}
