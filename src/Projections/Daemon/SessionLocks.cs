using System.Data;
using Npgsql;

namespace YoungCarers.Projections.Daemon;

/// <summary>
/// Ends this session's hold on a session advisory lock (a leader's, or a rebuild's). Closing a
/// pooled connection does not end its session: Npgsql resets the session only when the connection
/// is next used, so a lock left held stays with the idle connection and keeps every other
/// connection out (this process's next leader or rebuild included) until that one connection
/// happens to be reused or is pruned from the pool minutes later.
/// </summary>
internal static class SessionLocks
{
    public static async Task ReleaseAsync(NpgsqlConnection connection, int space, int key)
    {
        if (connection.State != ConnectionState.Open)
        {
            // A broken connection is closed for good, and its session's locks go with it.
            return;
        }

        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(@space, @key)", connection);
            command.Parameters.AddWithValue("space", space);
            command.Parameters.AddWithValue("key", key);
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The connection failed now: it is discarded, and the lock ended with its session.
        }
    }
}
