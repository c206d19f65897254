using System.Diagnostics.Metrics;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Api.Telemetry;

/// <summary>
/// The <c>YoungCarers</c> meter the service exports, with ASP.NET Core's, Kestrel's, Npgsql's and the
/// runtime's. Ingest counts on the shared <see cref="Meter"/>; the gauges read from the database
/// (<see cref="DatabaseGauges"/>) are on each host's meter of the same name, which the export also
/// subscribes to.
/// </summary>
public static class ServiceMetrics
{
    public const string MeterName = IngestMetrics.MeterName;

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
}
