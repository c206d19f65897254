using YoungCarers.Api.Health;
using YoungCarers.Api.Storage;
using YoungCarers.Ingest;
using YoungCarers.Ingest.Http;

namespace YoungCarers.Api;

/// <summary>Builds and runs the web service.</summary>
internal static class ServiceHost
{
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateBuilder(args);
        await builder.AddEventStoreAsync(cancellationToken);
        builder.Services.AddProblemDetails();
        builder.Services.AddIngest();
        builder.Services.AddServiceHealthChecks();

        await using var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapServiceHealthChecks();
        app.MapIngestEndpoints();
        app.MapQuarantineEndpoints();
        app.MapFamilyAdministrationEndpoints();
        await app.RunAsync(cancellationToken);
        return 0;
    }
}
