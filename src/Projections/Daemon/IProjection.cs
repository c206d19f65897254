using Npgsql;
using YoungCarers.EventStore.AllEvents;

namespace YoungCarers.Projections.Daemon;

/// <summary>A read model kept up to date from the all-events order.</summary>
public interface IProjection
{
    /// <summary>Stable: it names the checkpoint and the leadership lock.</summary>
    string Name { get; }

    /// <summary>
    /// Applies a page of events, in order, inside the daemon's transaction; the daemon moves the
    /// checkpoint in the same transaction, so the page is applied exactly once or not at all. The
    /// page says where each event is; a projection reads what it needs of them in the transaction.
    /// </summary>
    Task ApplyAsync(IReadOnlyList<EventPointer> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken);
}
