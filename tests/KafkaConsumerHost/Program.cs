using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest;
using YoungCarers.Ingest.Kafka;

// Usage: YoungCarers.KafkaConsumerHost --ConnectionStrings:EventStore=<connection string>
//        --Kafka:BootstrapServers=<host:port,...> --Kafka:Topics:0=<topic> [--Kafka:<option>=<value> ...]
// Wired as the service wires it (AddIngest, AddKafkaIngest); the schema must already exist.
var builder = Host.CreateApplicationBuilder(args);
var connectionString = builder.Configuration.GetConnectionString("EventStore")
    ?? throw new InvalidOperationException("ConnectionStrings:EventStore is required.");
builder.Services.AddSingleton(_ => NpgsqlDataSource.Create(connectionString));
builder.Services.AddSingleton<PostgresEventStore>();
builder.Services.AddIngest();
builder.Services.AddKafkaIngest(builder.Configuration);

using var host = builder.Build();
await host.RunAsync();
