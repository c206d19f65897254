using Npgsql;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.Projections.Daemon;

namespace YoungCarers.Projections.ReadModel;

/// <summary>
/// The family read model as a projection: for each page of events, every live family the page
/// touched is re-evaluated from all its facts and its rows rewritten, in the daemon's transaction.
/// </summary>
public sealed class FamilyReadModelProjection(FamilyReadModel model) : IProjection
{
    public const string ProjectionName = "family-read-model";

    public string Name => ProjectionName;

    public Task ApplyAsync(IReadOnlyList<EventPointer> events, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        return model.RefreshAsync(events.Select(e => e.StreamId), connection, transaction, ReadModelSchema.Live, skipBusy: false, cancellationToken);
    }
}
