using Npgsql;
using YoungCarers.EventStore.AllEvents;
using YoungCarers.EventStore.Connections;
using YoungCarers.EventStore.Schema;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest.Pipeline;

namespace YoungCarers.Api.Storage;

internal static class EventStoreRegistration
{
    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> and the event store over it, starting the
    /// embedded PostgreSQL first when no connection string is configured. Returns the connection,
    /// whose embedded cluster the caller stops if the service ends before its host could.
    /// </summary>
    public static async Task<DatabaseConnection> AddEventStoreAsync(this WebApplicationBuilder builder, CancellationToken cancellationToken)
    {
        var database = await DatabaseConnection.ResolveAsync(builder.Configuration, cancellationToken);
        var services = builder.Services;
        services.AddSingleton(database);
        // Registered before anything that uses the database, so it is stopped after them.
        services.AddHostedService<EmbeddedPostgresLifetime>();
        services.AddSingleton(_ => new NpgsqlDataSourceBuilder(DataSourceDefaults.Apply(database.ConnectionString)) { Name = "event-store" }.Build());
        services.AddSingleton(sp => new SchemaMigrator(sp.GetRequiredService<NpgsqlDataSource>(), typeof(IngestPipeline).Assembly, typeof(YoungCarers.Projections.ProjectionsRegistration).Assembly, typeof(EventStoreRegistration).Assembly));
        services.AddSingleton<PostgresEventStore>();
        services.AddSingleton<AllEventsReader>();
        services.AddSingleton<ProjectionCheckpoints>();
        if (builder.Configuration.GetValue("EventStore:MigrateOnStartup", true))
        {
            services.AddHostedService<SchemaMigrationService>();
        }

        return database;
    }
}
