using System.Data.Common;
using Npgsql;

namespace YoungCarers.EventStore.Connections;

/// <summary>
/// The Npgsql settings of the service's data sources (and of the benchmarks that run its code)
/// where the connection string leaves them unset: its commands are a small fixed set run on every
/// request, so preparing them once per connection saves PostgreSQL parsing and planning them again
/// each time. An ingest batch sends the server hundreds of
/// kilobytes (its events' COPY, the identifier arrays), so a larger write buffer sends them in
/// fewer system calls than Npgsql's 8 KiB.
/// </summary>
public static class DataSourceDefaults
{
    public const int MaxAutoPrepare = 64;

    public const int AutoPrepareMinUsages = 2;

    public const int WriteBufferSize = 64 * 1024;

    /// <summary>The connection string with the defaults added for each setting it does not give itself.</summary>
    public static string Apply(string connectionString)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString }.Keys
            .Cast<string>()
            .Select(Normalise)
            .ToHashSet(StringComparer.Ordinal);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (!given.Contains(Normalise(nameof(NpgsqlConnectionStringBuilder.MaxAutoPrepare))))
        {
            builder.MaxAutoPrepare = MaxAutoPrepare;
        }

        if (!given.Contains(Normalise(nameof(NpgsqlConnectionStringBuilder.AutoPrepareMinUsages))))
        {
            builder.AutoPrepareMinUsages = AutoPrepareMinUsages;
        }

        if (!given.Contains(Normalise(nameof(NpgsqlConnectionStringBuilder.WriteBufferSize))))
        {
            builder.WriteBufferSize = WriteBufferSize;
        }

        return builder.ConnectionString;
    }

    // Npgsql takes a setting's keyword with or without spaces, in any case.
    private static string Normalise(string keyword) => keyword.Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
}
