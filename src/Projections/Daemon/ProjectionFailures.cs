using Npgsql;

namespace YoungCarers.Projections.Daemon;

/// <summary>
/// The <c>projection_failures</c> table: the current run of failed pages of each projection, so
/// that readiness on any instance can tell a projection that keeps failing from one that is busy.
/// </summary>
internal static class ProjectionFailures
{
    /// <summary>Adds a failed page to the projection's run (on its own connection: the page's may be broken).</summary>
    public static async Task RecordAsync(NpgsqlDataSource dataSource, string projection, Exception error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO projection_failures AS f (projection, consecutive_failures, first_failed_at, last_failed_at, error)
            VALUES (@projection, 1, now(), now(), @error)
            ON CONFLICT (projection) DO UPDATE
            SET consecutive_failures = f.consecutive_failures + 1, last_failed_at = excluded.last_failed_at, error = excluded.error
            """);
        command.Parameters.AddWithValue("projection", projection);
        command.Parameters.AddWithValue("error", Describe(error));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Ends the projection's run of failures, inside the transaction of a page that applied.</summary>
    public static async Task ClearAsync(string projection, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("DELETE FROM projection_failures WHERE projection = @projection", connection, transaction);
        command.Parameters.AddWithValue("projection", projection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The exception's type (and SQLSTATE), never its message: messages can quote the events' data.</summary>
    private static string Describe(Exception error)
    {
        var cause = error is ProjectionFailedException { InnerException: { } inner } ? inner : error;
        return cause is PostgresException postgres ? $"{nameof(PostgresException)} {postgres.SqlState}" : cause.GetType().Name;
    }
}
