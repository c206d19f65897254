using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using YoungCarers.Ingest.Identity;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Quarantine;

namespace YoungCarers.Ingest;

public static class IngestRegistration
{
    /// <summary>The ingest pipeline and the quarantine; needs the event store and its data source registered.</summary>
    public static IServiceCollection AddIngest(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<QuarantineStore>();
        services.AddSingleton<IngestPipeline>();
        services.AddSingleton<IIngestPipeline>(sp => sp.GetRequiredService<IngestPipeline>());
        services.AddSingleton<QuarantineResubmission>();
        services.AddSingleton<FamilyAdministration>();
        return services;
    }
}
