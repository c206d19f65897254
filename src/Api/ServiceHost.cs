using YoungCarers.Api.Admin;
using YoungCarers.Api.Audit;
using YoungCarers.Api.Errors;
using YoungCarers.Api.Health;
using YoungCarers.Api.RateLimiting;
using YoungCarers.Api.Reads;
using YoungCarers.Api.Security;
using YoungCarers.Api.Storage;
using YoungCarers.Api.Telemetry;
using YoungCarers.Ingest;
using YoungCarers.Ingest.Http;
using YoungCarers.Ingest.Kafka;
using YoungCarers.Projections;

namespace YoungCarers.Api;

/// <summary>Builds and runs the web service.</summary>
internal static class ServiceHost
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceTelemetry();
        builder.AddServiceSecurity();
        builder.AddServiceRateLimiting();
        var database = await builder.AddEventStoreAsync(cancellationToken);
        try
        {
            builder.Services.AddProblemDetails();
            builder.Services.AddRequestBindingProblems();
            builder.Services.AddIngest();
            builder.Services.AddKafkaIngest(builder.Configuration);
            builder.Services.AddProjections(builder.Configuration);
            builder.Services.AddServiceHealthChecks(builder.Configuration);
            builder.Services.AddAccessAudit();
            builder.Services.AddReadApi();
            builder.Services.AddProjectionRebuilds();

            await using var app = builder.Build();
            app.UseExceptionHandler();
            app.UseStatusCodePages();
            app.UseServiceTelemetry();
            app.UseServiceSecurity();
            app.UseRequestBodyLimits();
            app.MapServiceHealthChecks();
            app.MapGroup("").RequireAuthorization(Scopes.EventsWrite).MapIngestEndpoints();
            app.MapGroup("").RequireAuthorization(Scopes.Admin).WithAccessAuditOfPersonalDataReads().MapQuarantineEndpoints();
            app.MapGroup("").RequireAuthorization(Scopes.Admin).WithAccessAuditOfPersonalDataReads().MapFamilyAdministrationEndpoints();
            app.MapAccessAuditEndpoints();
            app.MapReadEndpoints();
            app.MapProjectionRebuildEndpoints();
            await app.RunAsync(cancellationToken);
        }
        finally
        {
            // The host stops it on a normal shutdown; a start that fails (a taken port, a bad
            // policy file) ends here without stopping its hosted services.
            if (database.Embedded is { } embedded)
            {
                await embedded.StopAsync(CancellationToken.None);
            }
        }

        return 0;
    }
}
