using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using YoungCarers.Api.Audit;
using YoungCarers.Api.Security;
using YoungCarers.Api.Telemetry;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Projections.ReadModel;
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
        http.DefaultRequestHeaders.Add(AccessAudit.PurposeHeader, "quarantine triage");

        var response = await http.GetAsync(new Uri("/admin/quarantine/987654321", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);

        // The hosting layer stops the request's activity after the response has reached the client.
        bool Recorded()
        {
            lock (spans)
            {
                return spans.Exists(s => (string?)s.GetTagItem("youngcarers.client") == "span-client");
            }
        }

        for (var waited = 0; waited < 100 && !Recorded(); waited++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

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
        await using var service = TestAuth.Service(database.ConnectionString, ("OpenTelemetry:GaugeRefresh", "00:00:00.200"));
        using var http = service.ClientWith(Scopes.EventsWrite);
        var id = Guid.NewGuid().ToString("N")[..12];
        await http.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(
            Identified(id, Child($"c-{id}", nhs: "1234567890")), Encoding.UTF8, "application/cloudevents+json"));
        using var gauges = new GaugeReader(service);

        var observed = await gauges.EventuallyAsync("youngcarers.quarantine.open", [], value => value >= 1);

        Assert.True(observed >= 1, $"observed {observed}");
    }

    [Fact]
    public async Task A_gauge_nothing_collects_is_not_refreshed_from_the_database()
    {
        var databaseName = new NpgsqlConnectionStringBuilder(database.ConnectionString).Database;
        var refreshes = new ConcurrentQueue<string>();
        using var statements = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("db.namespace") as string == databaseName
                    && activity.GetTagItem("db.query.text") is string text
                    && text.Contains("FROM quarantine WHERE status = 'open'", StringComparison.Ordinal))
                {
                    refreshes.Enqueue(text);
                }
            },
        };
        ActivitySource.AddActivityListener(statements);
        await using var service = TestAuth.Service(database.ConnectionString, ("OpenTelemetry:GaugeRefresh", "00:00:00.100"));
        using var http = service.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);

        await Task.Delay(TimeSpan.FromSeconds(1));
        var unobserved = refreshes.Count;
        using var gauges = new GaugeReader(service);
        var observed = await gauges.EventuallyAsync("youngcarers.quarantine.open", [], value => value >= 0);

        Assert.Equal(0, unobserved);
        Assert.NotNull(observed);
        Assert.NotEmpty(refreshes);
    }

    [Fact]
    public async Task Projection_lag_is_observed_per_projection_from_the_database()
    {
        var own = new DatabaseFixture();
        await own.InitializeAsync();
        try
        {
            var tag = ("projection", FamilyReadModelProjection.ProjectionName);
            await using (var paused = TestAuth.Service(own.ConnectionString, ("Projections:Enabled", "false"), ("OpenTelemetry:GaugeRefresh", "00:00:00.200")))
            {
                using var http = paused.ClientWith(Scopes.EventsWrite);
                var id = Guid.NewGuid().ToString("N")[..12];
                var response = await http.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(
                    $"[{Identified($"{id}-1", Child($"c-{id}-1"))}, {Identified($"{id}-2", Child($"c-{id}-2"))}]", Encoding.UTF8, "application/cloudevents-batch+json"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await Task.Delay(1100);
                using var gauges = new GaugeReader(paused);

                Assert.Equal(2, await gauges.EventuallyAsync("youngcarers.projection.events_behind", [tag], value => value == 2));
                Assert.True(await gauges.EventuallyAsync("youngcarers.projection.lag", [tag], value => value >= 1) >= 1);
                Assert.Equal(0, gauges.Latest("youngcarers.projection.failures", [tag]));
            }

            await using var running = TestAuth.Service(own.ConnectionString, ("OpenTelemetry:GaugeRefresh", "00:00:00.200"));
            using var caughtUp = new GaugeReader(running);

            Assert.Equal(0, await caughtUp.EventuallyAsync("youngcarers.projection.events_behind", [tag], value => value == 0));
            Assert.Equal(0, await caughtUp.EventuallyAsync("youngcarers.projection.lag", [tag], value => value == 0));
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task Open_and_overdue_obligations_are_observed_by_owing_service_and_status()
    {
        var own = new DatabaseFixture();
        await own.InitializeAsync();
        try
        {
            await using var service = TestAuth.Service(own.ConnectionString, ("OpenTelemetry:GaugeRefresh", "00:00:00.200"));
            using var http = service.ClientWith(Scopes.EventsWrite);
            var id = Guid.NewGuid().ToString("N")[..12];
            // A school identified each young carer and the adult they care for: children's services
            // owe a young carer assessment (45 working days), adult services the offer of a needs
            // assessment (5). One was identified in March 2025, so both are long overdue; one today.
            var today = DateTime.UtcNow.AddHours(-1);
            var recent = Identified($"{id}-new", Child($"c-{id}-new"), Adult($"a-{id}-new"))
                .Replace("2025-03-04T10:15:00Z", today.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("2025-03-03", today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            var response = await http.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(
                $"[{Identified($"{id}-old", Child($"c-{id}-old"), Adult($"a-{id}-old"))}, {recent}]", Encoding.UTF8, "application/cloudevents-batch+json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var gauges = new GaugeReader(service);
            var adultOverdue = new[] { ("service", "adult-social-care"), ("status", "overdue") };

            Assert.Equal(1, await gauges.EventuallyAsync("youngcarers.obligations", adultOverdue, value => value == 1));
            Assert.Equal(1, gauges.Latest("youngcarers.obligations", [("service", "adult-social-care"), ("status", "open")]));
            Assert.Equal(1, gauges.Latest("youngcarers.obligations", [("service", "childrens-social-care"), ("status", "overdue")]));
            Assert.Equal(1, gauges.Latest("youngcarers.obligations", [("service", "childrens-social-care"), ("status", "open")]));
        }
        finally
        {
            await own.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_gauge_refresher_stopped_before_its_first_refresh_ends_normally_rather_than_cancelled()
    {
        await using var service = TestAuth.Service(database.ConnectionString);
        var settings = new SettingsRead();
        using var refresher = ActivatorUtilities.CreateInstance<DatabaseGaugeRefresher>(service.Services, new ConfigurationBuilder().Add(settings).Build());

        await refresher.StartAsync(CancellationToken.None);
        // Stopped once its task runs (it reads its settings first, then waits 5 s): stopped before, the task never runs at all.
        await settings.Read.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await refresher.StopAsync(CancellationToken.None);

        // The host logs a cancelled background task as "BackgroundService failed" when its own start failed (its port taken).
        Assert.True(refresher.ExecuteTask!.IsCompletedSuccessfully, $"The refresher's task ended {refresher.ExecuteTask.Status}.");
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
        // The exporter collects the database gauges, so they are refreshed.
        var gauges = service.Services.GetRequiredService<DatabaseGauges>();
        Assert.True(gauges.IsObserved(DatabaseGauges.QuarantineOpen));
        Assert.True(gauges.IsObserved(DatabaseGauges.Obligations));
        Assert.True(gauges.IsObserved(DatabaseGauges.ProjectionLag));
    }

    [Fact]
    public async Task Stopping_and_disposing_the_exporters_at_once_disposes_them_once()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var endpoint = new Uri("http://127.0.0.1:4317");
            var providers = new TelemetryProviders(
                Sdk.CreateTracerProviderBuilder().AddSource("race").AddOtlpExporter(options => options.Endpoint = endpoint).Build(),
                Sdk.CreateMeterProviderBuilder().AddMeter("race").AddOtlpExporter(options => options.Endpoint = endpoint).Build(),
                endpoint.ToString());
            using var start = new Barrier(2);

            await Task.WhenAll(
                Task.Run(() => { start.SignalAndWait(); return providers.StopAsync(CancellationToken.None); }),
                Task.Run(() => { start.SignalAndWait(); providers.Dispose(); }));
        }
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

    [Fact]
    public async Task A_log_line_written_while_handling_a_request_carries_its_trace_id_and_none_of_the_requests_personal_data()
    {
        var logs = new CapturedLogs();
        await using var service = TestAuth.Service(database.ConnectionString).WithWebHostBuilder(host => host
            .ConfigureLogging(logging => logging.AddProvider(logs))
            .ConfigureTestServices(services => services.AddSingleton<IIngestPipeline, UnreachableDatabasePipeline>()));
        using var http = service.ClientWith(Scopes.EventsWrite);
        var id = Guid.NewGuid().ToString("N")[..12];
        var nhsNumber = NhsNumber(6161);
        var child = Child($"c-{id}", nhs: nhsNumber, given: $"Zia{id}");

        var response = await http.PostAsync(new Uri("/events", UriKind.Relative), new StringContent(Identified(id, child), Encoding.UTF8, "application/cloudevents+json"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var traceId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("traceId").GetString();
        var written = logs.Lines.Where(line => line.Scopes.GetValueOrDefault("TraceId") == traceId).ToList();
        var failure = Assert.Single(written, line => line.Level == LogLevel.Error);
        Assert.Contains(nameof(NpgsqlException), failure.Exception, StringComparison.Ordinal);
        Assert.All(written, line =>
        {
            foreach (var personal in new[] { $"c-{id}", nhsNumber, $"Zia{id}", "Hughes", "2011-05-06" })
            {
                Assert.DoesNotContain(personal, line.Text, StringComparison.Ordinal);
            }
        });
    }

    /// <summary>A pipeline whose database cannot be reached.</summary>
    private sealed class UnreachableDatabasePipeline : IIngestPipeline
    {
        public Task<IReadOnlyList<IngestResult>> IngestAsync(IReadOnlyList<InboundPayload> payloads, CancellationToken cancellationToken = default) =>
            throw new NpgsqlException("Failed to connect to the event store.");
    }

    /// <summary>Settings that say when they are first read.</summary>
    private sealed class SettingsRead : ConfigurationProvider, IConfigurationSource
    {
        public TaskCompletionSource Read { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public IConfigurationProvider Build(IConfigurationBuilder builder) => this;

        public override bool TryGet(string key, out string? value)
        {
            Read.TrySetResult();
            return base.TryGet(key, out value);
        }
    }

    /// <summary>
    /// The latest value of each gauge on one host's meter (the meter its <see cref="IMeterFactory"/>
    /// made), so that services other test classes run at the same time cannot be read by mistake.
    /// </summary>
    private sealed class GaugeReader : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, double> _latest = new(StringComparer.Ordinal);

        public GaugeReader(WebApplicationFactory<Program> service)
        {
            var scope = service.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == scope && instrument.Meter.Name == ServiceMetrics.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
            _listener.Start();
        }

        /// <summary>The gauge's value with exactly these tags at the latest collection, or null.</summary>
        public double? Latest(string gauge, (string Key, string Value)[] tags)
        {
            _listener.RecordObservableInstruments();
            lock (_latest)
            {
                return _latest.TryGetValue(Key(gauge, tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value))), out var value) ? value : null;
            }
        }

        /// <summary>Collects every 100 ms until the value satisfies <paramref name="expected"/> (30 s at most), and returns the last one.</summary>
        public async Task<double?> EventuallyAsync(string gauge, (string Key, string Value)[] tags, Func<double, bool> expected)
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            var value = Latest(gauge, tags);
            while (!(value is { } v && expected(v)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
                value = Latest(gauge, tags);
            }

            return value;
        }

        public void Dispose() => _listener.Dispose();

        private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = Key(instrument.Name, tags.ToArray());
            lock (_latest)
            {
                _latest[key] = value;
            }
        }

        private static string Key(string gauge, IEnumerable<KeyValuePair<string, object?>> tags) =>
            $"{gauge}|{string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={t.Value}"))}";
    }
}
