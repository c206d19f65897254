namespace YoungCarers.Benchmarks;

/// <param name="Events">About how many lines to generate (whole families, so a few more or less).</param>
/// <param name="BatchSize">Lines per pipeline call, as <c>replay --batch</c>.</param>
/// <param name="Lanes">Transactions stored at once, as <c>replay --lanes</c>.</param>
/// <param name="ReadAhead">Batches read ahead of the one being ingested (0: none), to measure the overlap.</param>
/// <param name="ReadsInFlight">Reads being stored at once, as <see cref="YoungCarers.Ingest.Replay.ReplayOptions.ReadsInFlight"/>.</param>
/// <param name="ConnectionString">A server to create the run's database on; null starts an embedded PostgreSQL.</param>
/// <param name="HttpEvents">Lines of the same file to POST in batches to /events afterwards (0 skips the phase).</param>
/// <param name="HttpClients">Concurrent HTTP clients in that phase.</param>
/// <param name="KafkaEvents">Lines of the same file to produce to a mock Kafka cluster and consume (0 skips the phase).</param>
internal sealed record IngestBenchmarkOptions(
    int Events,
    int BatchSize,
    int Lanes,
    int ReadAhead,
    int ReadsInFlight,
    int Seed,
    string? ConnectionString,
    int HttpEvents,
    int HttpClients,
    int KafkaEvents);
