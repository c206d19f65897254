using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using YoungCarers.Api.Security;
using YoungCarers.Api.Telemetry;
using YoungCarers.Testing;

namespace YoungCarers.Api.Tests;

/// <summary>What the service exports reaches an OTLP receiver: here, one of the test's own on a local port, over HTTP/protobuf.</summary>
public sealed class OtlpExportTests(DatabaseFixture database) : IClassFixture<DatabaseFixture>
{
    [Fact]
    public async Task Request_spans_and_the_services_metrics_reach_the_configured_otlp_receiver()
    {
        using var receiver = new OtlpReceiver();
        await using var service = TestAuth.Service(
            database.ConnectionString,
            ("OpenTelemetry:Endpoint", receiver.Address),
            ("OpenTelemetry:Protocol", "http/protobuf"),
            ("OpenTelemetry:GaugeRefresh", "00:00:00.200"));
        using var http = service.ClientWith(Scopes.Admin, "otlp-client");

        var response = await http.GetAsync(new Uri("/admin/quarantine", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var providers = service.Services.GetRequiredService<TelemetryProviders>();
        string[] gauges = ["youngcarers.quarantine.open", "youngcarers.obligations", "youngcarers.projection.lag"];
        bool Exported() => receiver.Holds("/v1/traces", "/admin/quarantine") && gauges.All(gauge => receiver.Holds("/v1/metrics", gauge));

        // The request's span ends after its response, and a gauge has a value only once refreshed from the database: flush until both are out.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!Exported() && DateTime.UtcNow < deadline)
        {
            Assert.True(providers.TracerProvider.ForceFlush(5_000));
            Assert.True(providers.MeterProvider.ForceFlush(5_000));
            await Task.Delay(100);
        }

        Assert.True(receiver.Holds("/v1/traces", "/admin/quarantine"), "no exported span names the route");
        Assert.True(receiver.Holds("/v1/traces", "otlp-client"), "no exported span carries the client");
        Assert.All(gauges, gauge => Assert.True(receiver.Holds("/v1/metrics", gauge), $"{gauge} was not exported"));
    }

    /// <summary>
    /// Takes OTLP/HTTP exports and keeps their bodies by path. Protobuf writes strings as their UTF-8
    /// bytes, so a name in an export can be found in its body without decoding the rest.
    /// </summary>
    private sealed class OtlpReceiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly ConcurrentQueue<(string Path, byte[] Body)> _received = new();
        private readonly Task _serving;

        public OtlpReceiver()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Address = $"http://127.0.0.1:{port}";
            _listener.Prefixes.Add($"{Address}/");
            _listener.Start();
            _serving = Task.Run(ServeAsync);
        }

        public string Address { get; }

        public bool Holds(string path, string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            return _received.Any(export => export.Path == path && export.Body.AsSpan().IndexOf(bytes) >= 0);
        }

        public void Dispose()
        {
            _listener.Close();
            try
            {
                _serving.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // The listener was closed under a pending accept.
            }
        }

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                _received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.ContentType = "application/x-protobuf";
                context.Response.Close();
            }
        }
    }
}
