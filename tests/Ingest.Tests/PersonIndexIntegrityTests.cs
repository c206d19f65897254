using Npgsql;
using YoungCarers.Ingest.Identity;
using YoungCarers.Testing;

namespace YoungCarers.Ingest.Tests;

/// <summary>
/// The identity locks cover identifier buckets, not persons: one transaction can attach an
/// identifier to a person (found through another identifier) while a second merges that person
/// away (reached through a third). No identifier may be left naming the deleted person.
/// </summary>
public sealed class PersonIndexIntegrityTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_merge_that_waits_for_an_attaching_transaction_moves_the_identifier_it_attached()
    {
        var (absorbed, kept) = await TwoPersonsAsync();
        var attached = NewIdentifier();

        await using var first = await database.DataSource.OpenConnectionAsync();
        await using var attaching = await first.BeginTransactionAsync();
        await ApplyAsync(attaching, Attach(attached, absorbed));
        await using var second = await database.DataSource.OpenConnectionAsync();
        await using var merging = await second.BeginTransactionAsync();
        var merge = ApplyAsync(merging, Merge(kept, absorbed));
        await WaitUntilBlockedAsync(second);
        await attaching.CommitAsync();
        await merge;
        await merging.CommitAsync();

        Assert.Equal(kept, await PersonNamedByAsync(attached));
    }

    [Fact]
    public async Task Attaching_an_identifier_to_a_person_a_concurrent_merge_deleted_fails_as_a_conflict_to_retry()
    {
        var (absorbed, kept) = await TwoPersonsAsync();
        var attached = NewIdentifier();

        await using var first = await database.DataSource.OpenConnectionAsync();
        await using var merging = await first.BeginTransactionAsync();
        await ApplyAsync(merging, Merge(kept, absorbed));
        await using var second = await database.DataSource.OpenConnectionAsync();
        await using var attaching = await second.BeginTransactionAsync();
        var attach = ApplyAsync(attaching, Attach(attached, absorbed));
        await WaitUntilBlockedAsync(second);
        await merging.CommitAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() => attach);
        Assert.Equal(PostgresErrorCodes.SerializationFailure, refused.SqlState);
        await attaching.RollbackAsync();
        Assert.Null(await PersonNamedByAsync(attached));
    }

    private static IdentityPlan Attach(IdentityKey identifier, Guid person) => new([], [], [(identifier, person)], [], [], []);

    private static IdentityPlan Merge(Guid kept, Guid absorbed) => new([], [], [], [new PersonMerge(kept, absorbed)], [], []);

    private static IdentityKey NewIdentifier() => new("system:LCS", $"integrity-{Guid.NewGuid():N}");

    /// <summary>Two persons of one family, each with an identifier of their own.</summary>
    private async Task<(Guid First, Guid Second)> TwoPersonsAsync()
    {
        var (first, second) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        var (firstKey, secondKey) = (NewIdentifier(), NewIdentifier());
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO persons (person_id, family_id) VALUES (@first, @family), (@second, @family);
            INSERT INTO person_identifiers (scheme, value, person_id)
            VALUES (@scheme, @first_value, @first), (@scheme, @second_value, @second);
            """);
        command.Parameters.AddWithValue("first", first);
        command.Parameters.AddWithValue("second", second);
        command.Parameters.AddWithValue("family", $"family-{Guid.NewGuid():N}");
        command.Parameters.AddWithValue("scheme", firstKey.Scheme);
        command.Parameters.AddWithValue("first_value", firstKey.Value);
        command.Parameters.AddWithValue("second_value", secondKey.Value);
        await command.ExecuteNonQueryAsync();
        return (first, second);
    }

    private static async Task ApplyAsync(NpgsqlTransaction transaction, IdentityPlan plan)
    {
        await using var batch = new NpgsqlBatch(transaction.Connection, transaction);
        foreach (var command in PersonIndex.ApplyCommands(plan, known: null))
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync();
    }

    /// <summary>Returns once the connection's statement waits for a lock another transaction holds.</summary>
    private async Task WaitUntilBlockedAsync(NpgsqlConnection connection)
    {
        var deadline = DateTime.UtcNow + Patience;
        await using var command = database.DataSource.CreateCommand("SELECT wait_event_type = 'Lock' FROM pg_stat_activity WHERE pid = @pid");
        command.Parameters.AddWithValue("pid", connection.ProcessID);
        while (await command.ExecuteScalarAsync() is not true)
        {
            Assert.True(DateTime.UtcNow < deadline, "The second transaction never waited for the first.");
            await Task.Delay(20);
        }
    }

    /// <summary>The person the identifier names, if it is stored; a person that no longer exists fails the test.</summary>
    private async Task<Guid?> PersonNamedByAsync(IdentityKey identifier)
    {
        await using var command = database.DataSource.CreateCommand("""
            SELECT i.person_id, EXISTS (SELECT 1 FROM persons p WHERE p.person_id = i.person_id)
            FROM person_identifiers i WHERE i.scheme = @scheme AND i.value = @value
            """);
        command.Parameters.AddWithValue("scheme", identifier.Scheme);
        command.Parameters.AddWithValue("value", identifier.Value);
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync())
        {
            return null;
        }

        Assert.True(reader.GetBoolean(1), "The identifier names a person who no longer exists.");
        return reader.GetGuid(0);
    }
}
