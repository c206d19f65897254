using Npgsql;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.Projections.Daemon;

namespace YoungCarers.ProjectionHost;

/// <summary>
/// Applies the page with the real projection, then records each event's global sequence in
/// <paramref name="table"/> in the same transaction: kept exactly when the page's effects (and the
/// checkpoint) are, so a repeated sequence means an event was applied twice.
/// </summary>
internal sealed class AppliedLogProjection(IProjection inner, string table) : IProjection
{
    private readonly string _insert = $"INSERT INTO \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\" (seq) SELECT unnest(@seqs)";

    public string Name => inner.Name;

    public async Task ApplyAsync(IReadOnlyList<EventPointer> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await inner.ApplyAsync(events, connection, transaction, cancellationToken);
        await using var command = new NpgsqlCommand(_insert, connection, transaction);
        command.Parameters.AddWithValue("seqs", events.Select(e => e.Position.Sequence).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
