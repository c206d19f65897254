using Npgsql;
using YoungCarers.Testing;

namespace YoungCarers.Ingest.Tests;

public sealed class PersonIndexIntegrityTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task The_database_refuses_an_identifier_that_names_no_person()
    {
        // The identity locks cover identifier buckets, not persons: a concurrent merge can delete the
        // person a batch is attaching an identifier to, and only the key stops the identifier dangling.
        await using var command = database.DataSource.CreateCommand(
            "INSERT INTO person_identifiers (scheme, value, person_id) VALUES ('LCS', @value, gen_random_uuid())");
        command.Parameters.AddWithValue("value", $"orphan-{Guid.NewGuid():N}");

        var refused = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync());

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
    }
}
