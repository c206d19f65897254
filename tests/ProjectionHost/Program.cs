using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using YoungCarers.ProjectionHost;
using YoungCarers.Projections;
using YoungCarers.Projections.Daemon;

// Usage: YoungCarers.ProjectionHost --ConnectionStrings:EventStore=<connection string>
//        [--ProjectionHost:FixedClock=<ISO 8601 instant>] [--ProjectionHost:AppliedLog=<table>]
//        [--Projections:<option>=<value> ...] [--Policy:File=<path>]
// (or the same keys as environment variables, ConnectionStrings__EventStore=...).
// Runs the projections exactly as the service registers them (AddProjections: the daemon and the
// deadline worker as hosted services) until stopped or killed. The schema must already exist.
//   FixedClock:  evaluate at this instant instead of the system clock (registered as the
//                TimeProvider before AddProjections, which only adds the system clock if none is),
//                so a test can compare what this process wrote with a rebuild at the same instant.
//   AppliedLog:  an existing table (seq bigint); each applied event's global sequence is inserted
//                in the daemon's own page transaction, so an event applied twice shows as a repeat.
var builder = Host.CreateApplicationBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("EventStore");
if (string.IsNullOrWhiteSpace(connectionString))
{
    throw new InvalidOperationException("ConnectionStrings:EventStore is required.");
}

builder.Services.AddSingleton(_ => new NpgsqlDataSourceBuilder(connectionString) { Name = "projection-host" }.Build());
if (builder.Configuration["ProjectionHost:FixedClock"] is { Length: > 0 } fixedAt)
{
    builder.Services.AddSingleton<TimeProvider>(new FixedClock(DateTimeOffset.Parse(fixedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)));
}

builder.Services.AddProjections(builder.Configuration);

if (builder.Configuration["ProjectionHost:AppliedLog"] is { Length: > 0 } appliedLog)
{
    // Wrap the projection AddProjections registered; the daemon and everything else stay as registered.
    var registered = builder.Services.Single(descriptor => descriptor.ServiceType == typeof(IProjection));
    var implementation = registered.ImplementationType
        ?? throw new InvalidOperationException("AddProjections no longer registers its projection by type; adapt ProjectionHost:AppliedLog.");
    builder.Services.Remove(registered);
    builder.Services.AddSingleton<IProjection>(sp =>
        new AppliedLogProjection((IProjection)ActivatorUtilities.CreateInstance(sp, implementation), appliedLog));
}

using var host = builder.Build();
await host.RunAsync();
