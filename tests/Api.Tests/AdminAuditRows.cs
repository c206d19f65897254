using Npgsql;

namespace YoungCarers.Api.Tests;

/// <summary>The admin audit as the tests read it.</summary>
internal static class AdminAuditRows
{
    /// <summary>The rows about <paramref name="target"/>, oldest first, each as the SQL expression <paramref name="row"/> (text) over admin_audit's columns.</summary>
    public static async Task<List<string>> AboutAsync(NpgsqlDataSource dataSource, string target, string row)
    {
        await using var command = dataSource.CreateCommand($"SELECT {row} FROM admin_audit WHERE target = @target ORDER BY id");
        command.Parameters.AddWithValue("target", target);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync())
        {
            rows.Add(reader.GetString(0));
        }

        return rows;
    }
}
