using System.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using YoungCarers.Api.Health;

namespace YoungCarers.Api.Telemetry;

/// <summary>
/// Operations: JSON console logs with scopes and trace ids; problem details that carry the trace id
/// and nothing about the request's data; and, only when <c>OpenTelemetry:Endpoint</c> (or
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>) is configured, traces and metrics exported over OTLP.
/// </summary>
internal static class TelemetryRegistration
{
    /// <summary>The activity source for the service's own spans.</summary>
    public const string ActivitySourceName = "YoungCarers";

    /// <summary>The built-in sources whose spans are exported: ASP.NET Core's request spans and Npgsql's commands.</summary>
    public static IReadOnlyList<string> ExportedSources { get; } = [ActivitySourceName, "Microsoft.AspNetCore", "Npgsql"];

    public static WebApplicationBuilder AddServiceTelemetry(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrEmpty(builder.Configuration["Logging:Console:FormatterName"]))
        {
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });
        }

        builder.Logging.Configure(options =>
            options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        builder.Services.Configure<ProblemDetailsOptions>(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.TraceId.ToHexString() ?? context.HttpContext.TraceIdentifier;
            // The developer exception page's details echo headers (tokens) and route values: never sent.
            context.ProblemDetails.Extensions.Remove("exception");
        });

        builder.Services.AddSingleton<DatabaseGauges>();
        builder.Services.TryAddSingleton<ProjectionStatusReader>();
        builder.Services.AddHostedService<DatabaseGaugeRefresher>();

        var endpoint = builder.Configuration["OpenTelemetry:Endpoint"] is { Length: > 0 } configured ? configured : builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return builder;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var baseUri))
        {
            throw new InvalidOperationException($"OpenTelemetry:Endpoint is not an absolute URI: {endpoint}");
        }

        var protocol = (builder.Configuration["OpenTelemetry:Protocol"] ?? builder.Configuration["OTEL_EXPORTER_OTLP_PROTOCOL"]) is "http/protobuf"
            ? OtlpExportProtocol.HttpProtobuf
            : OtlpExportProtocol.Grpc;
        var serviceName = builder.Configuration["OpenTelemetry:ServiceName"] is { Length: > 0 } name ? name : "youngcarers";
        var resource = ResourceBuilder.CreateDefault().AddService(serviceName, serviceVersion: typeof(TelemetryRegistration).Assembly.GetName().Version?.ToString());

        // For http/protobuf an endpoint set in code is used as is, so each signal's path is added here.
        Uri For(string signal) => protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(baseUri, $"{baseUri.AbsolutePath.TrimEnd('/')}/v1/{signal}") : baseUri;

        var tracerProvider = Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource([.. ExportedSources])
            .AddOtlpExporter(options => (options.Endpoint, options.Protocol) = (For("traces"), protocol))
            .Build();
        var meterProvider = Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter([.. ServiceMetrics.ExportedMeters])
            .AddOtlpExporter(options => (options.Endpoint, options.Protocol) = (For("metrics"), protocol))
            .Build();
        builder.Services.AddSingleton(new TelemetryProviders(tracerProvider, meterProvider, endpoint));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TelemetryProviders>());
        return builder;
    }

    /// <summary>Names each request span after its route (<c>GET /families/{familyId}</c>, never the raw path) and tags it.</summary>
    public static WebApplication UseServiceTelemetry(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            await next(context);
            if (context.Features.Get<IHttpActivityFeature>()?.Activity is { } activity && activity.IsAllDataRequested)
            {
                var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
                activity.DisplayName = route is null ? context.Request.Method : $"{context.Request.Method} {route}";
                activity.SetTag("http.request.method", context.Request.Method);
                activity.SetTag("http.route", route);
                activity.SetTag("http.response.status_code", context.Response.StatusCode);
                if (Security.CallerIdentity.ClientOf(context.User) is { } client)
                {
                    activity.SetTag("youngcarers.client", client);
                }
            }
        });
        return app;
    }
}

/// <summary>The OTLP trace and metric providers: flushed and disposed when the service stops.</summary>
internal sealed class TelemetryProviders(TracerProvider tracerProvider, MeterProvider meterProvider, string endpoint) : IHostedService, IDisposable
{
    public TracerProvider TracerProvider { get; } = tracerProvider;

    public MeterProvider MeterProvider { get; } = meterProvider;

    public string Endpoint { get; } = endpoint;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    private int _disposed;

    /// <summary>
    /// Once only: the host stopping and the container disposing can both call this, at the same time
    /// under a test host, and OpenTelemetry's providers are not safe to dispose concurrently.
    /// </summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        TracerProvider.Dispose();
        MeterProvider.Dispose();
    }
}
