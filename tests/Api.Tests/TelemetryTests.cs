using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using YoungCarers.Api.Security;
using YoungCarers.Api.Telemetry;
using YoungCarers.Testing;
using static YoungCarers.Testing.Envelopes;

namespace YoungCarers.Api.Tests;

public sealed class TelemetryTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Ingest_outcomes_are_counted_on_the_YoungCarers_meter()
    {
        var counted = new List<(long Value, string Outcome, string Channel)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServiceMetrics.MeterName && instrument.Name == "youngcarers.ingest.events")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var tagged = tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString());
            lock (counted)
            {
                counted.Add((value, tagged["outcome"]!, tagged["channel"]!));
            }
        });
        listener.Start();
        await using var service = TestAuth.Service(database.ConnectionString);
        using var http = service.ClientWith(Scopes.EventsWrite);
        var id = Guid.NewGuid().ToString("N")[..12];

        var response = await http.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(
            $"[{Identified(id, Child($"c-{id}"))}, {Identified($"{id}-bad", Child($"c-{id}", nhs: "1234567890"))}, {Identified(id, Child($"c-{id}"))}]",
            Encoding.UTF8, "application/cloudevents-batch+json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        lock (counted)
        {
            Assert.Contains((1L, "accepted", "http"), counted);
            Assert.Contains((1L, "quarantined", "http"), counted);
            Assert.Contains((1L, "duplicate", "http"), counted);
        }
    }

    [Fact]
    public async Task Request_spans_are_named_after_the_route_and_tagged_with_route_status_and_client()
    {
        var spans = new List<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await using var service = TestAuth.Service(database.ConnectionString);
        using var http = service.ClientWith(Scopes.Admin, "span-client");

        var response = await http.GetAsync(new Uri("/admin/quarantine/987654321", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        lock (spans)
        {
            var span = Assert.Single(spans, s => (string?)s.GetTagItem("youngcarers.client") == "span-client");
            Assert.Equal("GET /admin/quarantine/{id:long}", span.DisplayName);
            Assert.Equal("/admin/quarantine/{id:long}", span.GetTagItem("http.route"));
            Assert.Equal(404, span.GetTagItem("http.response.status_code"));
        }
    }

    [Fact]
    public async Task The_open_quarantine_count_is_observed_as_a_gauge()
    {
        await using var service = TestAuth.Service(database.ConnectionString, ("OpenTelemetry:QuarantineRefresh", "00:00:00.200"));
        using var http = service.ClientWith(Scopes.EventsWrite);
        var id = Guid.NewGuid().ToString("N")[..12];
        await http.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(
            Identified(id, Child($"c-{id}", nhs: "1234567890")), Encoding.UTF8, "application/cloudevents+json"));
        long? observed = null;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServiceMetrics.MeterName && instrument.Name == "youngcarers.quarantine.open")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => observed = value);
        listener.Start();

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((observed ?? 0) < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
            listener.RecordObservableInstruments();
        }

        Assert.True(observed >= 1, $"observed {observed}");
    }

    [Fact]
    public async Task With_an_OTLP_endpoint_configured_the_service_builds_its_exporters_and_still_serves()
    {
        await using var service = TestAuth.Service(database.ConnectionString, ("OpenTelemetry:Endpoint", "http://127.0.0.1:4317"));
        using var http = service.ClientWith(Scopes.Admin);

        var response = await http.GetAsync(new Uri("/admin/quarantine", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var providers = service.Services.GetRequiredService<TelemetryProviders>();
        Assert.Equal("http://127.0.0.1:4317", providers.Endpoint);
    }

    [Fact]
    public async Task Without_an_endpoint_nothing_is_exported()
    {
        await using var service = TestAuth.Service(database.ConnectionString);
        _ = service.Services;

        Assert.Null(service.Services.GetService<TelemetryProviders>());
    }

    [Fact]
    public async Task Problem_details_carry_the_requests_trace_id_and_not_the_request()
    {
        await using var service = TestAuth.Service(database.ConnectionString);
        using var http = service.ClientWith(Scopes.EventsWrite);

        var response = await http.PostAsync(new Uri("/events", UriKind.Relative), new StringContent("<child name=\"Jo\"/>", Encoding.UTF8, "application/xml"));

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
        Assert.DoesNotContain("Jo", problem.GetRawText(), StringComparison.Ordinal);
    }
}
