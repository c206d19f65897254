using System.Diagnostics.Metrics;

namespace YoungCarers.Ingest.Pipeline;

/// <summary>
/// The service's <c>YoungCarers</c> meter and the ingest instruments on it. Other parts of the service
/// add their instruments to the same meter (<see cref="Meter"/>), or to any meter of the same name,
/// which the service's metrics export subscribes to by name.
/// </summary>
public static class IngestMetrics
{
    /// <summary>The name every YoungCarers instrument is published under.</summary>
    public const string MeterName = "YoungCarers";

    /// <summary>The shared meter; create further instruments on it (names <c>youngcarers.*</c>).</summary>
    public static Meter Meter { get; } = new(MeterName, typeof(IngestMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> EventsCounter = Meter.CreateCounter<long>(
        "youngcarers.ingest.events", "{event}", "Events submitted to the ingest pipeline, by outcome (accepted, duplicate, quarantined) and channel.");

    /// <summary>Counts each result once, tagged with its outcome and the channel it arrived by.</summary>
    public static void Record(IReadOnlyList<IngestResult> results, IReadOnlyList<InboundPayload> payloads)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(payloads);
        if (!EventsCounter.Enabled)
        {
            return;
        }

        for (var i = 0; i < results.Count; i++)
        {
            var outcome = results[i] switch
            {
                AcceptedResult => "accepted",
                DuplicateResult => "duplicate",
                QuarantinedResult => "quarantined",
                _ => "other",
            };
            EventsCounter.Add(1, new KeyValuePair<string, object?>("outcome", outcome), new KeyValuePair<string, object?>("channel", payloads[i].Arrival.Channel));
        }
    }
}
