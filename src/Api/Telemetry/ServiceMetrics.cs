using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Api.Telemetry;

/// <summary>
/// The <c>YoungCarers</c> meter the service exports (with ASP.NET Core's, Kestrel's, Npgsql's and the
/// runtime's), and a hook for observed values such as projection lag or open and overdue obligations
/// by service: <c>ServiceMetrics.ObserveGauge("youngcarers.obligations.overdue", "{obligation}", "...", () => ...)</c>.
/// Instruments can equally be created on <see cref="Meter"/>, or on any meter named <see cref="MeterName"/>.
/// </summary>
public static class ServiceMetrics
{
    public const string MeterName = IngestMetrics.MeterName;

    private static readonly ConcurrentDictionary<string, ObservableGauge<long>> Gauges = new(StringComparer.Ordinal);
    private static long _quarantineOpen = -1;

    public static Meter Meter => IngestMetrics.Meter;

    /// <summary>The meters the service exports, subscribed to by name.</summary>
    public static IReadOnlyList<string> ExportedMeters { get; } =
    [
        MeterName,
        "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel",
        "Microsoft.AspNetCore.Routing",
        "Microsoft.AspNetCore.Diagnostics",
        "Microsoft.AspNetCore.RateLimiting",
        "Microsoft.AspNetCore.Authentication",
        "Microsoft.AspNetCore.Authorization",
        "Npgsql",
        "System.Runtime",
    ];

    /// <summary>
    /// A gauge read at each collection (keep <paramref name="observe"/> cheap: return values a background
    /// task keeps current). Registered once per name; a second call with the same name keeps the first.
    /// </summary>
    public static ObservableGauge<long> ObserveGauge(string name, string unit, string description, Func<IEnumerable<Measurement<long>>> observe) =>
        Gauges.GetOrAdd(name, _ => Meter.CreateObservableGauge(name, observe, unit, description));

    /// <summary>The open quarantine entries, as last counted (<c>youngcarers.quarantine.open</c>).</summary>
    internal static void SetQuarantineOpen(long count) => Interlocked.Exchange(ref _quarantineOpen, count);

    internal static void RegisterQuarantineGauge() =>
        ObserveGauge("youngcarers.quarantine.open", "{entry}", "Quarantine entries waiting for the integration team.", () =>
            Interlocked.Read(ref _quarantineOpen) is var open and >= 0 ? [new Measurement<long>(open)] : []);
}
