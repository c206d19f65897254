using System.Data;
using System.Text;
using Npgsql;

namespace YoungCarers.EventStore.Connections;

/// <summary>
/// Session advisory locks held by one connection: a leader's, a rebuild's, a migration's.
/// <para>
/// Releasing matters because closing a pooled connection does not end its session: Npgsql resets
/// the session only when the connection is next used, so a lock left held stays with the idle
/// connection and keeps every other connection out (this process's next leader included) until
/// that one connection happens to be reused or is pruned from the pool minutes later.
/// </para>
/// <para>
/// Releasing never fails: it runs in <c>finally</c> blocks, where a failure would hide the error
/// that ended the work, and a connection that has broken has ended its session, and its locks with it.
/// </para>
/// </summary>
public static class SessionLocks
{
    /// <summary>A stable 32-bit lock key for a name (FNV-1a of its UTF-8), the same in every process.</summary>
    public static int KeyOf(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(name))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return unchecked((int)hash);
    }

    /// <summary>Takes lock (<paramref name="space"/>, <paramref name="key"/>) if no other session holds it.</summary>
    public static async Task<bool> TryAcquireAsync(NpgsqlConnection connection, int space, int key, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(@space, @key)", connection);
        command.Parameters.AddWithValue("space", space);
        command.Parameters.AddWithValue("key", key);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Takes lock (<paramref name="space"/>, <paramref name="key"/>), polling until no other session holds it.</summary>
    public static async Task AcquireAsync(NpgsqlConnection connection, int space, int key, TimeSpan pollInterval, CancellationToken cancellationToken)
    {
        while (!await TryAcquireAsync(connection, space, key, cancellationToken))
        {
            await Task.Delay(pollInterval, cancellationToken);
        }
    }

    /// <summary>Ends this session's hold on lock (<paramref name="space"/>, <paramref name="key"/>).</summary>
    public static Task ReleaseAsync(NpgsqlConnection connection, int space, int key) =>
        ReleaseAsync(connection, "SELECT pg_advisory_unlock(@space, @key)", ("space", space), ("key", key));

    /// <summary>Ends this session's hold on the single-key lock <paramref name="key"/>.</summary>
    public static Task ReleaseAsync(NpgsqlConnection connection, long key) =>
        ReleaseAsync(connection, "SELECT pg_advisory_unlock(@key)", ("key", key));

    private static async Task ReleaseAsync(NpgsqlConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.State != ConnectionState.Open)
        {
            return;
        }

        try
        {
            await using var command = new NpgsqlCommand(sql, connection);
            foreach (var (name, value) in parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }

            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The connection failed now: it is discarded, and the lock ended with its session.
        }
    }
}
