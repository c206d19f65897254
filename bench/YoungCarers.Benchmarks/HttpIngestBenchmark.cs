using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using YoungCarers.EventStore.Streams;
using YoungCarers.Ingest;
using YoungCarers.Ingest.Http;
using YoungCarers.Ingest.Pipeline;
using YoungCarers.Ingest.Replay;

namespace YoungCarers.Benchmarks;

internal sealed record HttpIngestResult(
    int BatchSize, int Clients, long Events, long Requests, long Accepted, long Duplicates, long Quarantined, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99)
{
    public double EventsPerSecond => Events / Elapsed.TotalSeconds;
}

/// <summary>
/// POST /events as the service serves it (Kestrel on loopback, the same endpoint and pipeline), with
/// the first events of the replayed file sent as batch requests by several clients into a second,
/// empty database on the same server.
/// </summary>
internal static class HttpIngestBenchmark
{
    public static async Task<HttpIngestResult> RunAsync(NpgsqlDataSource server, string file, IngestBenchmarkOptions options, CancellationToken cancellationToken)
    {
        await using var database = await BenchmarkDatabase.CreateBesideAsync(server, cancellationToken, typeof(IngestPipeline).Assembly);
        return await PostAsync(database.DataSource, file, options, cancellationToken);
    }

    private static async Task<HttpIngestResult> PostAsync(NpgsqlDataSource dataSource, string file, IngestBenchmarkOptions options, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(dataSource);
        builder.Services.AddSingleton<PostgresEventStore>();
        builder.Services.AddIngest();
        await using var app = builder.Build();
        app.MapIngestEndpoints();
        await app.StartAsync(cancellationToken);
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromMinutes(5) };

        var bodies = Channel.CreateBounded<Body>(options.HttpClients * 2);
        // A failing client stops the others and the producer, rather than leaving it blocked on a full channel.
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cancellationToken = failed.Token;
        var producer = Task.Run(() => ProduceBodiesAsync(file, options.HttpEvents, bodies.Writer, cancellationToken), cancellationToken);
        var latencies = new List<TimeSpan>();
        long accepted = 0, duplicates = 0, quarantined = 0, requests = 0;
        var started = Stopwatch.GetTimestamp();
        var clients = Enumerable.Range(0, options.HttpClients).Select(_ => Task.Run(async () =>
        {
            await foreach (var body in bodies.Reader.ReadAllAsync(cancellationToken))
            {
                using var content = new ByteArrayContent(body.Bytes);
                content.Headers.ContentType = new MediaTypeHeaderValue(body.Single ? "application/cloudevents+json" : "application/cloudevents-batch+json");
                var sent = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync(new Uri("/events", UriKind.Relative), content, cancellationToken);
                var json = await response.Content.ReadAsByteArrayAsync(cancellationToken);
                var latency = Stopwatch.GetElapsedTime(sent);
                if (!response.IsSuccessStatusCode && !(body.Single && response.StatusCode == HttpStatusCode.BadRequest))
                {
                    await failed.CancelAsync();
                    throw new InvalidOperationException($"POST /events answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(json)}");
                }

                Interlocked.Increment(ref requests);
                lock (latencies)
                {
                    latencies.Add(latency);
                }

                if (body.Single && response.StatusCode == HttpStatusCode.BadRequest)
                {
                    // Malformed JSON: answered with problem details, and quarantined.
                    Interlocked.Increment(ref quarantined);
                    continue;
                }

                using var document = JsonDocument.Parse(json);
                var root = document.RootElement;
                Interlocked.Add(ref accepted, root.GetProperty("accepted").GetInt32());
                Interlocked.Add(ref duplicates, root.GetProperty("duplicates").GetInt32());
                Interlocked.Add(ref quarantined, root.GetProperty("quarantined").GetInt32());
            }
        }, cancellationToken)).ToList();
        await Task.WhenAll([producer, .. clients]);
        var elapsed = Stopwatch.GetElapsedTime(started);
        await app.StopAsync(CancellationToken.None);

        latencies.Sort();
        return new HttpIngestResult(
            IngestEndpoints.MaxBatchSize, options.HttpClients, accepted + duplicates + quarantined, requests, accepted, duplicates, quarantined, elapsed,
            latencies.Count == 0 ? TimeSpan.Zero : latencies[latencies.Count / 2],
            latencies.Count == 0 ? TimeSpan.Zero : latencies[Math.Min(latencies.Count - 1, (int)(latencies.Count * 0.99))]);
    }

    /// <summary>JSON array bodies of up to 1,000 lines each, from the start of the file.</summary>
    private static async Task ProduceBodiesAsync(string file, int events, ChannelWriter<Body> bodies, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(file);
            await using var reader = new NdjsonBatchReader(stream, 0, 0, IngestEndpoints.MaxBatchSize);
            var remaining = events;
            while (remaining > 0 && await reader.ReadBatchAsync(cancellationToken) is { } batch)
            {
                using (batch)
                {
                    var taken = batch.Lines.Take(remaining).ToList();
                    if (taken.Count == 0)
                    {
                        continue;
                    }

                    remaining -= taken.Count;

                    // A malformed line would make the whole array malformed: it goes alone, as a sender's single event would.
                    var lines = taken.Where(l => IsWellFormedJson(l.Bytes.Span)).ToList();
                    foreach (var malformed in taken.Where(l => !IsWellFormedJson(l.Bytes.Span)))
                    {
                        await bodies.WriteAsync(new Body(malformed.Bytes.ToArray(), Single: true), cancellationToken);
                    }

                    if (lines.Count == 0)
                    {
                        continue;
                    }

                    // "[" line ("," line)* "]": one separator byte before each line, and the closing bracket.
                    var body = new byte[lines.Sum(l => l.Bytes.Length + 1) + 1];
                    var at = 0;
                    for (var i = 0; i < lines.Count; i++)
                    {
                        body[at++] = i == 0 ? (byte)'[' : (byte)',';
                        lines[i].Bytes.Span.CopyTo(body.AsSpan(at));
                        at += lines[i].Bytes.Length;
                    }

                    body[at] = (byte)']';
                    await bodies.WriteAsync(new Body(body, Single: false), cancellationToken);
                }
            }

            bodies.Complete();
        }
        catch (Exception e)
        {
            bodies.Complete(e);
            throw;
        }
    }

    private static bool IsWellFormedJson(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private sealed record Body(byte[] Bytes, bool Single);
}
