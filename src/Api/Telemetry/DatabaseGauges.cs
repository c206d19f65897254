using System.Diagnostics.Metrics;
using YoungCarers.Api.Health;
using YoungCarers.Domain.Family;

namespace YoungCarers.Api.Telemetry;

/// <summary>
/// The gauges whose values come from the database, on this host's <c>YoungCarers</c> meter. A
/// collection only reads the values <see cref="DatabaseGaugeRefresher"/> last stored: it never
/// queries. Before the first refresh a gauge reports nothing rather than a made-up zero, and a
/// gauge nothing listens to is not refreshed and keeps no value that could go stale.
/// </summary>
internal sealed class DatabaseGauges
{
    public const string QuarantineOpen = "youngcarers.quarantine.open";
    public const string Obligations = "youngcarers.obligations";
    public const string ProjectionEventsBehind = "youngcarers.projection.events_behind";
    public const string ProjectionLag = "youngcarers.projection.lag";
    public const string ProjectionFailures = "youngcarers.projection.failures";

    /// <summary>The obligation statuses counted: the ones that still ask something of a service.</summary>
    public static readonly IReadOnlyList<string> CountedStatuses = ["open", "overdue"];

    private volatile Measurement<long>[] _quarantineOpen = [];
    private volatile Measurement<long>[] _obligations = [];
    private volatile Measurement<long>[] _eventsBehind = [];
    private volatile Measurement<double>[] _lag = [];
    private volatile Measurement<long>[] _failures = [];

    private readonly Instrument _quarantineOpenGauge;
    private readonly Instrument _obligationsGauge;
    private readonly Instrument[] _projectionGauges;

    public DatabaseGauges(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(ServiceMetrics.MeterName);
        _quarantineOpenGauge = meter.CreateObservableGauge(QuarantineOpen, () => _quarantineOpen, "{entry}", "Quarantine entries waiting for the integration team.");
        _obligationsGauge = meter.CreateObservableGauge(Obligations, () => _obligations, "{obligation}", "Obligations open or overdue in the read model, by the service that owes them (service) and status.");
        _projectionGauges =
        [
            meter.CreateObservableGauge(ProjectionEventsBehind, () => _eventsBehind, "{event}", "Readable events a projection has not applied yet, by projection."),
            meter.CreateObservableGauge(ProjectionLag, () => _lag, "s", "Age of the oldest event a projection has not applied yet (0 when caught up), by projection."),
            meter.CreateObservableGauge(ProjectionFailures, () => _failures, "{failure}", "Consecutive failed pages of a projection (0 once a page applies), by projection."),
        ];
    }

    /// <summary>
    /// Whether an exporter or another listener (such as <c>dotnet-counters</c>) collects the gauge:
    /// <see cref="QuarantineOpen"/>, <see cref="Obligations"/>, or <see cref="ProjectionLag"/> for
    /// the three projection gauges, which one query refreshes.
    /// </summary>
    public bool IsObserved(string gauge) => gauge switch
    {
        QuarantineOpen => _quarantineOpenGauge.Enabled,
        Obligations => _obligationsGauge.Enabled,
        ProjectionLag => Array.Exists(_projectionGauges, instrument => instrument.Enabled),
        _ => throw new ArgumentOutOfRangeException(nameof(gauge), gauge, "Not a gauge refreshed from the database."),
    };

    /// <summary>Drops what the gauge (as for <see cref="IsObserved"/>) last stored, so a listener that comes later sees nothing until the next refresh.</summary>
    public void Forget(string gauge)
    {
        switch (gauge)
        {
            case QuarantineOpen:
                _quarantineOpen = [];
                break;
            case Obligations:
                _obligations = [];
                break;
            case ProjectionLag:
                (_eventsBehind, _lag, _failures) = ([], [], []);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(gauge), gauge, "Not a gauge refreshed from the database.");
        }
    }

    public void SetQuarantineOpen(long count) => _quarantineOpen = [new(count)];

    /// <summary>Every service and counted status is reported, with zero where the read model has none.</summary>
    public void SetObligations(IReadOnlyDictionary<(string Service, string Status), long> counts)
    {
        var services = counts.Keys.Select(k => k.Service).Union(Services.All, StringComparer.Ordinal);
        _obligations =
        [
            .. from service in services
               from status in CountedStatuses
               select new Measurement<long>(counts.GetValueOrDefault((service, status)), Tag("service", service), Tag("status", status)),
        ];
    }

    public void SetProjections(IReadOnlyList<ProjectionStatus> statuses)
    {
        _eventsBehind = [.. statuses.Select(s => new Measurement<long>(s.EventsBehind, Tag("projection", s.Projection)))];
        _lag = [.. statuses.Select(s => new Measurement<double>(s.Lag.TotalSeconds, Tag("projection", s.Projection)))];
        _failures = [.. statuses.Select(s => new Measurement<long>(s.ConsecutiveFailures, Tag("projection", s.Projection)))];
    }

    private static KeyValuePair<string, object?> Tag(string key, string value) => new(key, value);
}
