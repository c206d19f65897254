using YoungCarers.Testing;

namespace YoungCarers.Projections.Tests;

public sealed class DeadlineWorkerTests : IClassFixture<DatabaseFixture>
{
    private readonly ReadModelHarness _harness;

    public DeadlineWorkerTests(DatabaseFixture database) =>
        _harness = new ReadModelHarness(database, new ManualClock(Envelopes.Now));

    [Fact]
    public async Task An_obligation_falls_overdue_at_its_deadline_with_no_new_event_once_and_across_restarts()
    {
        var (family, _, _) = await _harness.NewFamilyAsync();
        await _harness.RefreshAllAsync();
        var open = await OpenObligationsAsync(family);
        Assert.NotEmpty(open);
        var (id, deadline) = open.MinBy(o => o.Deadline);
        var due = await _harness.ScalarAsync<DateTime>("SELECT due_at FROM read_model.deadlines WHERE family_id = @id", ("id", family));
        Assert.True(due <= deadline.UtcDateTime, "The schedule must fire no later than the first deadline.");

        // Past the deadline: the worker re-evaluates with no new event.
        _harness.Clock.Now = deadline.AddMinutes(1);
        // Disposed however the test ends, so that a failure leaves no worker firing in the next test.
        using var worker = _harness.DeadlineWorker();
        await worker.StartAsync(CancellationToken.None);
        // The worker counts a fire once its commit returns, just after the rows are visible: wait for both.
        await ReadModelHarness.WaitUntilAsync(async () => await StatusAsync(family, id) == "overdue" && worker.FamiliesFired >= 1);
        var fired = worker.FamiliesFired;
        var next = await _harness.ScalarAsync<DateTime>("SELECT due_at FROM read_model.deadlines WHERE family_id = @id", ("id", family));
        Assert.True(next > _harness.Clock.Now.UtcDateTime, "The schedule moves on to the next change.");
        Assert.Contains("obligation-overdue", await _harness.RowsAsync("SELECT flag FROM read_model.flags WHERE family_id = @id", ("id", family)));

        // It does not fire again while nothing is due.
        await Task.Delay(300);
        Assert.Equal(fired, worker.FamiliesFired);
        await worker.StopAsync(CancellationToken.None);

        // A new worker (a restart) picks up the schedule where it was left.
        _harness.Clock.Now = new DateTimeOffset(next, TimeSpan.Zero).AddSeconds(1);
        using var restarted = _harness.DeadlineWorker();
        await restarted.StartAsync(CancellationToken.None);
        await ReadModelHarness.WaitUntilAsync(async () => restarted.FamiliesFired >= 1 && await _harness.ScalarAsync<DateTime>(
            "SELECT due_at FROM read_model.deadlines WHERE family_id = @id", ("id", family)) > _harness.Clock.Now.UtcDateTime);
        var firedAfterRestart = restarted.FamiliesFired;
        await Task.Delay(300);
        Assert.Equal(firedAfterRestart, restarted.FamiliesFired);
        await restarted.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task Two_workers_fire_each_due_family_once_between_them()
    {
        var families = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            families.Add((await _harness.NewFamilyAsync()).FamilyId);
        }

        await _harness.RefreshAllAsync();
        var latest = await _harness.ScalarAsync<DateTime>("SELECT max(due_at) FROM read_model.deadlines WHERE family_id = ANY(@ids)", ("ids", families.ToArray()));
        _harness.Clock.Now = new DateTimeOffset(latest, TimeSpan.Zero).AddSeconds(1);

        var dueNow = await _harness.ScalarAsync<long>("SELECT count(*) FROM read_model.deadlines WHERE due_at <= @now", ("now", _harness.Clock.Now));
        using var first = _harness.DeadlineWorker();
        using var second = _harness.DeadlineWorker();
        await Task.WhenAll(first.StartAsync(CancellationToken.None), second.StartAsync(CancellationToken.None));
        await ReadModelHarness.WaitUntilAsync(async () => await _harness.ScalarAsync<long>(
            "SELECT count(*) FROM read_model.deadlines WHERE due_at <= @now", ("now", _harness.Clock.Now)) == 0);
        await Task.Delay(300);
        await Task.WhenAll(first.StopAsync(CancellationToken.None), second.StopAsync(CancellationToken.None));

        // One worker leads, and each due family fired exactly once.
        Assert.True(dueNow >= families.Count);
        Assert.Equal(dueNow, first.FamiliesFired + second.FamiliesFired);
        Assert.True(first.FamiliesFired == 0 || second.FamiliesFired == 0, "Only the leader fires.");
    }

    private async Task<List<(string Id, DateTimeOffset Deadline)>> OpenObligationsAsync(string family)
    {
        await using var command = _harness.DataSource.CreateCommand(
            "SELECT obligation_id, deadline FROM read_model.obligations WHERE family_id = @id AND status = 'open'");
        command.Parameters.AddWithValue("id", family);
        var rows = new List<(string, DateTimeOffset)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1)));
        }

        return rows;
    }

    private Task<string?> StatusAsync(string family, string obligation) => _harness.ScalarAsync<string>(
        "SELECT status FROM read_model.obligations WHERE family_id = @f AND obligation_id = @o", ("f", family), ("o", obligation));
}
